"""Complaints, survey scores and tiers from the real broker become signals on the card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from shared.contracts.base import Event
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.loyalty import TierChanged
from shared.contracts.surveys import SurveyAnswered
from tests.conftest import Slate
from tests.integration.registry.conftest import register
from tests.support.kafka import eventually, produce


async def send(slate: Slate, *events: Event) -> None:
    for event in events:
        await produce(
            slate.infra.kafka,
            slate.topic(event.TOPIC),
            event.model_dump_json().encode(),
            key=event.partition_key().encode(),
        )


def filed(cid: str, complaint_id: str) -> ComplaintFiled:
    return ComplaintFiled.model_validate(
        {
            "complaint_id": complaint_id,
            "client_id": cid,
            "kind": "complaint",
            "channel": "phone",
            "topic": "service",
            "priority": "normal",
        }
    )


async def test_signals_are_kept_once_each_and_shown_on_the_card(
    slate: Slate, api: httpx.AsyncClient
) -> None:
    cid = (await register(api, name="Ada"))["id"]
    t0 = datetime.now(UTC)
    first, second = filed(cid, "K1"), filed(cid, "K2")
    resolved = ComplaintResolved(complaint_id="K1", client_id=cid, resolution="refund")
    new_score = SurveyAnswered(survey_id="S2", client_id=cid, score=9, occurred_at=t0)
    old_score = SurveyAnswered(
        survey_id="S1", client_id=cid, score=3, occurred_at=t0 - timedelta(days=1)
    )
    tier = TierChanged.model_validate(
        {
            "client_id": cid,
            "old_tier": "bronze",
            "new_tier": "silver",
            "lifetime_spend": "120.00",
            "currency": "EUR",
        }
    )
    # Each event twice (a redelivery), and the older survey score after the newer one.
    await send(slate, first, first, second, resolved, resolved, new_score, old_score, tier, tier)

    async def card_signals() -> Any:
        signals = (await api.get(f"/internal/v1/clients/{cid}")).json()["signals"]
        settled = signals["tier"] and signals["latest_survey_score"] is not None
        return signals if settled and signals["open_complaints"] == 1 else None

    signals = await eventually(card_signals)
    assert signals["latest_survey_score"] == 9
    assert signals["tier"] == "silver"
