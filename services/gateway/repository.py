"""All MongoDB access of the gateway: staff users, POS keys, login throttle, audit log.

Users and keys are read by string `_id` (`user:<name>`, `poskey:<sha256>`) on every
request, the store's fastest path. The audit log is append-only; admins page it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.gateway.model import Role, StaffUser, TooManyAttempts

Db = AsyncDatabase[dict[str, Any]]


class UserExists(Exception):
    pass


class StaffRepository:
    def __init__(self, db: Db) -> None:
        self.users = db["staff_users"]

    async def create(self, username: str, password_hash: str, role: Role) -> StaffUser:
        user = StaffUser(username=username, role=role, created_at=datetime.now(UTC))
        try:
            await self.users.insert_one(
                {"_id": f"user:{username}", **user.model_dump(mode="json"), "hash": password_hash}
            )
        except DuplicateKeyError as exc:
            raise UserExists(f"user {username!r} already exists") from exc
        return user

    async def find(self, username: str) -> tuple[StaffUser, str] | None:
        doc = await self.users.find_one({"_id": f"user:{username}"})
        if doc is None:
            return None
        return StaffUser.model_validate(doc), str(doc["hash"])

    async def list(self) -> list[StaffUser]:
        # Few staff accounts: an admin listing may scan.
        return [StaffUser.model_validate(d) async for d in self.users.find({}).limit(1000)]

    async def update(
        self,
        username: str,
        *,
        role: Role | None = None,
        active: bool | None = None,
        password_hash: str | None = None,
    ) -> bool:
        changes: dict[str, Any] = {}
        if role is not None:
            changes["role"] = role.value
        if active is not None:
            changes["active"] = active
        if password_hash is not None:
            changes["hash"] = password_hash
        result = await self.users.update_one({"_id": f"user:{username}"}, {"$set": changes})
        return result.matched_count == 1


class PosKeyRepository:
    def __init__(self, db: Db) -> None:
        self.keys = db["pos_keys"]

    async def create(self, digest: str, store_id: str, label: str, by: str) -> dict[str, Any]:
        doc = {
            "_id": f"poskey:{digest}",
            "key_id": digest[:12],
            "store_id": store_id,
            "label": label,
            "created_by": by,
            "created_at": datetime.now(UTC),
            "active": True,
        }
        await self.keys.insert_one(doc)
        return doc

    async def find(self, digest: str) -> dict[str, Any] | None:
        doc = await self.keys.find_one({"_id": f"poskey:{digest}"})
        return doc if doc and doc.get("active") else None

    async def list(self) -> list[dict[str, Any]]:
        return [d async for d in self.keys.find({}, {"_id": 0}).limit(1000)]


class LoginThrottle:
    """Failed logins per username+IP in a fixed window, kept in the store so every
    gateway replica sees them. FerretDB does not make concurrent `$inc`s on one
    document atomic, so a burst of parallel guesses may undercount by a few: the
    limit is a brake on guessing, not an exact quota."""

    def __init__(self, db: Db, max_failures: int, window_s: int) -> None:
        self.attempts = db["login_attempts"]
        self.max_failures = max_failures
        self.window = timedelta(seconds=window_s)

    @staticmethod
    def _key(username: str, ip: str) -> str:
        return f"login:{username}:{ip}"

    async def check(self, username: str, ip: str) -> None:
        doc = await self.attempts.find_one({"_id": self._key(username, ip)})
        if doc is None or doc["failures"] < self.max_failures:
            return
        ends = doc["window_start"] + self.window
        left = (ends - datetime.now(UTC)).total_seconds()
        if left > 0:
            raise TooManyAttempts(int(left) + 1)

    async def failed(self, username: str, ip: str) -> None:
        key, now = self._key(username, ip), datetime.now(UTC)
        doc = await self.attempts.find_one({"_id": key})
        if doc is None or doc["window_start"] + self.window <= now:
            await self.attempts.replace_one(
                {"_id": key}, {"window_start": now, "failures": 1}, upsert=True
            )
        else:
            await self.attempts.update_one({"_id": key}, {"$inc": {"failures": 1}})

    async def succeeded(self, username: str, ip: str) -> None:
        await self.attempts.delete_one({"_id": self._key(username, ip)})


class AuditLog:
    def __init__(self, db: Db) -> None:
        self.entries = db["audit_log"]

    async def record(self, entry: dict[str, Any]) -> None:
        at = datetime.now(UTC)
        # A time-ordered id: newest first is a sort on `_id`.
        entry_id = f"{at.strftime('%Y%m%dT%H%M%S%f')}-{uuid4().hex[:8]}"
        await self.entries.insert_one({"_id": entry_id, "at": at, **entry})

    async def page(self, limit: int, before: str | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"_id": {"$lt": before}} if before else {}
        cursor = self.entries.find(query).sort("_id", DESCENDING).limit(limit)
        return [{"id": d.pop("_id"), **d} async for d in cursor]


async def ensure_indexes(db: Db) -> None:
    await db["audit_log"].create_index([("who", 1)])
