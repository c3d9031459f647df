"""Signed tokens: a token that verified once is remembered, but only until it expires
and only for its own kind."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from services.gateway.auth.model import Role
from services.gateway.auth.security import TokenSigner
from services.gateway.config import GatewaySettings


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    signer = TokenSigner("s3cret")
    token = signer.issue("ada", Role.manager, ttl_s=1)
    first = signer.read(token, "api")
    again = signer.read(token, "api")
    time.sleep(max(0.0, signer._verified[token][1] - time.time()) + 0.05)  # past `exp`
    expired = signer.read(token, "api")
    assert first is not None and first.username == "ada" and first.role is Role.manager
    assert again == first
    assert expired is None


def test_a_remembered_token_is_still_only_good_for_its_kind() -> None:
    signer = TokenSigner("s3cret")
    session = signer.issue("ada", Role.operator, ttl_s=60, kind="session")
    assert signer.read(session, "session") is not None
    assert signer.read(session, "api") is None


def test_a_token_signed_with_another_secret_is_refused() -> None:
    forged = TokenSigner("other").issue("ada", Role.admin, ttl_s=60)
    signer = TokenSigner("s3cret")
    assert signer.read(forged, "api") is None
    assert signer.read(forged + "x", "api") is None


def test_a_short_token_secret_is_refused_at_start_with_a_message() -> None:
    with pytest.raises(ValidationError) as refused:
        GatewaySettings(token_secret="s3cret")
    assert "GATEWAY_TOKEN_SECRET is 6 bytes; use at least 32" in str(refused.value)
    assert GatewaySettings(token_secret="x" * 32).token_secret == "x" * 32
    assert GatewaySettings(token_secret="").token_secret == ""  # dev: a random one per process
