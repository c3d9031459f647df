"""Staff accounts and POS keys: log in (throttled), create users, the first admin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from services.gateway.auth.model import (
    InvalidCredentials,
    Role,
    StaffUser,
    check_new_credentials,
)
from services.gateway.auth.repository import PosKeyRepository, StaffRepository, UserExists
from services.gateway.auth.security import (
    hash_password,
    new_pos_key,
    pos_key_digest,
    verify_password,
)
from shared.logging import get_logger

if TYPE_CHECKING:
    from services.gateway.bootstrap import Context

log = get_logger(__name__)


async def log_in(rt: Context, username: str, password: str, ip: str) -> StaffUser:
    """The user, if the password is right; refuses while the user+IP is throttled."""
    username = username.strip().lower()
    await rt.throttle.check(username, ip)
    found = await rt.staff.find(username)
    ok = verify_password(found[1] if found else None, password)
    if found is None or not ok or not found[0].active:
        await rt.throttle.failed(username, ip)
        log.info("login_refused", username=username, ip=ip)
        await rt.audit.record(_login_entry(username, ip, 401, "denied"))
        raise InvalidCredentials(username)
    await rt.throttle.succeeded(username, ip)
    await rt.audit.record(_login_entry(username, ip, 200, "ok"))
    return found[0]


def _login_entry(username: str, ip: str, status: int, result: str) -> dict[str, Any]:
    return {
        "who": username,
        "role": None,
        "store_id": None,
        "action": "login",
        "path": "/api/v1/auth/token",
        "params": {"ip": ip},
        "status": status,
        "result": result,
    }


async def create_user(
    staff: StaffRepository, username: str, password: str, role: Role
) -> StaffUser:
    username = username.strip().lower()
    check_new_credentials(username, password)
    return await staff.create(username, hash_password(password), role)


async def ensure_first_admin(staff: StaffRepository, username: str, password: str) -> None:
    """Create the admin named by CLIENTELE_ADMIN_USERNAME once; never overwrite it."""
    if not username or not password:
        return
    try:
        await create_user(staff, username, password, Role.admin)
        log.info("first_admin_created", username=username)
    except UserExists:
        return


async def create_pos_key(
    keys: PosKeyRepository, store_id: str, label: str, by: str
) -> tuple[str, dict[str, Any]]:
    key = new_pos_key()
    doc = await keys.create(pos_key_digest(key), store_id, label, by)
    return key, doc
