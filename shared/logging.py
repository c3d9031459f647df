"""Structured logging: one event name plus fields, JSON in production, no personal data.

Every line, ours (structlog) and the libraries' (stdlib logging: uvicorn, aiokafka,
FastStream, asyncio, warnings, uncaught exceptions), passes the same chain: exceptions
are rendered to text, then `shared.privacy.mask_personal_data` masks phones, emails,
card numbers and names, then the renderer writes it.
"""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType

import structlog

from shared.privacy import mask_personal_data


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    """Route structlog and stdlib logging through one masking JSON (or console) renderer."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    # Exceptions and stacks become text first, so their messages are masked too.
    to_text: list[structlog.types.Processor] = [
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        mask_personal_data,
    ]
    structlog.configure(
        processors=[*shared, *to_text, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *to_text,
                renderer,
            ],
            foreign_pre_chain=shared,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "pymongo", "uvicorn.access", "faststream", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    _log_what_bypasses_logging()


def _log_what_bypasses_logging() -> None:
    """Warnings and uncaught exceptions are written to stderr by Python itself, past any
    handler: send them through logging so they are masked like the rest."""
    logging.captureWarnings(True)
    uncaught = logging.getLogger("uncaught")

    def excepthook(
        kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        uncaught.critical("uncaught_exception", exc_info=(kind, value, tb))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        uncaught.critical(
            "uncaught_exception_in_thread",
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
