"""The access policy and the secrets, without any I/O."""

from __future__ import annotations

import pytest

from services.gateway.auth.model import Access, Role, Rule, rule_for
from services.gateway.auth.security import TokenSigner, hash_password, verify_password


@pytest.mark.parametrize(
    ("method", "path", "rule"),
    [
        ("GET", "/healthz", Rule(Access.public)),
        ("POST", "/api/v1/auth/token", Rule(Access.public)),
        ("POST", "/api/v1/sms/inbound", Rule(Access.public)),
        ("GET", "/api/v1/sms/inbound", Rule(Access.staff, Role.operator)),
        ("GET", "/api/v1/clients/{client_id}", Rule(Access.staff, Role.operator)),
        ("POST", "/api/v1/clients", Rule(Access.staff, Role.operator)),
        ("GET", "/api/v1/categories", Rule(Access.staff, Role.operator)),
        ("POST", "/api/v1/categories", Rule(Access.staff, Role.manager)),
        ("GET", "/api/v1/reports/nps", Rule(Access.staff, Role.manager)),
        ("GET", "/api/v1/audit", Rule(Access.staff, Role.admin)),
        ("GET", "/api/v1/dlq/{topic}", Rule(Access.staff, Role.admin)),
        ("POST", "/api/v1/users", Rule(Access.staff, Role.admin)),
        ("POST", "/api/v1/pos/quote", Rule(Access.pos_key)),
        ("PUT", "/api/v1/loyalty/rules/{category}", Rule(Access.staff, Role.manager)),
        (
            "POST",
            "/api/v1/loyalty/accounts/{client_id}/adjustments",
            Rule(Access.staff, Role.manager),
        ),
        ("POST", "/api/v1/clients/{client_id}/{action}", Rule(Access.staff, Role.manager)),
        ("POST", "/api/v1/complaints/{case_id}/status", Rule(Access.staff, Role.operator)),
        ("POST", "/api/v1/complaints/{case_id}/goodwill", Rule(Access.staff, Role.manager)),
        ("GET", "/api/v1/some-area-added-later", Rule(Access.staff, Role.operator)),
    ],
)
def test_each_route_needs_what_the_policy_says(method: str, path: str, rule: Rule) -> None:
    assert rule_for(method, path) == rule


def test_roles_are_ordered_operator_manager_admin() -> None:
    assert Role.admin.covers(Role.manager) and Role.manager.covers(Role.operator)
    assert not Role.operator.covers(Role.manager)
    assert not Role.manager.covers(Role.admin)


def test_password_hash_is_argon2_and_checks_the_password() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "wrong horse battery")
    assert not verify_password(None, "anything at all")


def test_a_token_is_refused_when_forged_expired_or_of_another_kind() -> None:
    signer = TokenSigner("s" * 32)
    token = signer.issue("ada", Role.manager, ttl_s=60)
    claims = signer.read(token, "api")
    assert claims is not None and claims.username == "ada" and claims.role is Role.manager
    assert signer.read(token, "session") is None
    assert TokenSigner("x" * 32).read(token, "api") is None
    assert signer.read(signer.issue("ada", Role.admin, ttl_s=-5), "api") is None
