"""The ``hhir`` command line.

Each area registers its commands from its own module (``analyze``, ``learn``, ``exchange``) so the
CLI stays a thin client of the library.
"""

from __future__ import annotations

import importlib
import sys

import click

from hhir.errors import HHIRError

_COMMAND_MODULES = ("hhir.cli.analyze", "hhir.cli.learn", "hhir.cli.exchange")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what each stage does.")
def cli(verbose: bool) -> None:
    """HHIR Studio: analyse videos, review interaction labels, train and export."""
    from hhir.logs import setup_logging

    setup_logging("hhir", verbose)


def _register_commands() -> None:
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that area has no commands yet
                continue
            raise
        module.register(cli)
    models = cli.commands.get("models")
    if not isinstance(models, click.Group):
        models = click.Group("models", help="Model bundles: list, activate, roll back, import.")
        cli.add_command(models)
    from hhir.cli.analyze import register_models

    register_models(models)


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``hhir``: user errors print one line and exit 2; Ctrl-C exits 130."""
    try:
        code = cli.main(args=argv, prog_name="hhir", standalone_mode=False)
    except HHIRError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("cancelled", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
