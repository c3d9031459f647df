"""The contracts a service consumes, named in its AsyncAPI document.

The pipeline's subscribers take raw records (each is validated on its own, so one bad
record spoils nothing), and FastStream then documents their payload as empty. This
puts each consumed topic's contract back: the message of every channel whose address
is a consumed topic gets the event's JSON Schema.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from shared.contracts.base import Event

SCHEMAS = "#/components/schemas/"


def with_consumed_contracts(
    document: dict[str, Any], consumed: Mapping[str, type[Event]]
) -> dict[str, Any]:
    """`consumed`: physical topic -> its event type. Changes and returns `document`."""
    components = document.setdefault("components", {})
    schemas, messages = components.setdefault("schemas", {}), components.get("messages", {})
    replaced: set[str] = set()
    for channel in document.get("channels", {}).values():
        event = consumed.get(channel.get("address", ""))
        if event is None:
            continue
        schema = event.model_json_schema(ref_template=SCHEMAS + "{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[event.__name__] = schema
        for ref in channel.get("messages", {}).values():
            message = messages.get(str(ref.get("$ref", "")).rsplit("/", 1)[-1])
            if message is not None:
                replaced.add(str(message.get("payload", {}).get("$ref", "")))
                message["payload"] = {"$ref": SCHEMAS + event.__name__}
    text = json.dumps(document)
    for ref in replaced - {SCHEMAS + e.__name__ for e in consumed.values()}:
        if ref.startswith(SCHEMAS) and f'"{ref}"' not in text:  # nothing names it now
            schemas.pop(ref.removeprefix(SCHEMAS), None)
    return document
