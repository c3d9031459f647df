"""The inbound SMS webhook's signature scheme (documented in docs/surveys.md).

Header `X-Clientele-Signature: t=<unix seconds>,v1=<hex>` where
`hex = HMAC-SHA256(SURVEYS_WEBHOOK_SECRET, "<t>." + raw request body)`. A signature
older or newer than the tolerance is refused too, so a captured request cannot be
replayed later.
"""

from __future__ import annotations

import hashlib
import hmac

from shared.problems import NotAuthenticated

HEADER = "X-Clientele-Signature"


class BadSignature(NotAuthenticated):
    def problem_detail(self) -> str:
        return f"signature refused: {self}"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, body: bytes, header: str | None, now: float, tolerance_s: int) -> None:
    if not header:
        raise BadSignature(f"the {HEADER} header is missing")
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError) as exc:
        raise BadSignature(f"the {HEADER} header is not 't=<unix>,v1=<hex>'") from exc
    if abs(now - timestamp) > tolerance_s:
        raise BadSignature("the signature timestamp is outside the allowed window")
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given):
        raise BadSignature("the signature does not match the body")
