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
