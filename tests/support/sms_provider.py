"""A fake SMS provider for tests: a real HTTP server on a free port that records requests.

It answers like a commercial SMS API (form POST, basic auth, JSON `{"id": ...}`), and
can be told to fail the next N requests with a status code.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.processes import free_port


@dataclass
class FakeSmsProvider:
    port: int
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    attempts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"

    async def _sms(self, request: Request) -> JSONResponse:
        self.attempts += 1
        if self.fail_next:
            return JSONResponse({"error": "try later"}, status_code=self.fail_next.pop(0))
        form = dict(await request.form())
        auth = request.headers.get("authorization", "")
        user = ""
        if auth.startswith("Basic "):
            user = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
        self.received.append({**form, "user": user})
        return JSONResponse({"id": f"fake-{len(self.received)}", "status": "queued"})

    def texts_to(self, phone: str) -> list[str]:
        return [str(m["text"]) for m in self.received if m.get("to") == phone]


@contextlib.asynccontextmanager
async def fake_sms_provider() -> AsyncIterator[FakeSmsProvider]:
    provider = FakeSmsProvider(free_port())
    app = Starlette(routes=[Route("/sms", provider._sms, methods=["POST"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=provider.port, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield provider
    finally:
        server.should_exit = True
        await task
