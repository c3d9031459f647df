"""The staff console: server-rendered pages (Jinja2) with HTMX for search as you type.

Pages call the services' internal APIs through the same upstream clients as the JSON
API, behind the same guard (a session cookie instead of a bearer token). A part whose
service does not answer, or has no such endpoint yet, is shown as unavailable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.gateway.auth import handlers as handlers_auth
from services.gateway.auth.api import client_ip
from services.gateway.auth.guard import SESSION_COOKIE, caller
from services.gateway.auth.model import Caller, InvalidCredentials, TooManyAttempts
from services.gateway.bootstrap import Ctx, context_in
from services.gateway.clients import handlers
from services.gateway.clients.model import UpstreamError
from services.gateway.console.format import day, ledger_row, when, zone
from services.gateway.console.view import as_list, field_errors
from services.gateway.upstream import UnsendableInput, UpstreamDown, actor_headers

HERE = Path(__file__).parent
STATIC = HERE.parent / "static"  # the console's and the API docs' files
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(prefix="/console", include_in_schema=False)
Who = Annotated[Caller, Depends(caller)]
NOT_YET = "not available yet"


@pass_context
def _when(ctx: Context, value: Any, seconds: bool = False) -> Markup:
    """`{{ x|when }}`: a time as staff read it, in the business's zone (GATEWAY_TIMEZONE)."""
    return when(value, zone(context_in(ctx["request"]).settings.timezone), seconds=seconds)


templates.env.filters.update(when=_when, day=day, ledger_row=ledger_row)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    who = getattr(request.state, "caller", None)
    return templates.TemplateResponse(request, name, {"who": who, **context}, status_code=status)


def mount_static(app: FastAPI, protected: list[Any]) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False, dependencies=protected)
    async def home() -> RedirectResponse:
        return RedirectResponse("/console/", status_code=303)


def error_page(request: Request, exc: StarletteHTTPException) -> Response:
    """Console errors as pages: not logged in shows the login form (still a 401)."""
    if exc.status_code == 401:
        return render(request, "login.html", 401, next=request.url.path, error=None)
    return render(request, "error.html", exc.status_code, message=str(exc.detail))


async def call(
    request: Request, service: str, method: str, path: str, **kw: Any
) -> tuple[int, Any]:
    """(status, JSON) from a service; status 0 when it does not answer."""
    try:
        response = await context_in(request).upstreams.call(
            service, method, path, headers=actor_headers(request), **kw
        )
    except UpstreamDown:
        return 0, None
    except UnsendableInput as exc:
        return 422, {"detail": str(exc)}
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


async def complaint_topics(request: Request) -> list[str]:
    status, body = await call(request, "complaints", "GET", "/internal/v1/complaints/topics")
    topics = body.get("topics") if status == 200 and isinstance(body, dict) else None
    return [str(t) for t in topics] if isinstance(topics, list) else []


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/console/") -> HTMLResponse:
    return render(request, "login.html", next=next, error=None)


@router.post("/login")
async def login(
    request: Request,
    rt: Ctx,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/console/",
) -> Response:
    try:
        user = await handlers_auth.log_in(rt, username, password, client_ip(request))
    except (InvalidCredentials, TooManyAttempts) as exc:
        message = str(exc) if isinstance(exc, TooManyAttempts) else "wrong username or password"
        status = 429 if isinstance(exc, TooManyAttempts) else 401
        return render(request, "login.html", status, next=next, error=message)
    token = rt.signer.issue(user.username, user.role, rt.settings.session_ttl_s, "session")
    target = next if next.startswith("/console") else "/console/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=rt.settings.session_ttl_s,
        httponly=True,
        samesite="lax",  # a cross-site form post carries no session: no CSRF on writes
        secure=rt.settings.secure_cookies,
        path="/",
    )
    return response


@router.post("/logout")
async def logout() -> Response:
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request, q: str = "") -> HTMLResponse:
    results = await _search(request, q) if q else None
    return render(request, "search.html", q=q, results=results)


@router.get("/search", response_class=HTMLResponse)
async def search_results(request: Request, q: str = "") -> HTMLResponse:
    """The HTMX fragment behind search as you type."""
    results = await _search(request, q) if q.strip() else None
    return render(request, "_results.html", q=q, results=results)


async def _search(request: Request, q: str) -> dict[str, Any]:
    status, body = await call(request, "registry", "GET", "/internal/v1/clients", params={"q": q})
    if status == 200:
        return {"clients": as_list(body), "error": None}
    if status in (404, 405):
        return {"clients": [], "error": f"search is {NOT_YET} (the registry has no search)"}
    if status == 0:
        return {"clients": [], "error": "the registry does not answer; try again"}
    return {"clients": [], "error": str((body or {}).get("detail", f"refused ({status})"))}


@router.get("/clients/{client_id}", response_class=HTMLResponse)
async def card_page(request: Request, client_id: str, filed: str = "") -> Response:
    try:
        ctx = context_in(request)
        card = await handlers.client_card(ctx.upstreams, ctx.cards, client_id)
    except UpstreamError as exc:
        message = str(exc.body.get("detail", "the client card cannot be shown"))
        return render(request, "error.html", exc.status, message=message)
    topics = await complaint_topics(request)
    return render(request, "card.html", card=card, filed=filed, as_list=as_list, topics=topics)


FORM_FIELDS = ("name", "phone", "email", "card_number", "birthday")


@router.get("/register", response_class=HTMLResponse)
async def register_page(request: Request) -> HTMLResponse:
    return render(request, "register.html", values={}, errors={})


@router.post("/register")
async def register(request: Request) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in FORM_FIELDS}
    body = {k: v for k, v in values.items() if v}
    status, answer = await call(request, "registry", "POST", "/internal/v1/clients", json=body)
    if status == 201 and isinstance(answer, dict):
        return RedirectResponse(f"/console/clients/{quote(answer['id'])}", status_code=303)
    if status == 0:
        errors = {"_form": "the registry does not answer; nothing was saved, try again"}
    else:
        errors = field_errors(status, answer)
    existing = answer.get("existing_client_id") if isinstance(answer, dict) else None
    return render(
        request,
        "register.html",
        422 if status else 503,
        values=values,
        errors=errors,
        existing=existing,
    )
