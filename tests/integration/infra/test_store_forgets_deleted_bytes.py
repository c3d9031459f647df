"""Deleted personal data does not linger in the local store's files.

A private FerretDB (`infra/local.sh up-store` on a free port and a state dir of its
own, so the shared store is untouched) holds a client document and its `phone:` lookup,
as the registry writes them; after the erasure's writes (the phone unset, the lookup
deleted) and one later write to the same database, no SQLite file under the data dir
(database, WAL, shared memory) contains the phone's bytes.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from tests.support.infra import ROOT
from tests.support.processes import free_port

PHONE = "+4930777123456"


@pytest.fixture
def private_store(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    env = {**os.environ, "CLIENTELE_INFRA_DIR": str(tmp_path), "MONGO_PORT": str(free_port())}

    def local(command: str) -> None:
        script = str(ROOT / "infra" / "local.sh")
        subprocess.run(["bash", script, command], env=env, check=True, timeout=300)

    local("up-store")
    try:
        yield f"mongodb://127.0.0.1:{env['MONGO_PORT']}", tmp_path / "ferretdb" / "data"
    finally:
        local("stop-store")


def files_holding(data_dir: Path, needle: bytes) -> list[str]:
    return sorted(f.name for f in data_dir.iterdir() if f.is_file() and needle in f.read_bytes())


async def test_erased_phone_is_in_no_file_of_the_store(private_store: tuple[str, Path]) -> None:
    url, data_dir = private_store
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    try:
        db = client["registry"]
        await db.clients.insert_one({"_id": "c1", "name": "Ada", "phones": [PHONE]})
        await db.lookups.insert_one({"_id": f"phone:{PHONE}", "client_id": "c1"})
        await db.lookups.insert_many([{"_id": f"card:{n}", "client_id": "x"} for n in range(50)])
        assert files_holding(data_dir, PHONE.encode()) != []  # the scan can see it

        await db.clients.update_one({"_id": "c1"}, {"$set": {"name": "", "phones": []}})
        await db.lookups.delete_one({"_id": f"phone:{PHONE}"})
        await db.clients.insert_one({"_id": "c2", "name": "later"})
    finally:
        await client.close()

    assert files_holding(data_dir, PHONE.encode()) == []
    assert files_holding(data_dir, b"later") != []
