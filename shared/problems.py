"""Errors as answers: RFC 9457 problem documents, and a service's refusal passed on.

The members `type`, `title`, `status`, `detail` and `instance` belong to the problem
document; a field a service adds (allowed transitions, `existing_client_id`, ...) rides
along beside them. A service's own `status` field names a state (a case's `new`, a
client's `merged`), not an HTTP status, so it is passed on as `current_status`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"
RESERVED = frozenset({"type", "title", "status", "detail", "instance"})

TITLES: dict[int, str] = {
    400: "Bad request",
    401: "Not logged in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    422: "Invalid request",
    429: "Too many attempts",
    500: "Internal error",
    502: "Upstream error",
    503: "Service unavailable",
}


def title_of(status: int) -> str:
    return TITLES.get(status, "Request refused")


def problem_body(
    status: int, detail: str, extra: Mapping[str, Any] | None = None, title: str | None = None
) -> dict[str, Any]:
    """The document; `extra` may not replace its own members (they are dropped)."""
    fields = {k: v for k, v in (extra or {}).items() if k not in RESERVED}
    return {
        "type": "about:blank",
        "title": title or title_of(status),
        "status": status,
        "detail": detail,
        **fields,
    }


def problem(
    status: int,
    detail: str,
    extra: Mapping[str, Any] | None = None,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, detail, extra, title),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


def describe_errors(errors: list[Any]) -> str:
    """One sentence for a list of validation errors (`field: message; ...`)."""
    said = [
        f"{'.'.join(str(p) for p in e.get('loc', [])[1:]) or 'body'}: {e.get('msg')}"
        for e in errors
        if isinstance(e, dict)
    ]
    return "; ".join(said) or "the request is not valid"


def from_upstream(status: int, body: Any) -> dict[str, Any]:
    """A service's refusal (`{"detail": ..., **fields}`, any JSON) as our problem document:
    the same status, detail and fields; a validation error list becomes `errors`."""
    fields = dict(body) if isinstance(body, dict) else {"detail": body}
    detail = fields.pop("detail", None)
    state = fields.pop("status", None)
    if state is not None and state != status:
        fields["current_status"] = state
    if isinstance(detail, list):
        fields["errors"] = detail
        detail = describe_errors(detail)
    elif not isinstance(detail, str):
        detail = "the request was refused" if detail is None else str(detail)
    return problem_body(status, detail, fields)


def upstream_problem(status: int, body: Any) -> JSONResponse:
    return JSONResponse(from_upstream(status, body), status_code=status, media_type=PROBLEM_JSON)
