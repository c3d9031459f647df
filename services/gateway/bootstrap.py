"""The gateway's one Context: settings, repositories, the token signer, the audit log,
the card view and the upstream clients, built once at start by `bootstrap`.

The guard, the audit middleware and the jobs read it from the app's `ContextSlot`;
routes get it as the `Ctx` dependency.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.gateway.audit.repository import AuditLog
from services.gateway.auth.repository import (
    LoginThrottle,
    PosKeyRepository,
    Recent,
    StaffRepository,
)
from services.gateway.auth.security import TokenSigner
from services.gateway.clients.repository import CardViews
from services.gateway.config import GatewaySettings
from services.gateway.upstream import Upstreams
from shared.context import context_dependency, context_reader
from shared.logging import get_logger
from shared.service import ServiceRuntime

log = get_logger(__name__)


@dataclass(frozen=True)
class Context:
    """Everything a gateway route, guard or job works with, built once at start."""

    settings: GatewaySettings
    staff: StaffRepository
    pos_keys: PosKeyRepository
    throttle: LoginThrottle
    audit: AuditLog
    signer: TokenSigner
    upstreams: Upstreams
    cards: CardViews


def bootstrap(settings: GatewaySettings, runtime: ServiceRuntime) -> Context:
    """The gateway's Context over the store `runtime` opened (build_app's on_start)."""
    db = runtime.db
    return Context(
        settings=settings,
        staff=StaffRepository(db, Recent(settings.auth_cache_s)),
        pos_keys=PosKeyRepository(db, Recent(settings.auth_cache_s)),
        throttle=LoginThrottle(db, settings.login_max_failures, settings.login_window_s),
        audit=AuditLog(db),
        signer=TokenSigner(_secret(settings)),
        cards=CardViews(db),
        upstreams=Upstreams(settings.upstream_urls(), settings.upstream_timeout_s,
                            settings.card_timeout_s),
    )  # fmt: skip


def _secret(settings: GatewaySettings) -> str:
    if settings.token_secret:
        return settings.token_secret
    log.warning(
        "token_secret_generated",
        detail="GATEWAY_TOKEN_SECRET is not set: using a random secret for this process "
        "(dev/test only; tokens and sessions end when it stops, replicas reject each other's)",
    )
    return secrets.token_urlsafe(32)


context_in = context_reader(Context)
context_of = context_dependency(Context)


Ctx = Annotated[Context, Depends(context_of)]
