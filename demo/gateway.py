"""The demo's only door to the services: the gateway's JSON API, as staff and as the SMS
provider's webhook (signed like the provider signs it, docs/surveys.md)."""

from __future__ import annotations

import asyncio
import time
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import httpx

from services.surveys.answers.signature import HEADER, sign


class GatewayRefused(RuntimeError):
    def __init__(self, what: str, response: httpx.Response) -> None:
        super().__init__(f"{what}: HTTP {response.status_code} {response.text[:300]}")
        self.status = response.status_code


class Gateway:
    def __init__(self, url: str, concurrency: int = 8) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.AsyncClient(base_url=self.url, timeout=30)
        self.slots = asyncio.Semaphore(concurrency)  # a demo, not a load test

    async def __aenter__(self) -> Gateway:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.http.aclose()

    async def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """One request; a service still warming up (5xx, no answer) is asked again."""
        async with self.slots:
            for attempt in range(6):
                try:
                    response = await self.http.request(method, path, **kw)
                except httpx.TransportError:
                    if attempt == 5:
                        raise
                else:
                    if response.status_code < 500 or attempt == 5:
                        return response
                await asyncio.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")

    async def login(self, username: str, password: str) -> None:
        form = {"username": username, "password": password}
        r = await self.call("POST", "/api/v1/auth/token", data=form)
        if r.status_code != 200:
            raise GatewayRefused(f"login as {username!r}", r)
        self.http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    async def json(self, method: str, path: str, ok: tuple[int, ...] = (200,), **kw: Any) -> Any:
        r = await self.call(method, path, **kw)
        if r.status_code not in ok:
            raise GatewayRefused(f"{method} {path}", r)
        return r.json()

    async def register(self, body: dict[str, object]) -> dict[str, Any]:
        """The new client, or the one already registered with this phone (a re-run)."""
        r = await self.call("POST", "/api/v1/clients", json=body)
        if r.status_code == 409 and r.json().get("existing_client_id"):
            existing = r.json()["existing_client_id"]
            card: dict[str, Any] = await self.json("GET", f"/api/v1/clients/{existing}")
            return dict(card["client"])
        if r.status_code != 201:
            raise GatewayRefused("register a client", r)
        created: dict[str, Any] = r.json()
        return created

    async def search(self, q: str) -> list[dict[str, Any]]:
        found = await self.json("GET", "/api/v1/clients", params={"q": q})
        items = found.get("items") if isinstance(found, dict) else found
        return list(items or [])

    async def sms_reply(self, phone: str, text: str, reply_id: str, secret: str) -> str:
        """The provider's webhook call for one inbound SMS; returns what surveys made of it."""
        body = urlencode({"from": phone, "text": text, "id": reply_id}).encode()
        headers = {
            HEADER: sign(secret, body, int(time.time())),
            "content-type": "application/x-www-form-urlencoded",
        }
        r = await self.call("POST", "/api/v1/sms/inbound", content=body, headers=headers)
        if r.status_code != 200:
            raise GatewayRefused("the SMS webhook", r)
        return str(r.json()["status"])
