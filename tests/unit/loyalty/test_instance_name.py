"""Each unit of work has an owner of its own, even two in one process (tests run two
loyalty apps side by side): a unit of work replays "its own" open journals at once,
so a shared owner let one app replay the other's batch while it was being applied."""

from services.loyalty.bootstrap import instance_name


def test_two_units_of_work_in_one_process_have_different_owners() -> None:
    first, second = instance_name(), instance_name()
    assert first != second
    assert first.rsplit(":", 1)[0] == second.rsplit(":", 1)[0]  # host and pid, then its own
