"""`make run REPLICAS=...`: counts per service, validated; a port per replica; each
gateway's share of the services."""

from __future__ import annotations

import pytest

from infra.replicas import ReplicasError, gateway_urls, parse_replicas, plan, summary

FIRST = {"registry": 8001, "loyalty": 8002, "surveys": 8003, "complaints": 8004, "gateway": 8000}


def test_counts_default_to_one_and_read_spaces_or_commas() -> None:
    assert parse_replicas("") == dict.fromkeys(FIRST, 1)
    counts = parse_replicas("loyalty=3 surveys=2,complaints=2  registry=2 gateway=2")
    assert counts == {"registry": 2, "loyalty": 3, "surveys": 2, "complaints": 2, "gateway": 2}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("billing=2", "unknown service 'billing'"),
        ("loyalty", "'loyalty' is not service=count"),
        ("loyalty=0", "loyalty='0'"),
        ("loyalty=-1", "from 1 to 16"),
        ("loyalty=two", "whole number"),
        ("loyalty=17", "from 1 to 16"),
        ("Loyalty=2", "unknown service 'Loyalty'"),
    ],
)
def test_a_bad_replicas_string_is_refused_saying_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ReplicasError, match="REPLICAS") as refused:
        parse_replicas(text)
    assert says in str(refused.value)


def test_extra_replicas_take_the_next_free_ports_and_the_first_keep_theirs() -> None:
    busy = {8005, 8007}
    replicas = plan(parse_replicas("loyalty=3 gateway=2"), FIRST, lambda p: p not in busy)
    ports = {r.name: r.port for r in replicas}
    assert ports == FIRST | {"loyalty-2": 8006, "loyalty-3": 8008, "gateway-2": 8009}
    assert [r.service for r in replicas][-2:] == ["gateway", "gateway"]  # started last
    assert summary(replicas) == "loyalty=3 gateway=2"


def test_each_gateway_talks_to_its_round_robin_share_of_each_service() -> None:
    replicas = plan(parse_replicas("registry=2 gateway=3"), FIRST, lambda p: True)
    gateways = [r for r in replicas if r.service == "gateway"]
    registries = [gateway_urls(replicas, g)["GATEWAY_REGISTRY_URL"] for g in gateways]
    assert registries == ["http://127.0.0.1:8001", "http://127.0.0.1:8005", "http://127.0.0.1:8001"]
    loyalty = {gateway_urls(replicas, g)["GATEWAY_LOYALTY_URL"] for g in gateways}
    assert loyalty == {"http://127.0.0.1:8002"}
