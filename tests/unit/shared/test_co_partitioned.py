"""The co-partitioned assignor: partition N of every topic a member reads goes to one
member, under the protocol name the groups have always had."""

from __future__ import annotations

from aiokafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from aiokafka.coordinator.protocol import ConsumerProtocolMemberMetadata as Metadata

from shared.messaging.broker import CO_PARTITIONED, CoPartitioned, subscriber_options
from shared.settings import ServiceSettings

PURCHASES, CHANGES, CLIENTS = "purchase.recorded", "account_change.requested", "client.registered"


class Cluster:
    def __init__(self, partitions: int) -> None:
        self.partitions = partitions

    def partitions_for_topic(self, topic: str) -> set[int]:
        return set(range(self.partitions))


def members(replicas: int, registrations: bool = True) -> dict[str, Metadata]:
    """Each replica: one consumer of purchases and changes (and one of registrations)."""
    found = {}
    for n in range(replicas):
        found[f"p-{n}-{n * 7919 % 13}"] = Metadata(0, [PURCHASES, CHANGES], b"")
        if registrations:
            found[f"r-{n}"] = Metadata(0, [CLIENTS], b"")
    return found


def owners(assignment: dict, topic: str) -> dict[int, str]:  # type: ignore[type-arg]
    return {
        p: member
        for member, a in assignment.items()
        for t, parts in a.assignment
        if t == topic
        for p in parts
    }


def test_partition_n_of_both_topics_goes_to_one_member() -> None:
    for replicas, partitions in [(1, 6), (2, 3), (3, 6), (4, 6), (5, 48), (7, 12)]:
        for registrations in (True, False):
            group = members(replicas, registrations)
            assignment = CoPartitioned.assign(Cluster(partitions), group)
            purchases, changes = owners(assignment, PURCHASES), owners(assignment, CHANGES)
            assert purchases == changes, (replicas, partitions)
            assert sorted(purchases) == list(range(partitions))  # every partition, once
            clients = owners(assignment, CLIENTS)
            assert sorted(clients) == (list(range(partitions)) if registrations else [])


def test_round_robin_would_not_keep_them_together() -> None:
    """Why the assignor matters: the default can split the two topics differently."""
    assignment = RoundRobinPartitionAssignor.assign(Cluster(3), members(2, registrations=False))
    assert owners(assignment, PURCHASES) != owners(assignment, CHANGES)


def test_one_assignor_under_the_groups_old_protocol_name() -> None:
    options = subscriber_options(ServiceSettings(), "g", co_partitioned=True)
    assert options["partition_assignment_strategy"] == CO_PARTITIONED == (CoPartitioned,)
    assert CoPartitioned.name == RoundRobinPartitionAssignor.name == "roundrobin"
    assert "partition_assignment_strategy" not in subscriber_options(ServiceSettings(), "g")
