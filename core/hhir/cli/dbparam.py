"""The ``--db`` option's value: a project file, or a ``postgresql://`` URL kept as the string it is.

``click.Path`` would turn ``postgresql://host/db`` into the file name ``postgresql:/host/db``.
"""

from __future__ import annotations

from pathlib import Path

import click

from hhir.errors import StoreError


class DatabaseParam(click.ParamType):
    """A path (returned as ``Path``) or a database URL (validated, returned as ``str``)."""

    name = "PATH|URL"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Path | str:
        if isinstance(value, Path):
            return value
        from hhir.store.location import is_url, parse  # the store (SQLAlchemy) only once --db is given

        text = str(value)
        if not is_url(text):
            return Path(text)
        try:
            parse(text)
        except StoreError as exc:
            self.fail(str(exc), param, ctx)
        return text


DATABASE = DatabaseParam()
DB_HELP = ("Project: a SQLite file, or postgresql://user@host/name for a team project "
           "(default: the settings' database, else $HHIR_DB or the user data folder).")
