"""`clientele dlq ...`: look at and replay dead letters (settings from the environment)."""

from __future__ import annotations

import asyncio

import typer

from shared.messaging.replay import replay_dead_letters
from shared.settings import ServiceSettings

app = typer.Typer(help="Dead-letter queues: replay parked events after a fix.")


@app.command()
def replay(
    topic: str = typer.Argument(..., help="logical topic, e.g. purchase.recorded"),
    limit: int | None = typer.Option(None, help="replay at most this many"),
    dry_run: bool = typer.Option(False, "--dry-run", help="count and list reasons only"),
    from_beginning: bool = typer.Option(
        False, "--from-beginning", help="replay everything parked, even what was replayed"
    ),
    timeout_s: float = typer.Option(60.0, help="give up after this many seconds"),
) -> None:
    """Republish `<topic>.dlq` onto `<topic>` (consumers are idempotent on event_id)."""
    settings = ServiceSettings(service_name="dlq-replay")
    report = asyncio.run(
        replay_dead_letters(
            settings.kafka_bootstrap_servers,
            topic,
            prefix=settings.topic_prefix,
            limit=limit,
            dry_run=dry_run,
            from_beginning=from_beginning,
            timeout_s=timeout_s,
        )
    )
    verb = "would replay" if dry_run else "replayed"
    typer.echo(f"{verb} {report.replayed} event(s) from {report.dlq} to {report.target}")
    for reason, count in sorted(report.reasons.items()):
        typer.echo(f"  {count:>6}  {reason}")
