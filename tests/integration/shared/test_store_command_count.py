"""Every client made by the factory counts its store commands on /metrics."""

from __future__ import annotations

from prometheus_client import REGISTRY

from shared.store.mongo import create_mongo_client
from tests.conftest import Slate


def counted(service: str, command: str, collection: str) -> float:
    labels = {"service": service, "command": command, "collection": collection}
    return REGISTRY.get_sample_value("clientele_store_commands_total", labels) or 0.0


async def test_each_command_is_counted_by_command_and_collection(slate: Slate) -> None:
    mongo = create_mongo_client(slate.infra.mongodb, "counting-test")
    db = mongo[slate.db_name("counting")]
    before = {c: counted("counting-test", c, "things") for c in ("insert", "find", "getMore")}
    try:
        await db.things.insert_many([{"_id": str(i)} for i in range(5)])
        assert await db.things.find_one({"_id": "3"}) == {"_id": "3"}
        assert len([d async for d in db.things.find({}, batch_size=2)]) == 5
    finally:
        await mongo.close()
    after = {c: counted("counting-test", c, "things") for c in before}
    assert {c: after[c] - before[c] for c in before} == {"insert": 1, "find": 2, "getMore": 2}
