"""The raw baseline for HTTP benchmarks: bare FastAPI routes, served exactly like a
service (`shared.service.serve`'s uvicorn settings), with no store and no upstream."""

from __future__ import annotations

import os
from typing import Any

import uvicorn
from fastapi import FastAPI

app = FastAPI()
CARD = {"id": "c-1", "name": "Ada Lovelace", "phone": "+49301234567", "card_number": "4000"}


@app.get("/constant/{client_id}")
async def constant(client_id: str) -> dict[str, Any]:
    return CARD


@app.post("/constant", status_code=201)
async def accept(body: dict[str, Any]) -> dict[str, Any]:
    return {"id": "c-1", **body}


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["BENCH_BARE_PORT"]),
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=15,
    )
