"""Opening, closing and the per-call sessions every part of the Store API runs in."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from sqlalchemy import Connection, insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hhir.errors import StoreError
from hhir.store import migrate
from hhir.store.engine import WRITE_OPTION, check_file, make_engine
from hhir.store.schema import LabelRow
from hhir.store.seed import default_labels_file, load_label_file


_WRITE_LOCKS: dict[Path, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(path: Path) -> threading.RLock:
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
        self.path = Path(path).expanduser().resolve()
        check_file(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create its folder ({exc})") from exc
        self._engine = make_engine(self.path)
        try:
            migrate.upgrade(self.path, self._engine, _seed_labels)
        except OperationalError as exc:
            self._engine.dispose()
            raise StoreError(f"{self.path}: cannot open the database ({exc.orig})") from exc
        except BaseException:
            self._engine.dispose()
            raise
        self._read = sessionmaker(self._engine, expire_on_commit=False)
        self._write = sessionmaker(self._engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
        self._closed = threading.Event()
        self._write_lock = _write_lock(self.path)

    def close(self) -> None:
        """Release every connection; the Store cannot be used afterwards."""
        self._closed.set()
        self._engine.dispose()

    def integrity_problems(self) -> list[str]:
        """Run SQLite's full ``PRAGMA integrity_check``; an empty list means the file is sound."""
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
        with self._guard(), self._write_lock, self._write.begin() as s:
            yield s

    @contextmanager
    def _guard(self) -> Iterator[None]:
        if self._closed.is_set():
            raise StoreError(f"{self.path}: the project database was closed")
        try:
            yield
        except OperationalError as exc:  # disk full, read-only file, lock held past busy_timeout
            raise StoreError(f"{self.path}: {exc.orig}") from exc
