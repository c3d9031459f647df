"""Event contracts: the only thing two services share about each other.

Each event class names its topic in `TOPIC`. Import contracts from their module
(`shared.contracts.pos`, `shared.contracts.registry`, ...); `all_events()` lists them
all for JSON Schema generation and the AsyncAPI documents.
"""

from shared.contracts.base import Event, Money, from_minor_units, to_minor_units
from shared.contracts.registry import ClientRegistered


def all_events() -> list[type[Event]]:
    """Every concrete contract in this package, by topic."""
    import importlib
    import pkgutil

    import shared.contracts as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    found: list[type[Event]] = []
    stack = list(Event.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.TOPIC:
            found.append(cls)
    return sorted(found, key=lambda c: c.TOPIC)


__all__ = [
    "ClientRegistered",
    "Event",
    "Money",
    "all_events",
    "from_minor_units",
    "to_minor_units",
]
