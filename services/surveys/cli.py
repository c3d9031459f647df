"""`clientele surveys ...`: outreach jobs an operator (or cron) may run by hand."""

from __future__ import annotations

from datetime import date

import httpx
import typer

from services.surveys.config import SurveysSettings

app = typer.Typer(help="Surveys and outreach.", no_args_is_help=True)


def _default_url() -> str:
    settings = SurveysSettings()
    host = "127.0.0.1" if settings.http_host in ("0.0.0.0", "") else settings.http_host
    return f"http://{host}:{settings.http_port}"


@app.command("greet-name-days")
def greet_name_days(
    day: str = typer.Option("", help="YYYY-MM-DD; default: today in the service's time zone"),
    url: str = typer.Option("", help="the surveys service; default from SURVEYS_HTTP_PORT"),
) -> None:
    """Plan name-day greetings for everyone whose name day it is (twice plans them once).

    The service also runs this by itself once a day at SURVEYS_NAME_DAY_HOUR.
    """
    params = {}
    if day:
        try:
            params["day"] = date.fromisoformat(day).isoformat()
        except ValueError as exc:
            raise typer.BadParameter(f"{day!r} is not a date like 2026-11-23") from exc
    try:
        r = httpx.post(
            f"{url or _default_url()}/internal/v1/jobs/name-days", params=params, timeout=30
        )
    except httpx.HTTPError as exc:
        typer.echo(f"the surveys service does not answer: {exc}", err=True)
        raise typer.Exit(1) from exc
    if r.status_code != 200:
        typer.echo(f"refused ({r.status_code}): {r.text}", err=True)
        raise typer.Exit(1)
    body = r.json()
    typer.echo(f"{body['day']}: {body['planned']} name-day greeting(s) planned")


def _send_batch(base: str, batch: int) -> dict[str, int]:
    try:
        r = httpx.post(f"{base}/internal/v1/jobs/send-due", params={"limit": batch}, timeout=120)
    except httpx.HTTPError as exc:
        typer.echo(f"the surveys service does not answer: {exc}", err=True)
        raise typer.Exit(1) from exc
    if r.status_code != 200:
        typer.echo(f"refused ({r.status_code}): {r.text[:500]}", err=True)
        raise typer.Exit(1)
    found: dict[str, int] = r.json()
    return found


@app.command("send-due")
def send_due(
    url: str = typer.Option("", help="the surveys service; default from SURVEYS_HTTP_PORT"),
    batch: int = typer.Option(100, min=1, max=10_000, help="messages per request"),
) -> None:
    """Send every SMS that is due now (surveys, greetings, win-back), batch by batch.

    The service's dispatcher does this every SURVEYS_DISPATCH_INTERVAL_S by itself; this
    is for ops (after an outage, or to see a survey go out at once). The same claims
    guard both, so nothing is sent twice. Prints a line per batch and a summary.
    """
    base = url or _default_url()
    totals = {"sent": 0, "skipped": 0, "failed": 0, "deferred": 0}
    while True:
        done = _send_batch(base, batch)
        for outcome in totals:
            totals[outcome] += done[outcome]
        handled = sum(done[o] for o in totals)
        typer.echo(f"  batch: {handled} handled, {done['remaining']} still due")
        # Deferred ones stay due; stop when a batch changed nothing or all are done.
        if done["remaining"] == 0 or handled == done["deferred"]:
            break
    summary = ", ".join(f"{n} {outcome}" for outcome, n in totals.items())
    typer.echo(f"send-due: {summary}")
    raise typer.Exit(1 if totals["failed"] else 0)
