"""`clientele registry ...`: administration commands of the registry.

`clientele registry import clients.csv` imports clients from another system (columns
in services/registry/imports/model.py); settings come from the environment like the
service's (REGISTRY_*, KAFKA_BOOTSTRAP_SERVERS, MONGODB_URL).
"""

from __future__ import annotations

import asyncio
import resource
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from services.registry.bootstrap import bootstrap
from services.registry.config import RegistrySettings
from services.registry.imports.handlers import BatchImporter, ImportSummary
from services.registry.imports.model import RowError, read_rows
from services.registry.imports.report import ErrorReport
from services.registry.imports.sample import write_sample
from services.registry.main import TOPICS
from shared.messaging.topics import Retention, declare_topics
from shared.service import ServiceRuntime

app = typer.Typer(help="Registry: clients, cards, categories.", no_args_is_help=True)


def count_rows(path: Path) -> int:
    """Data lines in the file, counted in 1 MiB chunks (for the progress bar only)."""
    lines = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


async def run_import(
    path: Path,
    report_path: Path,
    settings: RegistrySettings,
    *,
    check_similar: bool = False,
    show_progress: bool = True,
) -> ImportSummary:
    runtime = ServiceRuntime(settings, TOPICS)
    await runtime.open_store()
    try:
        await declare_topics(
            settings.kafka_bootstrap_servers,
            [runtime.topics(t) for t in TOPICS],
            settings.topic_partitions,
            max_message_bytes=settings.topic_max_message_bytes,
            retention=Retention.hours(settings.topic_retention_h, settings.dlq_retention_h),
        )
        await runtime.broker.start()
        ctx = bootstrap(settings, runtime)
        with (
            ErrorReport(report_path) as report,
            path.open(newline="", encoding="utf-8-sig") as stream,
            Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                disable=not show_progress,
            ) as bar,
        ):
            task = bar.add_task("importing", total=count_rows(path))
            importer = BatchImporter(ctx, report, check_similar=check_similar)
            return await importer.run(
                read_rows(stream), settings.import_batch_size, lambda n: bar.advance(task, n)
            )
    finally:
        await runtime.broker.stop()
        await runtime.publisher.stop()
        await runtime.close_store()


@app.command("import")
def import_clients(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with a header row"),
    errors: Path | None = typer.Option(
        None, help="where the per-row report goes (default: FILE.errors.csv)"
    ),
    batch_size: int | None = typer.Option(None, min=1, max=10_000, help="rows per write"),
    similar: bool = typer.Option(
        False,
        help="also report rows with a similar name and the same birthday as a stored client"
        " (reads every name bucket a batch touches: slow on large registries)",
    ),
) -> None:
    """Import clients from a CSV file (streamed; one batch in memory at a time)."""
    settings = RegistrySettings()
    if batch_size:
        settings.import_batch_size = batch_size
    report = errors or file.with_name(file.name + ".errors.csv")
    try:
        summary = asyncio.run(run_import(file, report, settings, check_similar=similar))
    except RowError as exc:
        typer.echo(f"cannot import {file}: {exc}", err=True)
        raise typer.Exit(2) from None
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    typer.echo(
        f"{summary.rows} rows: {summary.imported} imported, {summary.refused} refused, "
        f"{summary.possible_duplicates} possible duplicates, {summary.published} announced "
        f"in {summary.seconds:.1f}s (peak memory {peak_mib:.0f} MiB); report: {report}"
    )


@app.command("sample-csv")
def sample_csv(
    file: Path = typer.Argument(..., dir_okay=False, help="where to write the CSV"),
    rows: int = typer.Option(1000, min=1, help="how many clients"),
    bad_every: int = typer.Option(0, min=0, help="spoil every N-th row (0: none)"),
) -> None:
    """Write a generated client CSV (to try or measure the import)."""
    bad = write_sample(file, rows, bad_every)
    typer.echo(f"wrote {rows} rows ({len(bad)} spoiled) to {file}")
