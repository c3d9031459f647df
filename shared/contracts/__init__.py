"""Event contracts: the only thing two services share about each other.

Each event class names its topic in `TOPIC`; `ALL_EVENTS` is the registry of
contracts used for JSON Schema generation and the AsyncAPI documents.
"""

from shared.contracts.base import Event, Money, from_minor_units, to_minor_units
from shared.contracts.registry import ClientRegistered

ALL_EVENTS: tuple[type[Event], ...] = (ClientRegistered,)

__all__ = [
    "ALL_EVENTS",
    "ClientRegistered",
    "Event",
    "Money",
    "from_minor_units",
    "to_minor_units",
]
