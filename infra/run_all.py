"""`make run`: every service as its own process, demo data, the console URL; Ctrl-C stops all.

Infrastructure is started by `make infra-up` before this runs. Each service logs to
`$CLIENTELE_RUN_DIR/logs/<service>.log` (default ~/.cache/clientele/run/logs).
`REPLICAS="loyalty=3 gateway=2"` runs several processes of a service (infra/replicas.py);
a replica's log is `<service>-<n>.log`.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `infra.replicas` when run as a script

from infra.replicas import Replica, ReplicasError, gateway_urls, parse_replicas, plan, summary  # noqa: E402

DEFAULT_PORTS = {
    "registry": 8001,
    "loyalty": 8002,
    "surveys": 8003,
    "complaints": 8004,
    "gateway": 8000,
}
DEMO_CLIENTS = [
    {"name": "Ada Lovelace", "phone": "+49 30 1234567"},
    {"name": "Grace Hopper", "phone": "+49 40 7654321"},
    {"name": "Alan Turing", "phone": "+44 20 7946 0018"},
]


def log_dir() -> Path:
    base = Path(os.environ.get("CLIENTELE_RUN_DIR", Path.home() / ".cache/clientele/run"))
    path = base / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def ports() -> dict[str, int]:
    """Each service's port: `<SERVICE>_HTTP_PORT` from the environment, else the default."""
    return {
        name: int(os.environ.get(f"{name.upper()}_HTTP_PORT", port))
        for name, port in DEFAULT_PORTS.items()
    }


# `make run` is for a developer's machine: a known first admin unless one is given.
DEV_ADMIN = ("admin", "clientele-dev-admin")


# So a newcomer sees the loops close within minutes (production defaults in brackets):
# a survey 30 s after the visit (2 h) and no quiet hours (21-8, which at night would
# skip every survey); complaint SLAs of minutes (hours), checked every 20 s (60 s).
DEV_SETTINGS = {
    "SURVEYS_SEND_DELAY_S": "30",
    "SURVEYS_QUIET_HOURS_START": "0",
    "SURVEYS_QUIET_HOURS_END": "0",
    "COMPLAINTS_SLA_FIRST_RESPONSE_HOURS": '{"critical": 0.05, "high": 0.1, "normal": 0.2, '
    '"low": 0.5}',
    "COMPLAINTS_SLA_RESOLUTION_HOURS": '{"critical": 0.25, "high": 0.5, "normal": 1, "low": 2}',
    "COMPLAINTS_SLA_CHECK_INTERVAL_S": "20",
}


def dev_settings_note(env: dict[str, str]) -> str:
    delay = env["SURVEYS_SEND_DELAY_S"]
    quiet = env["SURVEYS_QUIET_HOURS_START"], env["SURVEYS_QUIET_HOURS_END"]
    hours = "no quiet hours" if quiet[0] == quiet[1] else f"quiet hours {quiet[0]}-{quiet[1]}"
    return (
        f"  dev settings: surveys go out {delay} s after a visit, {hours} "
        "(production: SURVEYS_SEND_DELAY_S=7200, quiet hours 21-8); complaint SLAs of "
        "minutes (COMPLAINTS_SLA_*_HOURS); set any of them to override"
    )


def service_env(port_of: dict[str, int]) -> dict[str, str]:
    env = {**os.environ, "LOG_JSON": os.environ.get("LOG_JSON", "true")}
    env.setdefault("CLIENTELE_ADMIN_USERNAME", DEV_ADMIN[0])
    env.setdefault("CLIENTELE_ADMIN_PASSWORD", DEV_ADMIN[1])
    for name, value in DEV_SETTINGS.items():
        env.setdefault(name, value)
    for name, port in port_of.items():
        env[f"{name.upper()}_HTTP_PORT"] = str(port)
        if name != "gateway":
            env.setdefault(f"GATEWAY_{name.upper()}_URL", f"http://127.0.0.1:{port}")
    return env


def start_demo(gateway: str, logs: Path, env: dict[str, str]) -> subprocess.Popen[bytes] | None:
    """`clientele demo` in the background on an empty store (it skips itself when its
    data is there); CLIENTELE_DEMO=0 turns it off."""
    if env.get("CLIENTELE_DEMO", "1") == "0":
        return None
    command = [sys.executable, "-m", "services.cli", "demo", "--only-if-empty"]
    command += ["--gateway", gateway, "--days", env.get("CLIENTELE_DEMO_DAYS", "30")]
    command += ["--clients", env.get("CLIENTELE_DEMO_CLIENTS", "150")]
    out = (logs / "demo.log").open("wb")
    print(f"  demo data: a month of trade, in the background (log: {logs / 'demo.log'})")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


class DemoProgress:
    """Relays the demo's progress lines as they come (one line each)."""

    def __init__(self, proc: subprocess.Popen[bytes] | None, log: Path) -> None:
        self.proc, self.log, self.seen = proc, log, 0

    def relay(self) -> None:
        if self.proc is None or not self.log.exists():
            return
        lines = self.log.read_text(errors="replace").splitlines()
        for line in lines[self.seen :]:
            if line.startswith("demo"):
                print(f"  {line}", flush=True)
        self.seen = len(lines)
        if self.proc.poll() is not None and self.proc.returncode != 0:
            print(f"  demo ended with {self.proc.returncode}; see {self.log}", flush=True)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def cli_path_line() -> str:
    """The line that puts uv (~/.local/bin, where `make` installs it) and this clone's
    `clientele` (.venv/bin) on a new shell's PATH; the README shows it too."""
    return f'export PATH="$HOME/.local/bin:{ROOT}/.venv/bin:$PATH"'


