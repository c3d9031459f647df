"""schemathesis against the gateway's own OpenAPI, logged in as an admin, with every
service running as a process: whatever it sends, no answer is a 5xx.

The run is bounded (examples per operation and a time budget) to stay under two
minutes on the shared CI machine. Excluded: the login (its throttle would lock the
token's own user out) and changing staff users (a fuzzer could disable the admin it
runs as).

Stateless: it never reaches a case past `new` or a merged client, so the state
machines are driven the wrong way on purpose in test_gateway_state_machines.py, and
every route's refusals in test_gateway_upstream_problems.py.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.support.infra import ROOT
from tests.support.processes import ServiceProcess
from tests.support.stack import whole_stack
from tests.support.staff import login

EXCLUDED = r"^/api/v1/(auth/token|users/)"


async def test_fuzzing_the_api_as_an_admin_finds_no_server_error(
    spawn: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    # a slow shared machine must not turn into 503s ("does not answer")
    slow_ok = {"GATEWAY_UPSTREAM_TIMEOUT_S": "20", "GATEWAY_CARD_TIMEOUT_S": "10"}
    gateway = whole_stack(spawn, slow_ok).gateway
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as api:
        auth = await login(api)
        schema = (await api.get("/openapi.json", headers=auth)).json()
    schema_file = tmp_path / "openapi.json"
    schema_file.write_text(json.dumps(schema))
    report = ROOT / "test-artifacts" / "schemathesis-gateway.xml"  # read it when this fails
    report.parent.mkdir(exist_ok=True)
    run = await asyncio.to_thread(
        subprocess.run,
        [
            *(sys.executable, "-m", "schemathesis.cli", "run", str(schema_file)),
            *("--url", gateway.url, "--header", f"Authorization: {auth['Authorization']}"),
            *("--checks", "not_a_server_error", "--phases", "examples,coverage,fuzzing"),
            *("--max-examples", "5", "--max-time", "60", "--workers", "1", "--seed", "7"),
            *("--exclude-path-regex", EXCLUDED, "--request-timeout", "30"),
            *("--report", "junit", "--report-junit-path", str(report)),
            "--no-color",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    tail = run.stdout[-6000:]
    print(tail[-1500:])
    assert run.returncode == 0, f"schemathesis found server errors:\n{tail}\n{run.stderr[-2000:]}"
    cases = ET.parse(report).getroot()
    assert int(cases.get("tests", "0")) >= 30, tail  # every operation was exercised
