"""Traces across services (real processes): one POS purchase is one trace through
loyalty, its `bonus.accrued` publish and surveys; a gateway request's trace covers the
service it calls; and no span holds the client's phone, card number or name.

Every service appends its spans as JSON lines to one file (CLIENTELE_TRACE_FILE, see
shared/tracing.py), which the test reads.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Slate
from tests.integration.loyalty.pos import purchase
from tests.support.kafka import eventually, produce
from tests.support.processes import ServiceProcess
from tests.support.stack import whole_stack
from tests.support.staff import login

NAME = "Zebulon Quartermaine"
PHONE_DIGITS = "309182736"  # +49 30 9182736
Span = dict[str, Any]


def spans_in(path: Path) -> list[Span]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def service_of(span: Span) -> str:
    return str(span["resource"]["attributes"]["service.name"])


def trace_of(span: Span) -> str:
    return str(span["context"]["trace_id"]).removeprefix("0x")


def named(spans: list[Span], service: str, name: str) -> list[Span]:
    return [s for s in spans if service_of(s) == service and s["name"] == name]


async def test_a_purchase_and_a_gateway_request_are_each_one_trace_across_services(
    slate: Slate, spawn: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    spans_file = tmp_path / "spans.jsonl"
    # Store command spans are opt-in (CLIENTELE_TRACE_STORE); the search below shows them.
    traced = {"CLIENTELE_TRACE_FILE": str(spans_file), "CLIENTELE_TRACE_STORE": "true"}
    names = ("registry", "loyalty", "surveys", "complaints", "gateway")
    stack = whole_stack(spawn, env={n: traced for n in names})

    async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=20) as api:
        api.headers.update(await login(api))
        r = await api.post(
            "/api/v1/clients",
            json={"name": NAME, "phone": "+49 30 9182736", "consents": {"sms": True}},
        )
        assert r.status_code == 201, r.text
        client = r.json()
        found = await api.get("/api/v1/clients", params={"q": "030 9182736"})
        assert [c["id"] for c in found.json()["items"]] == [client["id"]]

    async with httpx.AsyncClient(base_url=stack.loyalty.url, timeout=10) as loyalty:

        async def loyalty_knows_the_client() -> bool:
            r = await loyalty.get(f"/internal/v1/accounts/{client['id']}")
            return r.status_code == 200

        await eventually(loyalty_knows_the_client, timeout_s=60)

    # The POS is instrumented: it publishes inside a span of its own trace.
    pos_trace, pos_span = secrets.token_hex(16), secrets.token_hex(8)
    body = purchase("P-trace-1", card=client["card_number"])
    await produce(
        slate.infra.kafka,
        slate.topic("purchase.recorded"),
        json.dumps(body).encode(),
        client["card_number"].encode(),
        headers=[("traceparent", f"00-{pos_trace}-{pos_span}-01".encode())],
    )
    recorded, accrued = slate.topic("purchase.recorded"), slate.topic("bonus.accrued")

    def purchase_trace() -> list[Span]:
        return [s for s in spans_in(spans_file) if trace_of(s) == pos_trace]

    async def whole_purchase_traced() -> bool:
        spans = purchase_trace()
        # A consumer's span ends after the publish inside it, so it may be exported later.
        return bool(
            named(spans, "loyalty", f"{recorded} process")
            and named(spans, "loyalty", f"{accrued} publish")
            and named(spans, "surveys", f"{accrued} process")
            and named(spans, "surveys", f"{recorded} process")
        )

    await eventually(whole_purchase_traced, timeout_s=60)
    spans = purchase_trace()
    [consumed] = named(spans, "loyalty", f"{recorded} process")
    assert consumed["parent_id"] == f"0x{pos_span}"  # a child of the POS's span
    [published] = named(spans, "loyalty", f"{accrued} publish")
    assert published["parent_id"] == consumed["context"]["span_id"]
    assert published["kind"] == "SpanKind.PRODUCER"
    greeting = named(spans, "surveys", f"{accrued} process")
    assert [s["parent_id"] for s in greeting] == [published["context"]["span_id"]]

    # Each gateway request is one trace with the service it calls, store calls included;
    # the registration's trace goes on through the outbox into client.registered's consumers.
    everything = spans_in(spans_file)

    def gateway_request(method: str) -> list[Span]:
        [server] = [
            s
            for s in everything
            if service_of(s) == "gateway"
            and s["kind"] == "SpanKind.SERVER"
            and s["attributes"].get("http.route") == "/api/v1/clients"
            and s["attributes"].get("http.method") == method
        ]
        return [s for s in everything if trace_of(s) == trace_of(server)]

    # One server span per request: no INTERNAL twin of it (FastAPI's own telemetry adds
    # one when it does not see OpenTelemetry's middleware), no spans per dependency.
    twins = [s["name"] for s in everything if s["kind"] == "SpanKind.INTERNAL"]
    assert not [n for n in twins if n.split(" ")[0] in {"GET", "POST"} or "fastapi." in n]
    search = gateway_request("GET")
    assert [s["kind"] for s in search if service_of(s) == "registry"].count("SpanKind.SERVER") == 1
    assert any(
        service_of(s) == "registry" and s["attributes"].get("db.system") == "mongodb"
        for s in search
    )
    registration = gateway_request("POST")
    registered = slate.topic("client.registered")
    assert named(registration, "registry", f"{registered} publish")
    for consumer in ("loyalty", "surveys", "complaints"):
        assert named(registration, consumer, f"{registered} process"), consumer

    # No personal data in any span of any service.
    text = spans_file.read_text()
    assert PHONE_DIGITS[2:] not in text  # in no format: +49309182736, 030 9182736, ...
    assert client["card_number"] not in text
    assert NAME.split()[1] not in text
