"""Opening the SQLite file: checks for files from elsewhere, connection settings, transactions.

Durability: ``synchronous=FULL``. In WAL mode ``NORMAL`` already keeps every committed edit
across a killed process (the WAL write happens before the commit returns), but it may lose the
last commits on power loss or an OS crash. A person's edit is one small transaction, so the extra
fsync per commit costs a few milliseconds and buys "every edit whose commit returned is there"
even when the laptop's battery dies; bulk writes (features, predictions) are one transaction each.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event

from hhir.errors import StoreError

BUSY_TIMEOUT_S = 10.0
SQLITE_HEADER = b"SQLite format 3\x00"
WRITE_OPTION = "hhir_write"

_PRAGMAS = (
    f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    # A project file may come from someone else: don't run schema-embedded functions, and check
    # cell sizes so a corrupt page raises instead of being read past its end.
    "PRAGMA trusted_schema = OFF",
    "PRAGMA cell_size_check = ON",
)


def check_file(path: Path) -> None:
    """Refuse a file that is not an intact HHIR Studio project, before anything writes to it.

    Only reads happen here (no WAL switch, no migration), so a file that is refused is left
    byte for byte as it was.

    Raises:
        StoreError: naming the file, when it is not SQLite, fails ``PRAGMA quick_check``, is
            another program's database, or carries triggers or views the app never creates.
    """
    if not path.exists() or path.stat().st_size == 0:
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
    problems, objects = _inspect(path)
    if problems:
        raise StoreError(f"{path}: damaged database ({'; '.join(problems[:3])})")
    _check_schema_objects(path, objects)


def _inspect(path: Path) -> tuple[list[str], list[tuple[str, str]]]:
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            objects = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: damaged database ({exc})") from exc
    return [row[0] for row in rows if row[0] != "ok"], objects


def _check_schema_objects(path: Path, objects: list[tuple[str, str]]) -> None:
    if objects and ("table", "alembic_version") not in objects:
        raise StoreError(f"{path}: a SQLite database, but not an HHIR Studio project (no schema version)")
    # The schema never has triggers or views; one in a file from elsewhere could rewrite or delete
    # rows behind every edit with plain SQL, which trusted_schema=OFF does not stop.
    planted = sorted(f"{kind} {name}" for kind, name in objects if kind in ("trigger", "view"))
    if planted:
        raise StoreError(f"{path}: contains {', '.join(planted)}, which HHIR Studio never creates; refusing to open it")


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
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
    """One engine per database file, shared by every thread of a Store."""
    url = URL.create("sqlite", database=str(path))
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine
