"""The `clientele` command: one typer app; each service may add a sub-command group.

A service that offers commands has `services/<name>/cli.py` with `app = typer.Typer()`;
it is mounted here as `clientele <name> ...` (or under the names it lists in
`COMMAND_NAMES`; with a `command_app(name)` function each name gets its own group).
This is a composition root, like docker-compose: services still never import each other.
The demo and the POS simulator (`demo/`, not a service) are mounted here too.
"""

from __future__ import annotations

import importlib

import typer

from demo.cli import demo as demo_command
from demo.cli import pos_app
from services.privacy.cli import verify as privacy_verify
from shared.messaging.replay_cli import app as dlq_app

SERVICES = ("registry", "loyalty", "surveys", "complaints", "gateway")

app = typer.Typer(help="Clientele administration commands.", no_args_is_help=True)


def _mount() -> None:
    for service in SERVICES:
        try:
            module = importlib.import_module(f"services.{service}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"services.{service}.cli":
                raise
            continue
        group_for = getattr(module, "command_app", None)
        for name in getattr(module, "COMMAND_NAMES", (service,)):
            group = group_for(name) if group_for else module.app
            if name == "privacy" and "verify" not in [c.name for c in group.registered_commands]:
                # the gateway's group has `export`; `verify` reads every service's data
                group.command("verify")(privacy_verify)
            app.add_typer(group, name=name)
    app.add_typer(dlq_app, name="dlq")  # generic: replays any topic's dead letters
    app.command("demo")(demo_command)
    app.add_typer(pos_app, name="pos")


@app.callback()
def root() -> None:
    """Clientele administration commands (settings come from the environment)."""


def main() -> None:
    _mount()
    app()


if __name__ == "__main__":
    main()
