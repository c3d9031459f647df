"""The guard's short memory of accounts and keys it read from the store."""

from __future__ import annotations

from services.gateway.auth.repository import Recent


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_trusted_for_its_time_then_read_again() -> None:
    clock = Clock()
    recent: Recent[str] = Recent(2.0, clock)
    recent.put("ada", "operator")
    clock.now += 1.9
    kept = recent.get("ada")
    clock.now += 0.2
    assert kept == "operator"
    assert recent.get("ada") is None


def test_a_write_through_this_process_forgets_at_once() -> None:
    recent: Recent[str] = Recent(60.0, Clock())
    recent.put("ada", "manager")
    recent.forget("ada")
    assert recent.get("ada") is None


def test_zero_seconds_keeps_nothing() -> None:
    recent: Recent[str] = Recent(0, Clock())
    recent.put("ada", "admin")
    assert recent.get("ada") is None


def test_a_flood_of_distinct_keys_never_grows_past_the_size() -> None:
    recent: Recent[int] = Recent(60.0, Clock(), size=10)
    for n in range(35):
        recent.put(f"key{n}", n)
    assert len(recent) <= 10
    assert recent.get("key34") == 34
