"""`clientele loyalty ...`: run the scheduled jobs through a running loyalty service.

A scheduler (cron, a Kubernetes CronJob) calls these; each job is idempotent.
The service URL comes from LOYALTY_URL (default http://127.0.0.1:8002).
"""

from __future__ import annotations

import os

import httpx
import typer

app = typer.Typer(help="Loyalty jobs: bonus expiry and birthday bonuses.", no_args_is_help=True)


def _call(path: str, params: dict[str, str]) -> None:
    url = os.environ.get("LOYALTY_URL", "http://127.0.0.1:8002")
    response = httpx.post(f"{url}/internal/v1/jobs/{path}", params=params, timeout=600)
    if response.status_code >= 400:
        typer.echo(f"{path} failed: {response.status_code} {response.text}", err=True)
        raise typer.Exit(1)
    typer.echo(response.text)


@app.command()
def expire(at: str = typer.Option("", help="evaluate as of this RFC 3339 time")) -> None:
    """Expire bonus older than LOYALTY_EXPIRY_MONTHS (paused for open complaints)."""
    _call("expiry", {"at": at} if at else {})


@app.command()
def birthdays(day: str = typer.Option("", help="YYYY-MM-DD, default today")) -> None:
    """Credit today's birthday bonuses (once per client and year)."""
    _call("birthdays", {"day": day} if day else {})


@app.command()
def churn(day: str = typer.Option("", help="YYYY-MM-DD, default today")) -> None:
    """Flag clients overdue against their own purchase rhythm (`client.at_risk`)."""
    _call("churn", {"day": day} if day else {})
