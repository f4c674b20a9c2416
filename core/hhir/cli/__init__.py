"""The ``hhir`` command line: every command is registered here, in :data:`COMMANDS`.

A command's module is imported when the command runs (or its own ``--help`` is asked for), so
``hhir --help`` and a mistyped command cost what Click costs: no project store, SQLAlchemy or numpy.

Modules: ``context`` (the ``--db`` option, the project it names, Ctrl-C as cancel), ``dbparam``
(the ``--db`` value), ``config`` (what the settings file supplies), one module per command or group
(``analyze``, ``doctor``, ``models``, ``learn``, ``labels``, ``split``, ``team``, ``exchange``, ``people``, ``interactions``) and
their helpers (``train_report``, ``corpus``).
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from hhir.errors import HHIRError, printable

COMMANDS: dict[str, tuple[str, str]] = {
    # name: ("module:attribute", the one line ``hhir --help`` shows)
    "analyze": ("hhir.cli.analyze:analyze", "Analyze videos: shots, clips, transcript, suggestions."),
    "doctor": ("hhir.cli.doctor:doctor", "What is installed, the models found, the project's health."),
    "models": ("hhir.cli.models:models_group", "Model versions: list, activate, roll back, import-seed."),
    "train": ("hhir.cli.learn:train", "Train a new model version from the project's annotations."),
    "evaluate": ("hhir.cli.learn:evaluate", "Metrics of a model bundle on held-out annotated scenes."),
    "agreement": ("hhir.cli.learn:agreement", "Kappa between annotators, and model-vs-human F1."),
    "queue": ("hhir.cli.learn:queue", "Unreviewed clips, most useful to review first."),
    "labels": ("hhir.cli.labels:labels_group", "The project's interaction labels: list, add."),
    "split": ("hhir.cli.split:split_group", "Which videos train, validate and test every model."),
    "disagreements": ("hhir.cli.team:disagreements", "Labels on which annotators' decisions differ."),
    "adjudicate": ("hhir.cli.team:adjudicate", "Record the final decision where annotators differ."),
    "adjudication-policy": ("hhir.cli.team:adjudication_policy", "Show or set who may adjudicate in this project."),
    "export": ("hhir.cli.exchange:export_command", "Export the project's labels in a format."),
    "import": ("hhir.cli.exchange:import_command", "Import a file or folder in a format into the project."),
    "people": ("hhir.cli.people:people_group", "Who is on screen: characters and tracks; name, merge, export."),
    "interactions": ("hhir.cli.interactions:interactions_group", "Who does what to whom, when: add, list, set, export."),
}


class CommandTable(click.Group):
    """A group whose commands are loaded from :data:`COMMANDS` when first used (Click's lazy
    group); the listing in ``hhir --help`` comes from the table without importing anything."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        target, short_help = COMMANDS[cmd_name]
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command) or command.name != cmd_name:
            raise RuntimeError(f"hhir.cli.COMMANDS[{cmd_name!r}]: {target} is not the command {cmd_name!r}")
        command.short_help = short_help
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=CommandTable, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what each stage does.")
def cli(verbose: bool) -> None:
    """HHIR Studio: analyze videos, review interaction labels, train and export."""
    from hhir.logs import setup_logging

    setup_logging("hhir", verbose)


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
