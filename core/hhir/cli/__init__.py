"""The ``hhir`` command line.

Each area registers its commands from its own module (``analyze``, ``learn``, ``exchange``) so the
CLI stays a thin client of the library.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from hhir.errors import HHIRError, printable

_COMMAND_MODULES = ("hhir.cli.analyze", "hhir.cli.learn", "hhir.cli.exchange", "hhir.cli.team", "hhir.cli.people",
                    "hhir.cli.interactions")


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
    except KeyboardInterrupt:
        click.echo("cancelled", err=True)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last resort: even a bug ends in one line, the details in the log
        message = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        click.echo(f"error: unexpected {type(exc).__name__}" + (f": {printable(message)}" if message else "")
                   + f" (details in {_log_traceback(exc)})", err=True)
        return 1
    return code if isinstance(code, int) else 0


def _log_traceback(exc: BaseException) -> str:
    """Write ``exc``'s traceback to the log file only (never to the terminal); where it went."""
    import traceback

    record = logging.LogRecord("hhir.cli", logging.ERROR, __file__, 0, "unexpected error", None,
                               (type(exc), exc, exc.__traceback__))
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            handler.handle(record)
            return handler.baseFilename
    from hhir.logs import log_file  # logging was not set up yet (the error came before any command ran)

    path = log_file("hhir")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write("".join(traceback.format_exception(exc)))
    except OSError:
        return "no log file: its folder cannot be written"
    return str(path)


if __name__ == "__main__":
    sys.exit(main())
