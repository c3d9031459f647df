"""The gateway's store access for who may call: staff users, POS keys, login throttle.

Users and keys are read by string `_id` (`user:<name>`, `poskey:<sha256>`), the
store's fastest path, and the guard remembers what it read for a moment (`Recent`, a
cachetools TTL cache): every request used to cost a store round trip. The audit log
is `audit/repository.py`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from cachetools import TTLCache
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.gateway.auth.model import Role, StaffUser, TooManyAttempts
from shared.logging import get_logger
from shared.problems import Conflict

log = get_logger(__name__)

Db = AsyncDatabase[dict[str, Any]]


class UserExists(Conflict):
    pass


V = TypeVar("V")


class Recent(TTLCache[str, V]):
    """Values read from the store, trusted for `ttl_s` seconds (0: never kept).

    Only found values are kept (callers `put` what they found; an unknown name or key
    is asked again). A write through this process forgets its key at once; other
    processes' writes show within `ttl_s`. Full (a flood of distinct keys): the least
    recently used go first, it never grows past `size`.
    """

    def __init__(
        self, ttl_s: float, clock: Callable[[], float] = time.monotonic, size: int = 10_000
    ) -> None:
        super().__init__(size, ttl_s, timer=clock)

    def put(self, key: str, value: V) -> None:
        if self.ttl > 0:  # 0: not even for the instant until the next write
            self[key] = value

    def forget(self, key: str) -> None:
        self.pop(key, None)

    async def get_or_read(self, key: str, read: Callable[[str], Awaitable[V | None]]) -> V | None:
        """The remembered value, else `read(key)` (kept if found)."""
        found = self.get(key)
        if found is None:
            found = await read(key)
            if found is not None:
                self.put(key, found)
        return found


class StaffRepository:
    def __init__(self, db: Db, recent: Recent[tuple[StaffUser, str]] | None = None) -> None:
        self.users = db["staff_users"]
        self.recent: Recent[tuple[StaffUser, str]] = Recent(0) if recent is None else recent

    async def create(self, username: str, password_hash: str, role: Role) -> StaffUser:
        user = StaffUser(username=username, role=role, created_at=datetime.now(UTC))
        try:
            await self.users.insert_one(
                {"_id": f"user:{username}", **user.model_dump(mode="json"), "hash": password_hash}
            )
        except DuplicateKeyError as exc:
            raise UserExists(f"user {username!r} already exists") from exc
        self.recent.forget(username)
        return user

    async def find(self, username: str) -> tuple[StaffUser, str] | None:
        doc = await self.users.find_one({"_id": f"user:{username}"})
        if doc is None:
            return None
        return StaffUser.model_validate(doc), str(doc["hash"])

    async def find_cached(self, username: str) -> tuple[StaffUser, str] | None:
        """`find`, answered from memory for a moment (the guard's read on every request)."""
        return await self.recent.get_or_read(username, self.find)

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
        self.recent.forget(username)
        try:
            result = await self.users.update_one({"_id": f"user:{username}"}, {"$set": changes})
        finally:
            self.recent.forget(username)  # a guard may have read the old one meanwhile
        return result.matched_count == 1


class PosKeyRepository:
    def __init__(self, db: Db, recent: Recent[dict[str, Any]] | None = None) -> None:
        self.keys = db["pos_keys"]
        self.recent: Recent[dict[str, Any]] = Recent(0) if recent is None else recent

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

    async def find_cached(self, digest: str) -> dict[str, Any] | None:
        return await self.recent.get_or_read(digest, self.find)

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
