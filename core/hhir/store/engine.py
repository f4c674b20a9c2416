"""Opening the SQLite file: checks for files from elsewhere, connection settings, transactions.

Durability: ``synchronous=FULL``. In WAL mode ``NORMAL`` already keeps every committed edit
across a killed process (the WAL write happens before the commit returns), but it may lose the
last commits on power loss or an OS crash. A person's edit is one small transaction, so the extra
fsync per commit costs a few milliseconds and buys "every edit whose commit returned is there"
even when the laptop's battery dies; bulk writes (features, predictions) are one transaction each.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from hhir.errors import StoreError
from hhir.fsutil import disk_problem, free_bytes
from hhir.store.common import WRITE_OPTION

BUSY_TIMEOUT_S = 10.0
SQLITE_HEADER = b"SQLite format 3\x00"

WAL_PRAGMA = "PRAGMA journal_mode = WAL"  # a write to the header: never on a file being checked or read-only
_PRAGMAS = (
    f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}",
    WAL_PRAGMA,
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    # A project file may come from someone else: don't run schema-embedded functions, and check
    # cell sizes so a corrupt page raises instead of being read past its end.
    "PRAGMA trusted_schema = OFF",
    "PRAGMA cell_size_check = ON",
)


def is_read_only(path: Path) -> bool:
    """Whether the project file, or (for its journal) its folder, cannot be written: a read-only
    mount, an immutable folder or file, or missing permissions."""
    return not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK))


def read_only_uri(path: Path) -> str:
    """A SQLite URI that opens ``path`` for reading only, even where no ``-shm`` file can be made.

    In a folder that cannot be written, SQLite cannot create the WAL index; ``immutable=1`` reads
    the file as it stands, which is right when no ``-wal`` file holds commits beside it.
    """
    wal = path.with_name(path.name + "-wal")
    immutable = not os.access(path.parent, os.W_OK) and not (wal.exists() and wal.stat().st_size > 0)
    return f"file:{quote(str(path))}?mode=ro" + ("&immutable=1" if immutable else "")


def _connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)


def check_file(path: Path) -> None:
    """Refuse a file that is not an intact HHIR Studio project, before anything writes to it.

    Only reads happen here, on a read-only connection (no WAL switch, no migration), so a file
    that is refused is left byte for byte as it was. Opening runs ``PRAGMA quick_check`` (pages,
    cells and free list, linear in the file) and, on files up to ``FULL_CHECK_BYTES``, the full
    ``integrity_check``, which also proves every index matches its table.

    Raises:
        StoreError: naming the file, when it is not SQLite, fails the check, is another program's
            database, carries triggers or views the app never creates, was written by a newer
            version, or is read-only and would need upgrading.
    """
    if not path.exists():
        if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
            raise StoreError(f"{path}: the folder is read-only, so no project can be created there")
        return
    if path.stat().st_size == 0:
        return
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a project database")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the project database ({exc.strerror or exc})") from exc
    if header != SQLITE_HEADER:
        raise StoreError(f"{path}: not a SQLite database (not an HHIR Studio project file)")
    problems, objects, revision = _inspect(path)
    if problems:
        raise StoreError(f"{path}: damaged database ({'; '.join(problems[:3])}); "
                         f"`hhir doctor --repair --db {shlex.quote(str(path))}` rebuilds it into a fresh copy")
    _check_schema_objects(path, objects)
    _check_revision(path, revision)


FULL_CHECK_BYTES = 256 * 1024 * 1024
"""Up to this size opening runs the full ``integrity_check``; above it, ``quick_check`` only
(``hhir doctor --check`` runs the full one on any size). On a 226 MiB file with two indexes the
full check took 0.36 CPU-s against 0.19 for the quick one: a fraction of a second per open buys
catching an index that no longer matches its table before the app writes through it."""


def _inspect(path: Path) -> tuple[list[str], list[tuple[str, str]], str | None]:
    check = "integrity_check" if path.stat().st_size <= FULL_CHECK_BYTES else "quick_check"
    try:
        conn = _connect_read_only(path)
        try:
            conn.execute("PRAGMA trusted_schema = OFF")  # checking must not run what the schema names
            rows = _run_check(conn, check)
            objects = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
            revision = None
            if ("table", "alembic_version") in objects:
                found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = found[0] if found else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if "unable to open" in str(exc) and is_read_only(path):
            raise StoreError(f"{path}: read-only, and it cannot be read without writing beside it ({exc})") from exc
        full = disk_full(path, exc)
        if full is not None:
            raise full from exc
        raise StoreError(f"{path}: damaged database ({exc})") from exc
    return [row[0] for row in rows if row[0] != "ok"], objects, revision


class DiskFull(StoreError):
    """The disk holding the project is full: nothing could be written, and nothing was changed.

    ``intact`` is True when the file passed ``integrity_check`` read without writing anything
    (possible when no ``-wal`` holds commits), None when it could not be checked that way.
    """

    def __init__(self, message: str, intact: bool | None) -> None:
        super().__init__(message)
        self.intact = intact


def _free_text(folder: Path) -> str:
    free = free_bytes(folder)
    return "" if free is None else f", {free // 1024} KiB free"


def disk_full(path: Path, exc: BaseException | None = None) -> DiskFull | None:
    """A :class:`DiskFull` for ``path`` when ``exc`` (or the free space beside it) says the disk is
    full, None otherwise. SQLite reports a full disk while it grows ``-shm`` as "disk I/O error",
    which is not damage: the file is then checked read-only without writing anything beside it.

    Opens the file outside any engine: call it only while this process holds no engine of ``path``
    (:func:`check_file`, ``hhir doctor``), never from a Store's own error path.
    """
    problem = disk_problem(exc, path.parent)
    if problem is None:
        return None
    intact = _intact_without_writing(path) if held_engine(path) is None else None
    if intact is True:
        verdict = "the project is intact (integrity check ok, read without writing)"
    elif intact is False:
        verdict = "the project also fails its integrity check: run `hhir doctor --check` once there is space"
    else:
        verdict = (f"nothing in the project was changed (its latest edits wait in {path.name}-wal, "
                   "which is kept and applied when it is opened again)")
    return DiskFull(f"{path}: {problem} ({path.parent}{_free_text(path.parent)}); {verdict}; "
                    "free some space and try again", intact)


def _intact_without_writing(path: Path) -> bool | None:
    """``integrity_check`` of a file that no ``-wal`` holds commits for, read as immutable (no
    ``-shm``, no lock, nothing written); None when a ``-wal`` has commits or it cannot be read."""
    wal = path.with_name(path.name + "-wal")
    if not path.is_file() or (wal.exists() and wal.stat().st_size > 0):
        return None
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True)
        try:
            conn.execute("PRAGMA trusted_schema = OFF")
            return conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _run_check(conn: sqlite3.Connection, check: str) -> list[tuple]:
    try:
        return conn.execute(f"PRAGMA {check}").fetchall()
    except sqlite3.OperationalError as exc:
        # An expression index calling a function this app does not define (or may not run) cannot
        # be verified; the pages can, and trusted_schema=OFF keeps the function from ever running.
        if check == "quick_check" or "function" not in str(exc):
            raise
        return conn.execute("PRAGMA quick_check").fetchall()


def _check_revision(path: Path, revision: str | None) -> None:
    """A newer schema is refused here, on the read-only connection, before the WAL switch writes."""
    from hhir.store.migrate import HEAD, known_revisions

    if revision is None or revision == HEAD:
        return
    if revision not in known_revisions():
        raise StoreError(f"{path}: written by a newer HHIR Studio (schema {revision}); update the app to open it")
    if is_read_only(path):
        raise StoreError(f"{path}: read-only, and its schema ({revision}) needs upgrading, which writes to it; "
                         "copy it somewhere writable to open it")


def _check_schema_objects(path: Path, objects: list[tuple[str, str]]) -> None:
    if objects and ("table", "alembic_version") not in objects:
        raise StoreError(f"{path}: a SQLite database, but not an HHIR Studio project (no schema version)")
    # The schema never has triggers or views; one in a file from elsewhere could rewrite or delete
    # rows behind every edit with plain SQL, which trusted_schema=OFF does not stop.
    planted = sorted(f"{kind} {name}" for kind, name in objects if kind in ("trigger", "view"))
    if planted:
        raise StoreError(f"{path}: contains {', '.join(planted)}, which HHIR Studio never creates; refusing to open it")


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any, read_only: bool = False) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself: pysqlite's own implicit transactions
    # would start too late (after reads) and commit DDL behind our back.
    dbapi_conn.isolation_level = None
    # SQLITE_DBCONFIG_DEFENSIVE needs Connection.setconfig (Python 3.12+); on 3.11 we rely on
    # trusted_schema=OFF and cell_size_check=ON alone.
    setconfig = getattr(dbapi_conn, "setconfig", None)
    if setconfig is not None:
        setconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE, True)  # type: ignore[attr-defined]
    cursor = dbapi_conn.cursor()
    try:
        for pragma in _PRAGMAS:
            if not (read_only and pragma == WAL_PRAGMA):
                cursor.execute(pragma)
    finally:
        cursor.close()


def _on_begin(conn: Any) -> None:
    # Writers take the write lock up front (BEGIN IMMEDIATE): a deferred transaction that reads
    # and then writes fails at once with "database is locked" when another writer got in between,
    # whereas BEGIN IMMEDIATE waits for busy_timeout. Readers stay deferred and never block.
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(path: Path) -> Engine:
    """The engine of a database file. Use :func:`acquire_engine`, which hands out one per file per
    process; this only builds it.

    A file that cannot be written (see :func:`is_read_only`) is opened read-only, for review:
    reads work, and any write fails with SQLite's "attempt to write a readonly database".
    """
    if path.exists() and is_read_only(path):
        engine = create_engine("sqlite://", creator=lambda: _connect_read_only(path), poolclass=QueuePool)
        event.listen(engine, "connect", lambda conn, record: _on_connect(conn, record, read_only=True))
        event.listen(engine, "begin", _on_begin)
        return engine
    url = URL.create("sqlite", database=str(path))
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


# One engine per project file per process, by construction.
#
# SQLite's locks are POSIX advisory locks: they belong to the process, and closing *any* descriptor
# of the file releases all of them ("How To Corrupt An SQLite Database File", section 2.2). A second
# engine on the same file in one process (the app's Store plus an export's or a check's), a header
# read with ``open()`` or a backup through a second connection therefore silently unlocks the first
# engine's connections; another process that opens and closes the project then believes it is the
# last user, checkpoints and deletes the ``-wal`` that the first engine still writes into, and every
# edit confirmed afterwards is lost with the process. So every Store of a file in this process shares
# one engine, counted by users, and the file is only read outside that engine's connections
# (``check_file``) before the engine exists, under the same lock, never while it is open.


@dataclass
class _Held:
    engine: Engine
    users: int


_ENGINES: dict[str, _Held] = {}
_ENGINES_GUARD = threading.RLock()
_INHERITED: list[_Held] = []


def file_key(path: Path) -> str:
    """The registry's key of a project file: its resolved path (symbolic links followed)."""
    return os.path.realpath(path)


