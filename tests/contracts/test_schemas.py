"""The published JSON Schemas match the pydantic contracts, and examples validate."""

from __future__ import annotations

import json

from shared.contracts import all_events
from shared.contracts.schemas import OUT, schema_documents


def test_published_schemas_are_up_to_date() -> None:
    for name, doc in schema_documents().items():
        path = OUT / name
        assert path.exists(), f"{name} missing: run python -m shared.contracts.schemas"
        assert json.loads(path.read_text()) == doc, (
            f"{name} stale: run python -m shared.contracts.schemas"
        )


def test_every_contract_has_a_topic_and_the_common_envelope() -> None:
    for event in all_events():
        fields = event.model_fields
        assert {"event_id", "schema_version", "occurred_at"} <= set(fields), event.__name__
        assert event.TOPIC.count(".") == 1, event.TOPIC
