"""The one error table: domain errors -> HTTP status, RFC 9457 problem documents, and a
service's refusal passed on by the gateway.

A domain error subclasses one kind below (`NotFound`, `Conflict`, `Invalid`, ...);
`STATUSES` gives each kind its status, and `add_error_table(app)` answers every
domain error with it: a service answers `{"detail": ..., **fields}`, the gateway
(`problem_json=True`) a problem document. A service never needs an `HTTPException`.

The members `type`, `title`, `status`, `detail` and `instance` belong to the problem
document; a field a service adds (allowed transitions, `existing_client_id`, ...) rides
along beside them. A service's own `status` field names a state (a case's `new`, a
client's `merged`), not an HTTP status, so it is passed on as `current_status`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.responses import Response

PROBLEM_JSON = "application/problem+json"
RESERVED = frozenset({"type", "title", "status", "detail", "instance"})
CUT_AT = 100  # characters of a caller's value an error message may echo
MAX_ERRORS = 20  # validation errors listed in one answer

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


def cut(value: Any, limit: int = CUT_AT) -> Any:
    """`value` as it was if short, else its first `limit` characters (as text) and `…`:
    an error answer never echoes a large input back."""
    text = value if isinstance(value, str) else json.dumps(jsonable_encoder(value), default=str)
    return value if len(text) <= limit else text[:limit] + "…"


def cut_errors(errors: Sequence[Any]) -> list[Any]:
    """Validation errors with every echoed value (input, context, location) cut, at most
    `MAX_ERRORS` of them (a body of 100,000 unknown fields is 100,000 errors)."""
    kept: list[Any] = []
    for error in jsonable_encoder(list(errors[:MAX_ERRORS])):
        if isinstance(error, dict):
            error = {k: _cut_member(k, v) for k, v in error.items()}
        kept.append(error)
    return kept


def _cut_member(key: str, value: Any) -> Any:
    if key == "loc" and isinstance(value, list):
        return [cut(part) for part in value]
    return cut(value, 300) if key == "msg" else cut(value)


def from_upstream(status: int, body: Any) -> dict[str, Any]:
    """A service's refusal (`{"detail": ..., **fields}`, any JSON) as our problem document:
    the same status, detail and fields; a validation error list becomes `errors`."""
    fields = dict(body) if isinstance(body, dict) else {"detail": body}
    detail = fields.pop("detail", None)
    state = fields.pop("status", None)
    if state is not None and state != status:
        fields["current_status"] = state
    if isinstance(detail, list):
        fields["errors"] = cut_errors(detail)
        detail = describe_errors(fields["errors"])
    elif not isinstance(detail, str):
        detail = "the request was refused" if detail is None else str(detail)
    return problem_body(status, detail, fields)


def upstream_problem(status: int, body: Any) -> JSONResponse:
    return JSONResponse(from_upstream(status, body), status_code=status, media_type=PROBLEM_JSON)


class DomainError(Exception):
    """A refusal the caller can act on; its kind (the subclass) decides the status."""

    def problem_detail(self) -> str:
        """What the caller reads; by default the message the error was raised with."""
        return str(self)

    def problem_fields(self) -> dict[str, Any]:
        """Fields beside `detail` (say, where a case may go from here)."""
        return {}

    def problem_headers(self) -> dict[str, str]:
        return {}

    def problem_status(self) -> int:
        for kind in type(self).__mro__:
            if kind in STATUSES:
                return STATUSES[kind]
        return 400


class BadRequest(DomainError):
    """The request cannot be read at all."""


class NotAuthenticated(DomainError):
    """Who sent it is not known (no or a wrong signature, token, password)."""


class Forbidden(DomainError):
    """Known, but not allowed to do this."""


class NotFound(DomainError, LookupError):
    """What the request names does not exist (still a `LookupError` to old callers)."""


class Conflict(DomainError):
    """The request is fine but the state of what it names refuses it."""


class TooLarge(DomainError):
    """The request body is larger than this service accepts."""


class Invalid(DomainError, ValueError):
    """A value is not acceptable; the message says which and why."""


class TooManyRequests(DomainError):
    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s

    def problem_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class UpstreamFailed(DomainError):
    """A service this one asked failed in a way the caller cannot fix."""


class Unavailable(DomainError):
    """Something this answer needs does not answer now; try again."""


STATUSES: dict[type[DomainError], int] = {
    BadRequest: 400,
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    Invalid: 422,
    TooManyRequests: 429,
    UpstreamFailed: 502,
    Unavailable: 503,
}


def answer(exc: DomainError, *, problem_json: bool = False) -> JSONResponse:
    """The answer to a domain error: a service's `{"detail", **fields}`, or (gateway)
    the problem document."""
    status, detail, fields = exc.problem_status(), exc.problem_detail(), exc.problem_fields()
    if problem_json:
        return problem(status, detail, fields, headers=exc.problem_headers())
    return JSONResponse(
        {"detail": detail, **fields}, status_code=status, headers=exc.problem_headers()
    )


def too_large(limit: object) -> JSONResponse:
    """The 413 of the body limit (shared/http_middleware.py)."""
    said = f" of {limit} bytes" if isinstance(limit, int) else ""
    return problem(413, f"the request body is larger than the limit{said}")


def add_error_table(app: FastAPI, *, problem_json: bool = False) -> None:
    """Answer every `DomainError` raised in `app`'s routes from the table, a too large
    body with a 413 problem, and (services) validation errors without large echoes."""

    async def domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        return answer(exc, problem_json=problem_json)

    async def body_too_large(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return too_large(request.scope.get(MAX_BODY_SIZE_SCOPE_KEY))

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse({"detail": cut_errors(exc.errors())}, status_code=422)

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(413, body_too_large)
    if not problem_json:  # the gateway says its validation errors as problem documents
        app.add_exception_handler(RequestValidationError, invalid_request)
