"""Opening, closing and the per-call sessions every part of the Store API runs in."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from hhir.errors import StoreError
from hhir.fsutil import disk_problem
from hhir.store import location, migrate
from hhir.store.common import WRITE_OPTION
from hhir.store.engine import acquire_engine, release_engine
from hhir.store.server import SERVER_RETRY_PAUSE_S, SERVER_RETRY_S, is_disconnect, make_server_engine
from hhir.store.schema import LabelRow
from hhir.store.default_labels import default_labels_file, load_label_file


_WRITE_LOCKS: dict[str, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(path: str) -> threading.RLock:
    """One lock per database file in this process. Writers from several threads (the app labelling
    while analysis and training write results) queue here instead of in SQLite's busy handler,
    which sleeps and retries with growing pauses and can starve a short edit behind a busy writer."""
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(path, threading.RLock())


def _seed_labels(conn: Connection) -> None:
    labels = load_label_file(default_labels_file())
    rows = [dict(name=lb.name, description=lb.description, key=lb.key, position=i) for i, lb in enumerate(labels)]
    conn.execute(insert(LabelRow), rows)


class StoreBase:
    """A project database file (the parts of :class:`hhir.store.Store` that are not queries).

    Args:
        path: the SQLite file; created (with its folder) and seeded with the default label set
            when missing, migrated to the current schema (after a backup copy) when older.

    Raises:
        StoreError: naming the file, when it is not a SQLite database, is damaged, belongs to
            something else, or was written by a newer version.
    """

    def __init__(self, path: str | Path) -> None:
        self.location = location.parse(path)
        # ``path`` is the SQLite file, None for a PostgreSQL project; ``name`` works for both.
        self.path: Path | None = self.location.path
        self.name = self.location.name
        self._engine = self._open_server() if self.location.is_server else self._open_file()
        self._read = sessionmaker(self._engine, expire_on_commit=False)
        self._write = sessionmaker(self._engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
        self._closed = threading.Event()
        self._close_guard = threading.Lock()
        self._write_lock = _write_lock(self.name)

    @property
    def is_server(self) -> bool:
        """True for a team project on a PostgreSQL server."""
        return self.location.is_server

    def reopen_value(self) -> str:
        """What a child process passes to ``Store(...)`` to open this same project."""
        return self.location.reopen_value()

    def _open_file(self) -> Engine:
        """The process's one engine of this file (shared with every other Store of it here: see
        :func:`hhir.store.engine.acquire_engine`), checked and migrated by its first user."""
        path = self.location.path
        assert path is not None
        return acquire_engine(path, lambda engine: self._migrate_or_raise(engine, path))

    def _open_server(self) -> Engine:
        assert self.location.url is not None
        return self._migrated(make_server_engine(self.location.url, WRITE_OPTION), self.name)

    def _migrate_or_raise(self, engine: Engine, where: Path | str) -> None:
        try:
            migrate.upgrade(where, engine, _seed_labels)
        except OperationalError as exc:
            raise StoreError(f"{self.name}: cannot open the database ({_reason(exc)})") from exc

    def _migrated(self, engine: Engine, where: Path | str) -> Engine:
        try:
            self._migrate_or_raise(engine, where)
        except BaseException:
            engine.dispose()
            raise
        return engine

    def close(self) -> None:
        """Release this Store's hold on the file (the last Store of a file in the process closes
        every connection); the Store cannot be used afterwards. Closing twice is harmless."""
        with self._close_guard:
            if self._closed.is_set():
                return
            self._closed.set()
        if self.location.path is not None:
            release_engine(self.location.path)
        else:
            self._engine.dispose()

    def integrity_problems(self) -> list[str]:
        """Run SQLite's full ``PRAGMA integrity_check``; an empty list means the file is sound.

        A PostgreSQL server checks its own pages (and ``pg_amcheck`` is the admin's tool), so a
        server project reports no problems here.
        """
        if self.is_server:
            return []
        with self._reading() as s:
            found = [str(row[0]) for row in s.connection().exec_driver_sql("PRAGMA integrity_check")]
        return [] if found == ["ok"] else found

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._guard(), self._read() as s:
            yield s

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        with self._guard(), self._write_lock:
            s, transaction = self._write_session()
            with s, transaction:
                yield s

    def _write_session(self) -> tuple[Session, SessionTransaction]:
        """A write session whose connection (and, on a server, the write lock) is already held.

        Taking the connection before the edit's body runs makes a failure at this point safe to
        retry: nothing was sent yet. A server that is restarting refuses connections for a few
        seconds, so a server project retries here for up to ``SERVER_RETRY_S``; a failure later in
        the transaction is never retried (the commit may or may not have happened) and surfaces as
        a StoreError instead.
        """
        deadline = time.monotonic() + (SERVER_RETRY_S if self.is_server else 0.0)
        while True:
            s = self._write()
            transaction = s.begin()
            try:
                s.connection()
                return s, transaction
            except OperationalError as exc:
                s.close()
                if not (self.is_server and is_disconnect(exc)) or time.monotonic() >= deadline:
                    raise
                time.sleep(SERVER_RETRY_PAUSE_S)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        if self._closed.is_set():
            raise StoreError(f"{self.name}: the project database was closed")
        try:
            yield
        except OperationalError as exc:  # disk full, read-only file, lock held past busy_timeout
            if self.is_server and is_disconnect(exc):
                raise StoreError(f"{self.name}: the database server cannot be reached ({_reason(exc)}); "
                                 "an edit made now is not confirmed: make it again once the server is back") from exc
            if "readonly database" in str(exc.orig):
                raise StoreError(f"{self.name}: read-only, opened for review: {_reason(exc)}; nothing was saved") from exc
            full = None if self.is_server else disk_problem(exc, self.location.path)
            if full is not None:  # never a check of the file here: this process holds it open
                raise StoreError(f"{self.name}: {full}, so this change was not saved; everything saved "
                                 "before it is intact: free some space and make it again") from exc
            raise StoreError(f"{self.name}: {_reason(exc)}") from exc
        except IntegrityError as exc:  # a constraint the app's own writes keep, e.g. one planted in a file from elsewhere
            raise StoreError(f"{self.name}: the project refused the change ({_reason(exc)}); nothing was saved") from exc


def _reason(exc: OperationalError | IntegrityError) -> str:
    """The driver's message on one line (psycopg's can span several)."""
    return " ".join(str(exc.orig).split())
