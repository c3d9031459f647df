"""The per-row report of an import: one CSV line per refused row (and per warning)."""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import IO


class ErrorReport:
    """`row,kind,reason`; `row` is the file's line number where the row ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors = 0
        self.warnings = 0
        self._file: IO[str] | None = None

    def __enter__(self) -> ErrorReport:
        self._file = self.path.open("w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        self._writer.writerow(["row", "kind", "reason"])
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._file is not None:
            self._file.close()

    def add(self, row: int, reason: str, kind: str = "error") -> None:
        self._writer.writerow([row, kind, reason])
        if kind == "error":
            self.errors += 1
        else:
            self.warnings += 1
