"""Console pages beyond search and the card: edit, complaints, reports, admin views."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.gateway.auth.guard import caller
from services.gateway.bootstrap import context_in
from services.gateway.clients import handlers
from services.gateway.clients.handlers import forget_complaints
from services.gateway.clients.model import UpstreamError
from services.gateway.console.api import NOT_YET, call, complaint_topics, render
from services.gateway.console.view import as_list, bars, field_errors, sla_board
from services.gateway.dead_letters.reader import LetterPage, dlq_topics, parse_cursor, read_letters

router = APIRouter(prefix="/console", include_in_schema=False)
EDITABLE = ("name", "email", "category", "manager_id", "tags", "notes")


def _editable(client: dict[str, Any]) -> dict[str, str]:
    values = {k: client.get(k) for k in EDITABLE}
    tags = values.get("tags") or []
    names = [str(t.get("tag", t.get("name", ""))) if isinstance(t, dict) else str(t) for t in tags]
    return {k: ", ".join(names) if k == "tags" else str(v or "") for k, v in values.items()}


@router.get("/clients/{client_id}/edit", response_class=HTMLResponse)
async def edit_page(request: Request, client_id: str) -> Response:
    status, client = await call(request, "registry", "GET", f"/internal/v1/clients/{client_id}")
    if status != 200:
        return render(
            request,
            "error.html",
            404 if status == 404 else 503,
            message=f"client {client_id} cannot be loaded ({status or 'no answer'})",
        )
    return render(request, "edit.html", client_id=client_id, values=_editable(client), errors={})


@router.post("/clients/{client_id}/edit")
async def edit(request: Request, client_id: str) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in EDITABLE}
    _, current = await call(request, "registry", "GET", f"/internal/v1/clients/{client_id}")
    before = _editable(current) if isinstance(current, dict) else {}
    changes: dict[str, Any] = {k: v for k, v in values.items() if v != before.get(k)}
    if "tags" in changes:
        changes["tags"] = [t.strip() for t in values["tags"].split(",") if t.strip()]
    if not changes:
        return RedirectResponse(f"/console/clients/{quote(client_id)}", status_code=303)
    changes = {k: v if v != "" else None for k, v in changes.items()}
    changes["actor"] = caller(request).who
    if reason := str(form.get("reason", "")).strip():
        changes["reason"] = reason
    path = f"/internal/v1/clients/{client_id}"
    status, answer = await call(request, "registry", "PATCH", path, json=changes)
    if status == 200:
        return RedirectResponse(f"/console/clients/{quote(client_id)}", status_code=303)
    if (status in (404, 405) and not isinstance(answer, dict)) or status == 405:
        errors = {"_form": f"editing is {NOT_YET} (the registry has no such endpoint)"}
    elif status == 0:
        errors = {"_form": "the registry does not answer; nothing was saved"}
    else:
        errors = field_errors(status, answer)
    return render(request, "edit.html", 422, client_id=client_id, values=values, errors=errors)


@router.post("/clients/{client_id}/complaints")
async def file_complaint(request: Request, client_id: str) -> Response:
    form = await request.form()
    body = {
        "client_id": client_id,
        "kind": str(form.get("kind", "complaint")),
        "topic": str(form.get("topic", "")).strip(),
        "text": str(form.get("text", "")).strip() or None,
        "channel": str(form.get("channel", "in_person")),
    }
    status, answer = await call(request, "complaints", "POST", "/internal/v1/complaints", json=body)
    if status in (200, 201) and isinstance(answer, dict):
        await forget_complaints(context_in(request).cards, client_id)
        filed = quote(str(answer.get("id", answer.get("complaint_id", "new"))))
        return RedirectResponse(f"/console/clients/{quote(client_id)}?filed={filed}", 303)
    if status in (404, 405):
        errors = {"_form": f"filing complaints is {NOT_YET}"}
    elif status == 0:
        errors = {"_form": "the complaints service does not answer; nothing was filed"}
    else:
        errors = field_errors(status, answer)
    try:
        ctx = context_in(request)
        card = await handlers.client_card(ctx.upstreams, ctx.cards, client_id)
    except UpstreamError as exc:
        return render(request, "error.html", exc.status, message=str(exc.body.get("detail")))
    return render(
        request,
        "card.html",
        422,
        card=card,
        filed="",
        as_list=as_list,
        topics=await complaint_topics(request),
        complaint_errors=errors,
    )


@router.get("/complaints", response_class=HTMLResponse)
async def complaints_board(request: Request) -> HTMLResponse:
    status, body = await call(
        request, "complaints", "GET", "/internal/v1/complaints", params={"status": "open"}
    )
    note = (
        None
        if status == 200
        else (
            f"the complaints board is {NOT_YET}"
            if status in (404, 405)
            else "the complaints service does not answer"
        )
    )
    return render(request, "complaints.html", cases=sla_board(as_list(body)), note=note)


# (title, service, internal path, list key, label fields, value field)
REPORTS: tuple[tuple[str, str, str, str, tuple[str, ...], str | None], ...] = (
    (
        "Category profitability (net margin)",
        "loyalty",
        "/internal/v1/reports/categories",
        "categories",
        ("category",),
        "net_margin",
    ),
    (
        "NPS trend by week",
        "surveys",
        "/internal/v1/reports/nps/weekly",
        "weeks",
        ("period",),
        "nps",
    ),
    (
        "Employee of the month (quality index)",
        "surveys",
        "/internal/v1/reports/employees",
        "employees",
        ("employee_id",),
        "quality_index",
    ),
    (
        "Complaint topics trend",
        "complaints",
        "/internal/v1/reports/complaint-trends",
        "items",
        ("topic", "segment"),
        "count",
    ),
)


@router.get("/reports", response_class=HTMLResponse)
async def reports(request: Request) -> HTMLResponse:
    charts = []
    for title, service, path, key, labels, value in REPORTS:
        status, body = await call(request, service, "GET", path)
        rows = body.get(key, []) if isinstance(body, dict) else as_list(body)
        note = None
        if status in (404, 405):
            note = f"{NOT_YET} ({service})"
        elif status != 200:
            note = f"{service} does not answer"
        extra = body.get("best_employee") if status == 200 and isinstance(body, dict) else None
        chart = bars(rows if isinstance(rows, list) else [], labels, value)
        charts.append(
            {"title": title, "bars": chart, "note": note, "best": extra, "shown": shown(body)}
        )
    return render(request, "reports.html", charts=charts)


def shown(body: Any) -> str | None:
    """Which month the employee chart shows: surveys picks the latest month with a
    ranking (early in a month the current one has next to no answers)."""
    if not (isinstance(body, dict) and body.get("month") and "min_answers" in body):
        return None
    return (
        f"{body['month']}: the latest month in which an employee has at least "
        f"{body['min_answers']} answers (the current month when none has)"
    )


@router.get("/admin/dlq", response_class=HTMLResponse)
async def dlq_page(request: Request, topic: str = "", before: str = "") -> HTMLResponse:
    settings = context_in(request).settings
    bootstrap, prefix = settings.kafka_bootstrap_servers, settings.topic_prefix
    page, error = LetterPage([], 0, None), None
    try:
        topics = await dlq_topics(bootstrap, prefix)
        if topic in topics:
            page = await read_letters(bootstrap, prefix + topic, 50, parse_cursor(before))
    except Exception as exc:  # a bad cursor or Kafka down: say so on the page
        topics, error = [], f"Cannot read the letters ({type(exc).__name__})"
    return render(request, "dlq.html", topics=topics, topic=topic, page=page, error=error)


@router.get("/admin/audit", response_class=HTMLResponse)
async def audit_page(request: Request) -> HTMLResponse:
    entries = await context_in(request).audit.page(200)
    return render(request, "audit.html", entries=entries)
