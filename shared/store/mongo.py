"""The AsyncMongoClient factory (PyMongo's async API; Motor is end-of-life)."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient


def create_mongo_client(url: str, app_name: str) -> AsyncMongoClient[dict[str, Any]]:
    """Create a client; it binds to the running event loop on first use."""
    return AsyncMongoClient(
        url,
        appname=app_name,
        serverSelectionTimeoutMS=5000,
        connectTimeoutMS=5000,
        tz_aware=True,
        uuidRepresentation="standard",
    )
