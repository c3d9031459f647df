"""The issue-15 table `make bench` prints: every row present, marked by its bound."""

from __future__ import annotations

import pytest

from bench.common import Result, Side
from bench.flatness import window_rates
from bench.groups import crossing
from bench.targets import (
    COUNTED,
    CPU,
    FLATNESS,
    OVERHEAD,
    P99,
    PURCHASES_S,
    RATIOS,
    Target,
    issue_rows,
)
from bench.tracing_overhead import overhead_target


def result(name: str, target: float, project: list[float], baseline: list[float]) -> Result:
    r = Result(
        name, "req/s", target, Side("p", throughputs=project), Side("b", throughputs=baseline)
    )
    r.project.extra["cpu_ms_per_op"] = [3.0, 1.0, 2.0]
    r.project.extra["cpu_ms_per_op_by_process"] = {"gateway": [1.0, 0.5, 0.7]}
    return r


def test_every_row_of_both_tables_is_printed_even_when_its_suite_did_not_run() -> None:
    rows = issue_rows([])
    assert len(rows) == len(COUNTED) + len(CPU) + len(RATIOS) + 4
    assert all(row.value is None and "—" in row.row() for row in rows)
    assert any("BENCH=flatness" in row.detail for row in rows)
    assert rows[-1].measure == OVERHEAD and "BENCH=tracing" in rows[-1].detail


def stack_side(loads: list[tuple[float, float, float]]) -> Side:
    """A side whose loads cost (gateway, registry, ferretdb) ms of CPU per lookup each."""
    side = Side("s", throughputs=[0.0] * (len(loads) // 2))
    by = side.extra.setdefault("cpu_ms_per_op_by_process", {})
    for gateway, registry, store in loads:
        for name, value in (("gateway", gateway), ("registry", registry), ("ferretdb", store)):
            by.setdefault(name, []).append(value)
    return side


def test_the_tracing_overhead_is_read_against_the_store_in_the_same_load() -> None:
    # Untraced, the machine makes every process 30 % costlier in the second round.
    untraced = [(1.0, 1.0, 1.0), (1.0, 1.0, 1.0), (1.3, 1.3, 1.3), (1.3, 1.3, 1.3)]
    same = Result("t", "req/s", 0, stack_side(untraced), stack_side(untraced[::-1]))
    aa = overhead_target(same)
    assert aa.value == pytest.approx(0.0) and aa.met() is True
    # Traced: the services cost 20 % more than the store's share says (gateway and
    # registry 2.0 -> 2.4 of a stack of 3.0): 0.4 / 3.0 = 13.3 % of the whole stack.
    traced = [(g * 1.2, r * 1.2, f) for g, r, f in untraced[::-1]]
    on = overhead_target(Result("t", "req/s", 0, stack_side(traced), stack_side(untraced)))
    assert on.value == pytest.approx(40 / 3) and on.met() is False and "❌" in on.row()


def test_rows_are_marked_against_their_bounds_with_the_spread() -> None:
    found = [
        result("card lookup", 0.5, [60, 40, 90], [100, 100, 100]),
        result("register", 0.35, [10, 10, 10], [100, 100, 100]),
        Target(PURCHASES_S, 1200.0, "/s", 1000, False),
        Target(P99, 80.0, "ms", 50, True),
    ]
    rows = {row.measure: row for row in issue_rows(found)}
    lookup = rows["card lookup ÷ token + one find_one route"]
    assert lookup.value == pytest.approx(0.6) and lookup.met() is True
    assert "[0.40..0.90]" in lookup.detail
    assert rows["registration ÷ token + insert_one + acks=all send route"].met() is False
    cpu = rows["card lookup CPU, all processes"]
    assert cpu.value == 2.0 and cpu.met() is True and "[1.00..3.00]" in cpu.detail
    assert rows[PURCHASES_S].met() is True and "✅" in rows[PURCHASES_S].row()
    assert rows[P99].met() is False and "❌" in rows[P99].row()
    assert rows[FLATNESS].value is None


def test_the_flatness_ratio_compares_the_last_window_with_the_first() -> None:
    # 10,000 at 1,000/s, then slower and slower: the last 10,000 took 20 s
    samples = [(0.0, 0), (10.0, 10_000), (30.0, 20_000), (50.0, 30_000)]
    assert crossing(samples, 15_000) == pytest.approx(20.0)
    first, last = window_rates(samples, 30_000)
    assert (first, last) == (pytest.approx(1000.0), pytest.approx(500.0))
    with pytest.raises(ValueError):
        crossing(samples, 40_000)


def test_commands_per_operation_leave_out_audit_and_background_noise() -> None:
    from bench.capacity import per_operation
    from tests.support.store_commands import Cost

    cost = Cost(
        commands={("registry", "find", "lookups"): 1.0, ("gateway", "insert", "audit_log"): 0.2},
        estimated={("registry", "find", "outbox"): 0.3},
        background_per_s={},
    )
    total, parts = per_operation(cost)
    assert total == 1.0 and "noise" in parts  # 0.3 on the relay's keys: noise
    burst, _ = per_operation(cost, divide=0.5)  # a burst counts what it cannot tell apart
    assert burst == pytest.approx(2.6)
