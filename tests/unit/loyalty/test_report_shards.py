"""Which shard a journal's shared report keys go to, and how shards add up."""

from __future__ import annotations

from typing import Any

from services.loyalty.purchases.planning import Journal
from services.loyalty.reports.shards import ReportShards, add, sharded

TOPIC = "t.purchase.recorded"


def shards(owned: set[str]) -> ReportShards:
    return ReportShards(None, TOPIC, lambda: owned)  # type: ignore[arg-type]


def test_a_purchase_batch_writes_the_shard_of_its_lowest_partition() -> None:
    batch = [f"{TOPIC}:4", f"{TOPIC}:2"]
    assert shards({f"{TOPIC}:0"}).choose(batch) == ("p2", batch)


def test_a_command_writes_the_shard_of_a_partition_its_process_owns_and_lists_it() -> None:
    owned = {f"{TOPIC}:5", f"{TOPIC}:3", "t.client.registered:0"}
    assert shards(owned).choose([]) == ("p3", [f"{TOPIC}:3"])


def test_a_process_owning_no_purchase_partition_writes_a_shard_of_its_own() -> None:
    mine = shards({"t.client.registered:0"})
    shard, partitions = mine.choose([])
    assert shard == mine.own and shard.startswith("x") and partitions == []


async def test_only_shared_report_keys_are_split() -> None:
    journal = Journal(partitions=[f"{TOPIC}:1"])
    journal.report("store:S1:2026-11", {"purchases": 1})
    journal.report("client:c1:2026-11", {"purchases": 1})
    journal.indexes.add(("employees:2026-11", "E7"))
    mine = shards(set())
    mine.named.add("p1")  # already named: no store needed
    await mine.prepare(journal)
    assert sorted(journal.reports) == ["client:c1:2026-11", "store:S1:2026-11@p1"]
    assert journal.indexes == {("employees:2026-11@p1", "E7")}


def test_shards_add_up_numbers_and_unite_sets() -> None:
    total: dict[str, Any] = {}
    add(total, {"_id": "x@p0", "purchases": 2, "members": ["E1"], "_last_applied": ["j1"]})
    add(total, {"_id": "x@p1", "purchases": 3, "members": ["E2", "E1"]})
    assert total == {"purchases": 5, "members": ["E1", "E2"]}
    assert sharded("client:c1", "p0") == "client:c1"
