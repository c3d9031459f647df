"""The AsyncMongoClient factory (PyMongo's async API; Motor is end-of-life)."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from shared.store.command_count import StoreCommandCounter

# FerretDB 1.x gives each database 100 SQLite connections and an update holds one per
# statement until it ends (shared/store/bulk.py): a process stays well below that. A
# `maxPoolSize` in MONGODB_URL wins.
MAX_POOL_SIZE = 32


def create_mongo_client(url: str, app_name: str) -> AsyncMongoClient[dict[str, Any]]:
    """Create a client; it binds to the running event loop on first use."""
    pool: dict[str, Any] = {} if "maxpoolsize=" in url.lower() else {"maxPoolSize": MAX_POOL_SIZE}
    return AsyncMongoClient(
        url,
        **pool,
        appname=app_name,
        serverSelectionTimeoutMS=5000,
        connectTimeoutMS=5000,
        tz_aware=True,
        uuidRepresentation="standard",
        # Always on: it costs ~1 µs per command and answers "how many round trips?"
        # in production as well as in the capacity tests.
        event_listeners=[StoreCommandCounter(app_name)],
    )
