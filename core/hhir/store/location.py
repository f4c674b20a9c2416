"""Where a project lives: a SQLite file (the default) or a PostgreSQL database named by URL.

A value with a ``scheme://`` prefix is always a URL and never a file name: before this check,
``--db postgresql://host/db`` silently created a SQLite file at the relative path ``postgresql:/host/db``.
URL parsing is SQLAlchemy's (``make_url``), so quoting, ports, unix-socket ``?host=`` and passwords
follow its rules.

A URL never has to carry a password: psycopg hands the connection to libpq, which takes it from
``PGPASSWORD``, the password file (``~/.pgpass`` or ``PGPASSFILE``) or a service file
(``postgresql:///?service=NAME`` with ``~/.pg_service.conf`` or ``PGSERVICEFILE``), as ``psql``
does. A password that is in a URL is only ever shown as ``***`` (:func:`mask`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from hhir.errors import StoreError

# Only the scheme shape decides "URL or file": a file called "notes:1" stays a file, "x://" never is.
_URL_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
POSTGRES_DRIVERS = {"postgresql", "postgres", "postgresql+psycopg"}


_URL_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://[^:/@?#]*):[^/?#]*@")  # up to the last @ of the host part


def mask(text: str) -> str:
    """``text`` with the password of a URL at its start replaced by ``***`` (for text that did not
    parse as a URL; a parsed one is shown with ``render_as_string(hide_password=True)``)."""
    return _URL_PASSWORD.sub(r"\1:***@", text)


def is_url(value: str | Path) -> bool:
    """True when ``value`` is written as a URL (``scheme://...``), whatever the scheme."""
    return isinstance(value, str) and bool(_URL_PREFIX.match(value))


@dataclass(frozen=True)
class Location:
    """A parsed ``--db`` value: exactly one of ``path`` (SQLite) and ``url`` (PostgreSQL) is set."""

    path: Path | None = None
    url: URL | None = None

    @property
    def is_server(self) -> bool:
        return self.url is not None

    @property
    def name(self) -> str:
        """For messages and window titles: the file, or the URL with its password hidden."""
        if self.url is not None:
            return self.url.render_as_string(hide_password=True)
        return str(self.path)

    def reopen_value(self) -> str:
        """What another process passes to ``Store(...)`` to open the same project (password kept)."""
        if self.url is not None:
            return self.url.render_as_string(hide_password=False)
        return str(self.path)


def parse(value: str | Path) -> Location:
    """Turn a ``--db`` value (path or URL) into a :class:`Location`.

    ``sqlite:///file`` is accepted as a file; ``postgresql://``/``postgres://`` use psycopg 3.

    Raises:
        StoreError: for a URL that cannot be parsed, a database other than SQLite or PostgreSQL,
            or a PostgreSQL URL without a database name (nor a ``service``).
    """
    if not is_url(value):
        return Location(path=Path(value).expanduser().resolve())
    text = str(value)
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise StoreError(f"{mask(text)}: not a valid database URL") from exc
    if url.drivername == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StoreError(f"{url}: a SQLite URL needs a file (sqlite:///path/to/project.sqlite3)")
        return Location(path=Path(url.database).expanduser().resolve())
    if url.drivername not in POSTGRES_DRIVERS:
        raise StoreError(f"{url.render_as_string(hide_password=True)}: unsupported database "
                         f"{url.drivername!r}; use a file path or postgresql://user@host/name")
    if not url.database and "service" not in url.query:  # a service file may name the database
        raise StoreError(f"{url.render_as_string(hide_password=True)}: the URL names no database (postgresql://user@host/NAME)")
    return Location(url=url.set(drivername="postgresql+psycopg"))
