"""Counts for the reliability tests: small in `make test`, full in `make reliability`."""

from __future__ import annotations

import os

FULL = os.environ.get("RELIABILITY_FULL", "") not in ("", "0", "false")


def scaled(short: int, full: int) -> int:
    return full if FULL else short


def report(title: str, **figures: object) -> None:
    """Print a test's figures (shown with `pytest -s`, as `make reliability` does)."""
    text = ", ".join(f"{k}={v:,}" if isinstance(v, int) else f"{k}={v}" for k, v in figures.items())
    print(f"\n[reliability] {title}: {text}", flush=True)
