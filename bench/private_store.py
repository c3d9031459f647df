"""A FerretDB of the benchmark's own for one run (`infra/local.sh up-store` on a free
port and a temporary state dir, the same binary and SQLite settings as the shared one).

Issue 15 counts FerretDB's CPU per operation from /proc: on the shared store that
would be every engineer's work, on this one it is only ours. Stopped and deleted
at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import ROOT
from tests.support.processes import free_port


def local_sh(command: str, state: Path, port: int) -> None:
    env = {**os.environ, "CLIENTELE_INFRA_DIR": str(state), "MONGO_PORT": str(port)}
    done = subprocess.run(
        ["bash", str(ROOT / "infra" / "local.sh"), command],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"infra/local.sh {command} failed:\n{done.stdout}{done.stderr}")


@contextmanager
def private_store() -> Iterator[tuple[str, int]]:
    """(MongoDB URL, FerretDB's pid) of a fresh store, stopped and purged on exit."""
    state, port = Path(tempfile.mkdtemp(prefix="bench-store-")), free_port()
    try:
        local_sh("up-store", state, port)
        pid = int((state / "ferretdb.pid").read_text().split()[0])
        print(f"private store: FerretDB pid {pid} on 127.0.0.1:{port} ({state})", flush=True)
        yield f"mongodb://127.0.0.1:{port}", pid
    finally:
        local_sh("stop-store", state, port)
        shutil.rmtree(state, ignore_errors=True)
