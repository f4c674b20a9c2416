"""What the commands share: the ``--db`` option, the project it names (released when the command
ends), and Ctrl-C as a cancel request."""

from __future__ import annotations

import signal
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

from hhir.cli.dbparam import DATABASE, DB_HELP
from hhir.jobs import CancelToken

DB_OPTION = click.option("--db", "db_path", type=DATABASE, default=None, help=DB_HELP)


def open_store(db_path: Path | None):
    """The project database named by --db, else the one the settings name (the app's), else the default."""
    from hhir.cli.config import user_settings
    from hhir.store import Store
    from hhir.store.paths import default_db_path

    store = Store(db_path or user_settings().database or default_db_path())
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # released when the command ends (a server project holds connections)
        ctx.call_on_close(store.close)
    return store


@contextmanager
def cancel_on_ctrl_c() -> Iterator[CancelToken]:
    """The first Ctrl-C asks the running stage to stop at its next batch; a second one aborts."""
    token = CancelToken()

    def handler(signum, frame):  # noqa: ARG001 - signal handler signature
        if token.cancelled:
            raise KeyboardInterrupt
        token.cancel()
        click.echo("\nstopping after the current batch (Ctrl-C again to abort)…", err=True)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield token
    finally:
        signal.signal(signal.SIGINT, previous)
