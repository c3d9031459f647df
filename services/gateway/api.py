"""The gateway's own API: login, staff users, POS keys (admins), the audit log, DLQs.

Roles are not checked here: the guard applies the policy (`model.rule_for`) to these
routes like to every other router the gateway mounts.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import OAuth2PasswordRequestForm

from services.gateway import handlers_auth
from services.gateway.auth import GatewayRuntime, caller, gateway
from services.gateway.dead_letter_view import (
    BadCursor,
    UnknownTopic,
    dlq_topics,
    parse_cursor,
    read_letters,
)
from services.gateway.model import Caller
from services.gateway.schemas import (
    AuditPage,
    DeadLetters,
    Me,
    NewPosKey,
    NewUser,
    PosKeyCreated,
    PosKeyInfo,
    TokenResponse,
    UserChange,
    UserResponse,
)
from services.gateway.security import hash_password
from shared.problems import Invalid, NotFound, Unavailable

router = APIRouter(prefix="/api/v1")
Runtime = Annotated[GatewayRuntime, Depends(gateway)]
Who = Annotated[Caller, Depends(caller)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/token", response_model=TokenResponse, tags=["auth"])
async def login(
    request: Request, rt: Runtime, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenResponse:
    """OAuth2 password flow: a short-lived bearer token for a staff member."""
    user = await handlers_auth.log_in(rt, form.username, form.password, client_ip(request))
    token = rt.signer.issue(user.username, user.role, rt.settings.token_ttl_s)
    return TokenResponse(access_token=token, expires_in=rt.settings.token_ttl_s, role=user.role)


@router.get("/auth/me", response_model=Me, tags=["auth"])
async def me(who: Who) -> Me:
    assert who.role is not None
    return Me(username=who.who, role=who.role)


@router.get("/users", response_model=list[UserResponse], tags=["admin"])
async def list_users(rt: Runtime) -> list[UserResponse]:
    return [UserResponse(**u.model_dump()) for u in await rt.staff.list()]


@router.post("/users", response_model=UserResponse, status_code=201, tags=["admin"])
async def create_user(body: NewUser, rt: Runtime) -> UserResponse:
    user = await handlers_auth.create_user(rt.staff, body.username, body.password, body.role)
    return UserResponse(**user.model_dump())


@router.patch("/users/{username}", response_model=UserResponse, tags=["admin"])
async def change_user(username: str, body: UserChange, rt: Runtime) -> UserResponse:
    password_hash = hash_password(body.password) if body.password else None
    found = await rt.staff.update(
        username, role=body.role, active=body.active, password_hash=password_hash
    )
    user = await rt.staff.find(username) if found else None
    if user is None:
        raise NotFound(f"no staff user {username!r}")
    return UserResponse(**user[0].model_dump())


@router.get("/pos-keys", response_model=list[PosKeyInfo], tags=["admin"])
async def list_pos_keys(rt: Runtime) -> list[PosKeyInfo]:
    return [PosKeyInfo(**k) for k in await rt.pos_keys.list()]


@router.post("/pos-keys", response_model=PosKeyCreated, status_code=201, tags=["admin"])
async def create_pos_key(body: NewPosKey, rt: Runtime, who: Who) -> PosKeyCreated:
    key, doc = await handlers_auth.create_pos_key(rt.pos_keys, body.store_id, body.label, who.who)
    return PosKeyCreated(key=key, key_id=doc["key_id"], store_id=body.store_id)


@router.get("/audit", response_model=AuditPage, tags=["admin"])
async def audit_log(
    rt: Runtime,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[str | None, Query(max_length=64)] = None,
    client_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> AuditPage:
    """Staff writes and reads of clients, newest first; page with `before=<next_before>`.
    With `client_id`: who looked at or changed this client in the last `months` months."""
    if client_id is not None:
        about = await rt.audit.about_client(client_id, months)
        return AuditPage.model_validate({"entries": about, "next_before": None})
    entries = await rt.audit.page(limit, before)
    next_before = entries[-1]["id"] if len(entries) == limit else None
    return AuditPage.model_validate({"entries": entries, "next_before": next_before})


@router.get("/dlq", response_model=list[str], tags=["admin"])
async def list_dead_letter_topics(rt: Runtime) -> list[str]:
    try:
        return await dlq_topics(rt.settings.kafka_bootstrap_servers, rt.settings.topic_prefix)
    except Exception as exc:
        raise Unavailable(f"Kafka does not answer: {type(exc).__name__}") from exc


@router.get("/dlq/{topic}", response_model=DeadLetters, tags=["admin"])
async def read_dead_letters(
    topic: str,
    rt: Runtime,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[str | None, Query(max_length=2000)] = None,
) -> DeadLetters:
    """The newest letters of one `<topic>.dlq` (logical name, e.g. `purchase.recorded.dlq`)
    on every partition, newest first; page with `before=<next_before>`."""
    if not topic.endswith(".dlq"):
        raise Invalid("topic: name a dead-letter topic ending in .dlq")
    settings = rt.settings
    try:
        page = await read_letters(
            settings.kafka_bootstrap_servers, settings.topic_prefix + topic, limit,
            parse_cursor(before),
        )  # fmt: skip
    except BadCursor as exc:
        raise Invalid(str(exc)) from exc
    except UnknownTopic as exc:
        raise NotFound(f"no dead-letter topic {topic!r}") from exc
    except Exception as exc:
        raise Unavailable(f"Kafka does not answer: {type(exc).__name__}") from exc
    body = {"topic": topic, "letters": page.letters, "held": page.held}
    return DeadLetters.model_validate(body | {"next_before": page.next_before})
