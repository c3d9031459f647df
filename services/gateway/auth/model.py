"""The gateway's own domain: staff roles and the access policy.

The policy is pure: given a method and a route's path template it says who may call
it. Every router in `services.gateway.routes` (and the gateway's own API and console)
is guarded by it in one place, so a route added by another area is protected by
default: reads and writes need an operator, the overrides below ask for more.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from shared.problems import Invalid, NotAuthenticated, TooManyRequests


class Role(StrEnum):
    """Ordered: each role may do what the ones before it may."""

    operator = "operator"
    manager = "manager"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def covers(self, needed: Role) -> bool:
        return self.rank >= needed.rank


class Access(StrEnum):
    public = "public"  # health, metrics, login, the signed SMS webhook
    pos_key = "pos_key"  # POS systems: X-API-Key scoped to a store
    staff = "staff"  # a staff token or session with at least `role`


@dataclass(frozen=True)
class Rule:
    access: Access
    role: Role | None = None


PUBLIC_PATHS = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/sms/inbound"),
    ("GET", "/console/login"),
    ("POST", "/console/login"),
}
PUBLIC_PREFIXES = ("/static/",)

# (method glob, path glob, role): first match wins; anything unmatched needs an operator.
ROLE_OVERRIDES: tuple[tuple[str, str, Role], ...] = (
    ("*", "/api/v1/audit*", Role.admin),
    ("*", "/api/v1/users*", Role.admin),
    ("*", "/api/v1/pos-keys*", Role.admin),
    ("*", "/api/v1/dlq*", Role.admin),
    ("*", "/console/admin*", Role.admin),
    ("POST", "/api/v1/categories*", Role.manager),
    ("PUT", "/api/v1/categories*", Role.manager),
    ("PATCH", "/api/v1/categories*", Role.manager),
    ("DELETE", "/api/v1/categories*", Role.manager),
    ("GET", "/api/v1/reports*", Role.manager),
    ("POST", "/api/v1/tags*", Role.manager),
    ("POST", "/api/v1/clients/{client_id}/{action}", Role.manager),  # merge, erase
    ("GET", "/api/v1/clients/{client_id}/export", Role.manager),
    ("POST", "/api/v1/complaints/{case_id}/goodwill", Role.manager),
    ("*", "/api/v1/problem-clients*", Role.manager),
    ("PUT", "/api/v1/surveys/templates*", Role.manager),
    ("PUT", "/api/v1/loyalty/rules*", Role.manager),
    ("POST", "/api/v1/loyalty/accounts/*/adjustments", Role.manager),
    ("GET", "/console/reports*", Role.manager),
)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@functools.lru_cache(maxsize=1024)  # asked on every request; the policy is fixed
def rule_for(method: str, path: str) -> Rule:
    """Who may call `method path` (`path` is the route's template, e.g. /clients/{id})."""
    method = method.upper()
    if (method, path) in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return Rule(Access.public)
    if method in {"HEAD", "OPTIONS"}:
        return rule_for("GET", path)
    if path.startswith("/api/v1/pos/"):
        return Rule(Access.pos_key)
    for method_glob, path_glob, role in ROLE_OVERRIDES:
        if fnmatch.fnmatchcase(method, method_glob) and fnmatch.fnmatchcase(path, path_glob):
            return Rule(Access.staff, role)
    return Rule(Access.staff, Role.operator)


def is_write(method: str) -> bool:
    return method.upper() in WRITE_METHODS


USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,62}$")
MIN_PASSWORD = 10


class InvalidCredentials(NotAuthenticated):
    """Unknown user, wrong password or a disabled account (never said which)."""

    def problem_detail(self) -> str:
        return "wrong username or password"

    def problem_headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class TooManyAttempts(TooManyRequests):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after_s}s", retry_after_s)


class WeakCredentials(Invalid):
    """A username or password that staff accounts may not have."""


def check_new_credentials(username: str, password: str) -> None:
    if not USERNAME.match(username):
        raise WeakCredentials(
            "username: 2-63 characters, lower-case letters, digits and . _ @ - only"
        )
    if len(password) < MIN_PASSWORD:
        raise WeakCredentials(f"password: at least {MIN_PASSWORD} characters")


class StaffUser(BaseModel):
    username: str
    role: Role
    active: bool = True
    created_at: datetime | None = None


@dataclass(frozen=True)
class Caller:
    """Who is calling: a staff member (`role` set) or a POS key (`store_id` set)."""

    who: str
    role: Role | None = None
    store_id: str | None = None
