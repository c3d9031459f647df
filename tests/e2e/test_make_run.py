"""`make run`'s launcher brings every service up with demo data and stops them on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import Slate
from tests.support.infra import ROOT
from tests.support.processes import free_port

NAMES = ("registry", "loyalty", "surveys", "complaints", "gateway")


async def wait_for(proc: asyncio.subprocess.Process, log: Path, what: str) -> str:
    deadline = time.monotonic() + 120
    text = ""
    while what not in text:
        assert time.monotonic() < deadline and proc.returncode is None, text
        await asyncio.sleep(0.3)
        text = await asyncio.to_thread(log.read_text)
    return text


async def wait_for_banner(proc: asyncio.subprocess.Process, log: Path) -> str:
    """What it printed once the banner is out; the console URL comes within a minute of
    the services being up (the demo runs in the background), and the demo's progress."""
    await wait_for(proc, log, "gateway     ready on")
    services_up = time.monotonic()
    await wait_for(proc, log, "Clientele is running")
    assert time.monotonic() - services_up < 60
    return await wait_for(proc, log, "demo [")


async def run_until_ctrl_c(env: dict[str, str], port_of: dict[str, int], log: Path) -> str:
    """`infra/run_all.py` until its banner, every service healthy and ready, then Ctrl-C;
    returns what it printed."""
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "infra/run_all.py", cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        text = await wait_for_banner(proc, log)
        gateway = f"http://127.0.0.1:{port_of['gateway']}"
        assert gateway in text  # the console URL is printed
        async with httpx.AsyncClient(timeout=5) as http:
            for port in port_of.values():
                assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
            ready = (await http.get(f"{gateway}/readyz")).json()
        assert ready["ready"] is True, ready
    finally:
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 60) == 0
    async with httpx.AsyncClient(timeout=1) as http:
        for port in port_of.values():
            try:
                await http.get(f"http://127.0.0.1:{port}/healthz")
            except httpx.HTTPError:
                continue
            raise AssertionError(f"a service still answers on port {port} after Ctrl-C")
    return text


async def test_run_launcher_starts_all_services_seeds_demo_data_and_stops_on_ctrl_c(
    slate: Slate, tmp_path: Path
) -> None:
    port_of = {name: free_port() for name in NAMES}
    env = {**os.environ, "CLIENTELE_RUN_DIR": str(tmp_path)}
    for name, port in port_of.items():
        env |= slate.env(name, port)
    env |= {"CLIENTELE_DEMO_CLIENTS": "10", "CLIENTELE_DEMO_DAYS": "3"}
    text = await run_until_ctrl_c(env, port_of, tmp_path / "run.out")
    assert len(re.findall(r"demo client .*: registered", text)) == 3
    assert "surveys go out 30 s after a visit, no quiet hours" in text
    assert "demo data: a month of trade, in the background" in text
    # A second `make run` on the same store starts every service again.
    await run_until_ctrl_c(env, port_of, tmp_path / "run-again.out")
