"""The demo's commands, mounted by `services/cli.py`: `clientele demo`, `clientele pos simulate`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from urllib.parse import urlsplit

import typer

from demo.gateway import GatewayRefused
from demo.kafka import RemoteBrokerRefused, check_loopback, default_bootstrap, default_topic_prefix
from demo.simulate import simulate
from demo.story import DemoPlan, run_demo

pos_app = typer.Typer(help="A POS simulator for integrators and ops.", no_args_is_help=True)

KAFKA_HELP = "Kafka bootstrap servers (default KAFKA_BOOTSTRAP_SERVERS or 127.0.0.1:9092)"
PREFIX_HELP = "topic prefix (default CLIENTELE_TOPIC_PREFIX)"
REMOTE_HELP = "allow a broker or gateway that is not on this machine"


STARTED = time.monotonic()


def _say(line: str) -> None:
    print(f"demo [{time.monotonic() - STARTED:4.0f} s]: {line}", flush=True)


def _refuse_remote(gateway: str, kafka: str, allow_remote: bool) -> None:
    try:
        check_loopback(kafka, allow_remote)
        check_loopback(urlsplit(gateway).hostname or "", allow_remote)
    except RemoteBrokerRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


def demo(
    days: int = typer.Option(30, min=1, max=366, help="how many days of trade, up to now"),
    clients: int = typer.Option(150, min=1, max=20_000, help="how many clients to register"),
    seed: int = typer.Option(1, help="the same seed makes the same shop chain and clients"),
    gateway: str = typer.Option("http://127.0.0.1:8000", help="the gateway's URL"),
    kafka: str = typer.Option(None, help=KAFKA_HELP),
    topic_prefix: str = typer.Option(None, help=PREFIX_HELP),
    survey_wait_s: float = typer.Option(
        600, help="at most this long for survey SMS to go out (SURVEYS_SEND_DELAY_S first)"
    ),
    only_if_empty: bool = typer.Option(False, help="do nothing when the demo's data is there"),
    allow_remote: bool = typer.Option(False, help=REMOTE_HELP),
) -> None:
    """Drive a realistic month through the real doors: registrations (gateway), purchases
    and returns (Kafka, back-dated), survey answers (the signed SMS webhook), complaints
    worked by staff. Logs in as CLIENTELE_ADMIN_USERNAME / CLIENTELE_ADMIN_PASSWORD (make
    run's defaults when unset) and signs replies with SURVEYS_WEBHOOK_SECRET."""
    kafka = kafka or default_bootstrap()
    _refuse_remote(gateway, kafka, allow_remote)
    plan = DemoPlan(
        gateway=gateway,
        kafka=kafka,
        topic_prefix=default_topic_prefix() if topic_prefix is None else topic_prefix,
        days=days,
        clients=clients,
        seed=seed,
        username=os.environ.get("CLIENTELE_ADMIN_USERNAME", "admin"),
        password=os.environ.get("CLIENTELE_ADMIN_PASSWORD", "clientele-dev-admin"),
        webhook_secret=os.environ.get("SURVEYS_WEBHOOK_SECRET", "development-secret"),
        survey_wait_s=survey_wait_s,
        only_if_empty=only_if_empty,
    )
    started = time.monotonic()
    try:
        outcome = asyncio.run(run_demo(plan, _say))
    except GatewayRefused as exc:
        typer.echo(f"demo stopped: {exc}", err=True)
        raise typer.Exit(1) from exc
    _say(f"done in {time.monotonic() - started:.0f} s: {json.dumps(outcome, default=str)}")
    reports = outcome.get("reports", {})
    raise typer.Exit(0 if all(reports.values()) else 1)


@pos_app.command("simulate")
def pos_simulate(
    rate: float = typer.Option(200, min=0.1, max=100_000, help="purchases per second"),
    duration: float = typer.Option(60, min=0.1, help="stop after this many seconds"),
    count: int = typer.Option(None, min=1, help="stop after this many (default rate x duration)"),
    card: list[str] = typer.Option([], help="a card number to sell to (repeat); else anonymous"),
    kafka: str = typer.Option(None, help=KAFKA_HELP),
    topic_prefix: str = typer.Option(None, help=PREFIX_HELP),
    allow_remote: bool = typer.Option(False, help=REMOTE_HELP),
) -> None:
    """Publish a steady load of valid purchase.recorded v1 events; print what was sent."""
    kafka = kafka or default_bootstrap()
    try:
        check_loopback(kafka, allow_remote)
    except RemoteBrokerRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    total = count or max(int(rate * duration), 1)
    prefix = default_topic_prefix() if topic_prefix is None else topic_prefix
    print(f"publishing up to {total} purchases at {rate:g}/s for at most {duration:g} s to {kafka}")
    report = asyncio.run(simulate(kafka, prefix, rate, duration, total, list(card)))
    print(report.summary(), flush=True)
    raise typer.Exit(1 if report.errors else 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use the `clientele` command")
