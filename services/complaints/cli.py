"""`clientele complaints ...`: run the SLA checker or the trend detector on demand.

Both call the running service's internal API (`--url`, default the complaints port).
"""

from __future__ import annotations

import json
from datetime import datetime

import httpx
import typer

from services.complaints.config import ComplaintsSettings

app = typer.Typer(help="Complaints: SLA checker and trend detector.", no_args_is_help=True)


def default_url() -> str:
    return f"http://127.0.0.1:{ComplaintsSettings().http_port}"


@app.command("check-sla")
def check_sla(
    url: str = typer.Option(None, help="complaints service URL"),
    now: datetime | None = typer.Option(None, help="check as of this UTC time"),
) -> None:
    """Escalate every missed SLA deadline now (goodwill for missed resolutions)."""
    params = {"now": now.isoformat()} if now else {}
    response = httpx.post(
        f"{url or default_url()}/internal/v1/sla/check", params=params, timeout=60
    )
    typer.echo(json.dumps(response.json(), indent=2))
    raise typer.Exit(0 if response.status_code == 200 else 1)


@app.command("detect-trends")
def detect_trends(
    url: str = typer.Option(None, help="complaints service URL"),
    week: str | None = typer.Option(None, help="ISO week, e.g. 2026-W47 (default: this week)"),
) -> None:
    """Flag topics rising against their own baseline and announce them."""
    params = {"week": week} if week else {}
    response = httpx.post(
        f"{url or default_url()}/internal/v1/reports/complaint-trends/detect",
        params=params,
        timeout=60,
    )
    typer.echo(json.dumps(response.json(), indent=2))
    raise typer.Exit(0 if response.status_code == 200 else 1)