def acquire_engine(path: Path, prepare: Callable[[Engine], None]) -> Engine:
    """The one engine of ``path`` in this process; the first user checks the file, builds the engine
    and runs ``prepare`` on it (the migration). Give it back with :func:`release_engine`.

    Raises:
        StoreError: from :func:`check_file` or ``prepare`` (the engine is then disposed, not kept).
    """
    key = file_key(path)
    with _ENGINES_GUARD:
        held = _ENGINES.get(key)
        if held is not None:
            held.users += 1
            return held.engine
        check_file(path)  # plain reads of the file: only here, while no engine of it exists
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create its folder ({exc})") from exc
        engine = make_engine(path)
        try:
            prepare(engine)
        except BaseException:
            engine.dispose()
            raise
        _ENGINES[key] = _Held(engine, 1)
        return engine


def release_engine(path: Path) -> None:
    """One user fewer; the last one disposes the engine (closes every connection of the file)."""
    key = file_key(path)
    with _ENGINES_GUARD:
        held = _ENGINES.get(key)
        if held is None:
            return
        held.users -= 1
        if held.users > 0:
            return
        del _ENGINES[key]
        held.engine.dispose()


def held_engine(path: Path) -> Engine | None:
    """The engine this process holds on ``path``, if any: checks and backups of an open project
    must go through it rather than open the file again."""
    with _ENGINES_GUARD:
        held = _ENGINES.get(file_key(path))
        return held.engine if held is not None else None


def held_engines() -> dict[str, int]:
    """Files this process holds open, with their number of users (for tests and diagnostics)."""
    with _ENGINES_GUARD:
        return {key: held.users for key, held in _ENGINES.items()}


def _forget_after_fork() -> None:
    """A forked child inherits the registry but not the locks: its engines are its parent's, so it
    must build its own (SQLite connections must never cross a fork). The inherited ones are kept
    referenced and never closed here: closing them in the child could checkpoint the parent's file."""
    global _ENGINES_GUARD  # noqa: PLW0603 - a lock held by a thread the fork did not copy stays held
    _INHERITED.extend(_ENGINES.values())
    _ENGINES.clear()
    _ENGINES_GUARD = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
