"""`make run REPLICAS="loyalty=3 gateway=2"`: how many processes of each service, on
which ports, and which service replicas each gateway talks to.

- Every service has 1 replica unless REPLICAS says otherwise. The first replica keeps
  the service's port (`<SERVICE>_HTTP_PORT` or the default); the others take the next
  free ports above the highest one in use, printed as each becomes ready.
- Replicas of a consumer share its consumer group (the group is named after the
  service), so Kafka splits the partitions between them.
- Gateways are listed, not balanced: each has its own port. Gateway number i talks to
  replica number i of each service, round-robin when a service has fewer replicas
  (gateway 3 of 3 with 2 registries talks to registry 1), so every replica serves a
  gateway's traffic without a load balancer in front of the services.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass

# In start order: the services before the gateway that calls them.
SERVICES = ("registry", "loyalty", "surveys", "complaints", "gateway")
MAX_REPLICAS = 16  # a developer machine: more is a typo, not a plan


class ReplicasError(ValueError):
    """REPLICAS names an unknown service or a count that is not 1..MAX_REPLICAS."""


def parse_replicas(text: str) -> dict[str, int]:
    """`"loyalty=3 surveys=2"` (spaces or commas between) -> a count for every service."""
    counts = dict.fromkeys(SERVICES, 1)
    for item in text.replace(",", " ").split():
        name, sep, count = item.partition("=")
        if not sep:
            raise ReplicasError(f"REPLICAS: {item!r} is not service=count (e.g. loyalty=3)")
        if name not in counts:
            raise ReplicasError(
                f"REPLICAS: unknown service {name!r}; the services are {', '.join(SERVICES)}"
            )
        if not count.isdigit() or not 1 <= int(count) <= MAX_REPLICAS:
            raise ReplicasError(
                f"REPLICAS: {name}={count!r}: the count must be a whole number "
                f"from 1 to {MAX_REPLICAS}"
            )
        counts[name] = int(count)
    return counts


@dataclass(frozen=True)
class Replica:
    service: str
    number: int  # 1, 2, ...
    port: int

    @property
    def name(self) -> str:
        return self.service if self.number == 1 else f"{self.service}-{self.number}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def plan(
    counts: dict[str, int],
    first_ports: dict[str, int],
    is_free: Callable[[int], bool] = port_is_free,
) -> list[Replica]:
    """Every replica to start, in start order, each with its own port."""
    taken = set(first_ports.values())
    candidate = max(taken) + 1
    replicas = []
    for service in SERVICES:
        replicas.append(Replica(service, 1, first_ports[service]))
        for number in range(2, counts[service] + 1):
            while candidate in taken or not is_free(candidate):
                candidate += 1
            taken.add(candidate)
            replicas.append(Replica(service, number, candidate))
    return replicas


def gateway_urls(replicas: list[Replica], gateway: Replica) -> dict[str, str]:
    """`GATEWAY_<SERVICE>_URL` for one gateway: its round-robin share of each service."""
    urls = {}
    for service in SERVICES[:-1]:
        mine = [r for r in replicas if r.service == service]
        pick = mine[(gateway.number - 1) % len(mine)]
        urls[f"GATEWAY_{service.upper()}_URL"] = pick.url
    return urls


def summary(replicas: list[Replica]) -> str:
    """`loyalty=2 gateway=2` for the services with more than one replica."""
    counts = {r.service: r.number for r in replicas}
    return " ".join(f"{s}={n}" for s, n in counts.items() if n > 1)
