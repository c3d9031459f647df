"""`clientele privacy export ID [--out FILE]`: a client's data export, written to a file.

It goes through the gateway (`GET /api/v1/clients/{id}/export`), so the export is
authorised (manager or admin) and audited like one made in the console. The gateway is
`CLIENTELE_GATEWAY_URL` (http://127.0.0.1:8000); the caller is `CLIENTELE_TOKEN` (a
bearer token from `POST /api/v1/auth/token`), else `CLIENTELE_USERNAME` and
`CLIENTELE_PASSWORD`, which log in first.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import httpx
import typer

privacy = typer.Typer(help="Clients' personal data: export.", no_args_is_help=True)


def _headers(api: httpx.Client) -> dict[str, str]:
    if token := os.environ.get("CLIENTELE_TOKEN"):
        return {"Authorization": f"Bearer {token}"}
    username, password = os.environ.get("CLIENTELE_USERNAME"), os.environ.get("CLIENTELE_PASSWORD")
    if not (username and password):
        _fail("set CLIENTELE_TOKEN, or CLIENTELE_USERNAME and CLIENTELE_PASSWORD (a manager)")
    r = api.post("/api/v1/auth/token", data={"username": username, "password": password})
    if r.status_code != 200:
        _fail(f"login refused ({r.status_code}): {_detail(r)}")
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text[:300]))
    except ValueError:
        return response.text[:300]


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@privacy.command("export")
def export(
    client_id: str,
    out: Annotated[
        Path | None, typer.Option(help="file to write (default client-<id>.json; - for stdout)")
    ] = None,
    url: Annotated[str | None, typer.Option(help="the gateway (CLIENTELE_GATEWAY_URL)")] = None,
) -> None:
    """Everything every service holds about CLIENT_ID, as one JSON document."""
    base = url or os.environ.get("CLIENTELE_GATEWAY_URL", "http://127.0.0.1:8000")
    try:
        with httpx.Client(base_url=base, timeout=120) as api:
            r = api.get(f"/api/v1/clients/{client_id}/export", headers=_headers(api))
    except httpx.HTTPError as exc:
        _fail(f"the gateway at {base} does not answer: {type(exc).__name__}")
        return
    if r.status_code != 200:
        _fail(f"export refused ({r.status_code}): {_detail(r)}")
    if out is not None and str(out) == "-":
        sys.stdout.write(r.text + "\n")
        return
    target = out or Path(f"client-{client_id}.json")
    target.write_text(r.text, encoding="utf-8")
    typer.echo(f"wrote {target} ({len(r.content)} bytes)")
