"""JSON Schemas of every contract, published under shared/contracts/jsonschema/.

`python -m shared.contracts.schemas` rewrites them; a test fails when they are stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.contracts import all_events

OUT = Path(__file__).resolve().parent / "jsonschema"


def schema_documents() -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for event in all_events():
        version = event.model_fields["schema_version"].default
        schema = event.model_json_schema(mode="validation")
        schema["$id"] = f"https://clientele.dev/schemas/{event.TOPIC}.v{version}.json"
        schema["x-topic"] = event.TOPIC
        docs[f"{event.TOPIC}.v{version}.json"] = schema
    return docs


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, doc in schema_documents().items():
        (OUT / name).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
