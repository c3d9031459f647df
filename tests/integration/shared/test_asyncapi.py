"""Every service publishes an AsyncAPI document naming its topics."""

from __future__ import annotations

from services.registry.config import RegistrySettings
from services.registry.main import create_app
from tests.conftest import Slate, running


async def test_registry_asyncapi_names_the_topic_it_publishes(slate: Slate) -> None:
    settings = RegistrySettings(**slate.settings_kwargs("registry"))
    async with running(create_app(settings)) as api:
        r = await api.get("/asyncapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["asyncapi"].startswith("3.")
    addresses = {ch["address"] for ch in doc["channels"].values()}
    assert slate.topic("client.registered") in addresses


async def test_a_consumed_topic_is_documented_with_its_contract(slate: Slate) -> None:
    settings = RegistrySettings(**slate.settings_kwargs("registry"))
    async with running(create_app(settings)) as api:
        doc = (await api.get("/asyncapi.json")).json()
    [channel] = [c for c in doc["channels"].values() if c["address"] == slate.topic("tier.changed")]
    [ref] = [m["$ref"] for m in channel["messages"].values()]
    message = doc["components"]["messages"][ref.rsplit("/", 1)[-1]]
    assert message["payload"] == {"$ref": "#/components/schemas/TierChanged"}
    assert "new_tier" in doc["components"]["schemas"]["TierChanged"]["properties"]
    assert not any(name.endswith(":Payload") for name in doc["components"]["schemas"])
