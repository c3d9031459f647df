"""The raw baselines for HTTP benchmarks, served exactly like a service
(`shared.service.serve`'s uvicorn settings), in one process.

- `GET /constant/{id}`, `POST /constant`: no store, no upstream (the floor);
- `GET /lookup/{id}` (issue 15): the bearer token checked as the gateway does
  (`TokenSigner`), then ONE `find_one` by `_id` on the same store;
- `POST /register` (issue 15): the token, then ONE `insert_one` and ONE send to Kafka
  with `acks=all` (idempotent producer), as the least a registration can do.

Store and Kafka come from `MONGODB_URL`, `BENCH_BARE_DB`, `KAFKA_BOOTSTRAP_SERVERS`
and `BENCH_BARE_TOPIC`; the token secret from `GATEWAY_TOKEN_SECRET`.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI, HTTPException, Request
from pymongo import AsyncMongoClient

from services.gateway.auth.security import TokenSigner

CARD = {"id": "c-1", "name": "Ada Lovelace", "phone": "+49301234567", "card_number": "4000"}
state: dict[str, Any] = {}


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27017")
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        enable_idempotence=True,
        acks="all",
    )
    await producer.start()
    state["docs"] = mongo[os.environ.get("BENCH_BARE_DB", "bench_bare")]["docs"]
    state["producer"] = producer
    state["signer"] = TokenSigner(os.environ.get("GATEWAY_TOKEN_SECRET", "bench-secret"))
    try:
        yield
    finally:
        await producer.stop()
        await mongo.close()


app = FastAPI(lifespan=lifespan)


def authorised(request: Request) -> None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or state["signer"].read(token.strip(), "api") is None:
        raise HTTPException(401, "log in first")


@app.get("/constant/{client_id}")
async def constant(client_id: str) -> dict[str, Any]:
    return CARD


@app.post("/constant", status_code=201)
async def accept(body: dict[str, Any]) -> dict[str, Any]:
    return {"id": "c-1", **body}


@app.get("/lookup/{key}")
async def lookup(key: str, request: Request) -> dict[str, Any]:
    authorised(request)
    found = await state["docs"].find_one({"_id": f"card:{key}"})
    if found is None:
        raise HTTPException(404, "no such card")
    return {"items": [found]}


@app.post("/register", status_code=201)
async def register(body: dict[str, Any], request: Request) -> dict[str, Any]:
    authorised(request)
    doc = {"_id": uuid4().hex, **body}
    await state["docs"].insert_one(doc)
    await state["producer"].send_and_wait(
        os.environ.get("BENCH_BARE_TOPIC", "bench.bare.registered"),
        json.dumps(doc).encode(),
        key=doc["_id"].encode(),
    )
    return doc


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["BENCH_BARE_PORT"]),
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=15,
    )
