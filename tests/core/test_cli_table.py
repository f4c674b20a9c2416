"""Every ``hhir`` command is registered once, in ``hhir.cli.COMMANDS``, and ``hhir --help`` loads
none of them: no project store, SQLAlchemy or numpy."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys

import click

import hhir.cli
from hhir.cli import COMMANDS, cli

_RUNNER = """
import json, sys
from hhir.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _run(*args: str) -> tuple[str, dict]:
    proc = subprocess.run([sys.executable, "-c", _RUNNER, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


def test_help_imports_neither_the_store_nor_sqlalchemy_nor_numpy():
    out, run = _run("--help")
    assert run["code"] == 0 and "Commands:" in out
    for name in COMMANDS:
        assert f"  {name} " in out, name
    loaded = set(run["modules"])
    for heavy in ("sqlalchemy", "numpy", "hhir.store", "pydantic", "torch"):
        assert heavy not in loaded, f"hhir --help imported {heavy}"
    assert not any(name.startswith("hhir.cli.") and name != "hhir.cli.__init__" for name in loaded)


def test_a_command_loads_only_when_it_runs():
    out, run = _run("labels", "--help")
    assert run["code"] == 0 and "list" in out
    assert "hhir.cli.labels" in run["modules"] and "hhir.cli.learn" not in run["modules"]


def test_every_command_of_the_cli_package_is_in_the_table_once():
    ctx = click.Context(cli)
    registered = {name: cli.get_command(ctx, name) for name in COMMANDS}
    assert all(isinstance(c, click.Command) and c.name == n for n, c in registered.items())
    reachable = set(registered.values())
    for group in [c for c in registered.values() if isinstance(c, click.Group)]:
        reachable |= set(group.commands.values())
    defined = set()
    for module in pkgutil.iter_modules(hhir.cli.__path__, "hhir.cli."):
        if module.name == "hhir.cli.__main__":  # runs the command line when imported
            continue
        loaded = importlib.import_module(module.name)
        defined |= {value for value in vars(loaded).values() if isinstance(value, click.Command) and value is not cli}
    assert defined == reachable, sorted(c.name for c in defined ^ reachable)