def start(replica: Replica, logs: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    out = (logs / f"{replica.name}.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", f"services.{replica.service}"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def replica_env(env: dict[str, str], replica: Replica, replicas: list[Replica]) -> dict[str, str]:
    """A replica's environment: its own port; a gateway its share of each service
    (unless GATEWAY_<SERVICE>_URL was given)."""
    own = {**env, f"{replica.service.upper()}_HTTP_PORT": str(replica.port)}
    if replica.service == "gateway":
        urls = gateway_urls(replicas, replica)
        own |= {k: v for k, v in urls.items() if k not in os.environ}
    return own


def shared_env(env: dict[str, str], replicas: list[Replica]) -> dict[str, str]:
    """Several gateways must accept each other's tokens: one secret for this run
    (random, never printed) unless GATEWAY_TOKEN_SECRET is given."""
    if sum(r.service == "gateway" for r in replicas) > 1:
        env.setdefault("GATEWAY_TOKEN_SECRET", secrets.token_urlsafe(48))
    return env


def replicas_or_exit(port_of: dict[str, int]) -> list[Replica]:
    try:
        counts = parse_replicas(os.environ.get("REPLICAS", ""))
    except ReplicasError as exc:
        raise SystemExit(str(exc)) from None
    return plan(counts, port_of)


def wait_ready(name: str, port: int, proc: subprocess.Popen[bytes], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited with {proc.returncode}; see its log")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                print(f"  {name:<11} ready on http://127.0.0.1:{port}", flush=True)
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{name} not ready after {timeout_s}s; see its log")


def seed(gateway: str, env: dict[str, str]) -> None:
    login = {
        "username": env["CLIENTELE_ADMIN_USERNAME"],
        "password": env["CLIENTELE_ADMIN_PASSWORD"],
    }
    answer = httpx.post(f"{gateway}/api/v1/auth/token", data=login, timeout=10)
    if answer.status_code != 200:
        print(f"  demo data skipped: admin login refused ({answer.status_code})", flush=True)
        return
    auth = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    for client in DEMO_CLIENTS:
        for _ in range(5):  # a service still warming up answers 503: try again shortly
            r = httpx.post(f"{gateway}/api/v1/clients", json=client, headers=auth, timeout=10)
            if r.status_code < 500:
                break
            time.sleep(1)
        state = "registered" if r.status_code == 201 else f"skipped ({r.status_code})"
        print(f"  demo client {client['name']}: {state}", flush=True)


def print_banner(gateway: str, env: dict[str, str], replicas: list[Replica]) -> None:
    more = [r.url for r in replicas if r.service == "gateway" and r.number > 1]
    if more:
        print(f"\nMore gateways (same console and API, same logins): {', '.join(more)}")
    print(
        f"\nClientele is running. Console and API: {gateway}  "
        f"(OpenAPI at {gateway}/docs). Ctrl-C stops everything.\n"
        f"Log in as {env['CLIENTELE_ADMIN_USERNAME']!r} with CLIENTELE_ADMIN_PASSWORD "
        f"(dev default {DEV_ADMIN[1]!r} when unset).\n"
        f"`uv` and `clientele` in a new shell: {cli_path_line()}",
        flush=True,
    )


def main() -> None:
    logs = log_dir()
    port_of = ports()
    replicas = replicas_or_exit(port_of)
    env = shared_env(service_env(port_of), replicas)
    print(f"starting services (logs in {logs})", flush=True)
    if summary(replicas):
        print(f"  replicas: {summary(replicas)}", flush=True)
    print(dev_settings_note(env), flush=True)
    procs = {r.name: start(r, logs, replica_env(env, r, replicas)) for r in replicas}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        print("\nstopping services…", flush=True)
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        print("stopped.", flush=True)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for replica in replicas:
            wait_ready(replica.name, replica.port, procs[replica.name])
        gateway = f"http://127.0.0.1:{port_of['gateway']}"
        seed(gateway, env)
        demo = DemoProgress(start_demo(gateway, logs, env), logs / "demo.log")
        print_banner(gateway, env, replicas)
        watch(procs, demo, lambda: stopping, logs)
    finally:
        stop()


def watch(
    procs: dict[str, subprocess.Popen[bytes]],
    demo: DemoProgress,
    stopping: Callable[[], bool],
    logs: Path,
) -> None:
    """Relay the demo's progress until Ctrl-C or a service exits (then say which)."""
    while not stopping() and all(p.poll() is None for p in procs.values()):
        demo.relay()
        time.sleep(0.5)
    demo.stop()
    if not stopping():
        dead = [n for n, p in procs.items() if p.poll() is not None]
        print(f"{', '.join(dead)} exited; see the logs in {logs}", flush=True)


if __name__ == "__main__":
    main()
