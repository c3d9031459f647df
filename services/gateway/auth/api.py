"""The gateway's own API for who may call: login, staff users and POS keys (admins).

Roles are not checked here: the guard applies the policy (`model.rule_for`) to these
routes like to every other router the gateway mounts.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from services.gateway.auth import handlers as handlers_auth
from services.gateway.auth.guard import caller
from services.gateway.auth.model import Caller
from services.gateway.auth.schemas import (
    Me,
    NewPosKey,
    NewUser,
    PosKeyCreated,
    PosKeyInfo,
    TokenResponse,
    UserChange,
    UserResponse,
)
from services.gateway.auth.security import hash_password
from services.gateway.bootstrap import Ctx
from shared.problems import NotFound

router = APIRouter(prefix="/api/v1")
Who = Annotated[Caller, Depends(caller)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/token", response_model=TokenResponse, tags=["auth"])
async def login(
    request: Request, rt: Ctx, form: Annotated[OAuth2PasswordRequestForm, Depends()]
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
async def list_users(rt: Ctx) -> list[UserResponse]:
    return [UserResponse(**u.model_dump()) for u in await rt.staff.list()]


@router.post("/users", response_model=UserResponse, status_code=201, tags=["admin"])
async def create_user(body: NewUser, rt: Ctx) -> UserResponse:
    user = await handlers_auth.create_user(rt.staff, body.username, body.password, body.role)
    return UserResponse(**user.model_dump())


@router.patch("/users/{username}", response_model=UserResponse, tags=["admin"])
async def change_user(username: str, body: UserChange, rt: Ctx) -> UserResponse:
    password_hash = hash_password(body.password) if body.password else None
    found = await rt.staff.update(
        username, role=body.role, active=body.active, password_hash=password_hash
    )
    user = await rt.staff.find(username) if found else None
    if user is None:
        raise NotFound(f"no staff user {username!r}")
    return UserResponse(**user[0].model_dump())


@router.get("/pos-keys", response_model=list[PosKeyInfo], tags=["admin"])
async def list_pos_keys(rt: Ctx) -> list[PosKeyInfo]:
    return [PosKeyInfo(**k) for k in await rt.pos_keys.list()]


@router.post("/pos-keys", response_model=PosKeyCreated, status_code=201, tags=["admin"])
async def create_pos_key(body: NewPosKey, rt: Ctx, who: Who) -> PosKeyCreated:
    key, doc = await handlers_auth.create_pos_key(rt.pos_keys, body.store_id, body.label, who.who)
    return PosKeyCreated(key=key, key_id=doc["key_id"], store_id=body.store_id)
