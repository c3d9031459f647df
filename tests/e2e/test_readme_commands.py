"""Every `clientele …` / `uv run …` command the README shows works in a new shell.

A new shell has neither `~/.local/bin` (uv) nor the clone's `.venv/bin` (clientele) on
its PATH; the README gives the one line that adds them, and each command's `--help`
must then answer. The README's first screen keeps exactly two set-up commands.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.support.infra import ROOT

README = (ROOT / "README.md").read_text()
NEW_SHELL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SUBCOMMAND = re.compile(r"^[a-z][a-z0-9-]*$")


def shown_commands() -> list[str]:
    """Backticked spans and indented code lines that start with `clientele` or `uv run`."""
    spans = re.findall(r"`([^`\n]+)`", README)
    spans += [line.strip() for line in README.splitlines() if line.startswith("    ")]
    return sorted({s for s in spans if s.startswith(("clientele ", "uv run "))})


def runnable(command: str) -> str:
    """The command's words up to its first option or placeholder (NAME, FILE.csv, <x>)."""
    words = command.split()
    cut = next((i for i, w in enumerate(words) if i > 0 and not SUBCOMMAND.match(w)), len(words))
    return " ".join(words[:cut])


def path_line() -> str:
    lines = [ln.strip() for ln in README.splitlines() if ln.strip().startswith("export PATH=")]
    assert len(lines) == 1, lines
    return lines[0]


def new_shell(script: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {"HOME": os.environ["HOME"], "PATH": NEW_SHELL_PATH, "LANG": "C.UTF-8"}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_readme_shows_clientele_commands() -> None:
    found = {runnable(c) for c in shown_commands()}
    assert {"clientele dlq replay", "clientele surveys send-due", "clientele users list"} <= found


def test_without_the_line_a_new_shell_does_not_find_clientele() -> None:
    assert new_shell("clientele --help").returncode == 127  # the fault the line fixes


@pytest.mark.parametrize("command", sorted({runnable(c) for c in shown_commands()}))
def test_each_readme_command_answers_in_a_new_shell_after_the_path_line(command: str) -> None:
    done = new_shell(f"{path_line()}\n{command} --help")
    assert done.returncode == 0, f"{command}: {done.stdout[-500:]}{done.stderr[-1500:]}"
    assert "Usage:" in done.stdout


def test_make_runs_printed_line_works_from_any_folder(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "infra/run_all.py")
    assert spec is not None and spec.loader is not None
    run_all = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_all)
    done = new_shell(f"{run_all.cli_path_line()}\nclientele --help && uv --version", tmp_path)
    assert done.returncode == 0, done.stderr[-1500:]


def test_the_first_screen_has_exactly_two_set_up_commands() -> None:
    first_screen = README.split("\n## ", 2)[1]  # the section after the title and intro
    block = [ln.strip() for ln in first_screen.splitlines() if ln.startswith("    ")]
    assert [ln.split("#")[0].strip() for ln in block] == ["make run", "make test"]
