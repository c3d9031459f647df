"""A service's /metrics counts what it consumed and parked, and its consumer lag."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from services.loyalty.config import LoyaltySettings
from services.loyalty.main import create_app
from shared.contracts import ClientRegistered
from tests.conftest import Slate, running
from tests.support.kafka import eventually, produce


def sample(metrics: str, name: str, topic: str) -> float:
    for line in metrics.splitlines():
        if line.startswith(name + "{") and f'topic="{topic}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_count_consumed_and_dead_lettered_messages_and_lag(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    topic = slate.topic(ClientRegistered.TOPIC)
    app = create_app(LoyaltySettings(**slate.settings_kwargs("loyalty")))
    db = mongo[slate.db_name("loyalty")]
    async with running(app) as api:
        for i in range(3):
            event = ClientRegistered(client_id=f"m-{i}", name="Ada")
            await produce(slate.infra.kafka, topic, event.model_dump_json().encode())
        await produce(slate.infra.kafka, topic, b"not json at all")

        async def all_handled() -> bool:
            text = (await api.get("/metrics")).text
            return sample(text, "clientele_messages_dead_lettered_total", topic) == 1.0

        await eventually(all_handled)
        await eventually(lambda: db.accounts.find_one({"_id": "m-2"}))
        text = (await api.get("/metrics")).text
        assert sample(text, "clientele_messages_consumed_total", topic) == 3.0
        assert sample(text, "clientele_messages_failed_total", topic) == 1.0

        async def caught_up() -> bool:
            lags = await app.state.runtime_lag.measure_once()
            return bool(lags) and set(lags.values()) == {0}

        await eventually(caught_up)  # every partition assigned, all committed
        text = (await api.get("/metrics")).text
        assert "clientele_consumer_lag{" in text
