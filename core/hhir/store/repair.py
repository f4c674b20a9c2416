"""Checking a project file in full, and rebuilding a damaged one into a fresh copy that loses nothing.

``hhir doctor --check`` runs SQLite's full ``integrity_check`` on a read-only connection. ``hhir
doctor --repair`` copies every table with ``VACUUM INTO`` and rebuilds every index from its table
(``VACUUM INTO`` alone copies a damaged index as it is), checks that the copy is sound and holds
exactly as many rows per table as the original, and only then swaps it in. The original is kept
beside it, renamed, with its ``-wal`` file (which belongs to it and must never be applied to the
copy).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from hhir.errors import StoreError
from hhir.store.engine import SQLITE_HEADER, disk_full, held_engine, is_read_only, read_only_uri


@dataclass(frozen=True)
class RepairReport:
    """What a repair did: the problems found, the rows kept per table, and where the original went."""

    problems: list[str]
    rows: dict[str, int]
    kept_original: Path | None


def _open(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise StoreError(f"{path}: no such project file")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise StoreError(f"{path}: not a SQLite database (not an HHIR Studio project file)")
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        conn.execute("PRAGMA trusted_schema = OFF")  # the file may come from elsewhere
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open the database ({exc})") from exc
    return conn


def integrity_problems(path: str | Path) -> list[str]:
    """SQLite's full ``integrity_check`` of a project file, read-only; empty when the file is sound.

    Raises:
        StoreError: the file is missing, is not SQLite, or cannot be read at all;
            :class:`~hhir.store.engine.DiskFull` when the disk is full.
    """
    path = Path(path)
    engine = held_engine(path)
    if engine is not None:  # open in this process: check through its engine, never a second connection
        with engine.connect() as held:
            found = [str(row[0]) for row in held.exec_driver_sql("PRAGMA integrity_check")]
        return [] if found == ["ok"] else found
    try:
        conn = _open(path)
    except StoreError as exc:
        full = disk_full(path, exc)
        if full is not None:
            raise full from exc
        raise
    try:
        found = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        conn.close()
        full = disk_full(path, exc)  # a full disk is not damage: the -shm could not grow
        if full is not None:
            raise full from exc
        return [str(exc)]
    conn.close()
    return [] if found == ["ok"] else found


def _row_counts(conn: sqlite3.Connection, schema: str = "main") -> dict[str, int]:
    """Rows per table, counted from the tables themselves (NOT INDEXED: an index may be the damage)."""
    names = [r[0] for r in conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]  # noqa: S608 - schema is ours
    # Table names come from the file's own catalogue, quoted; no value is interpolated.
    return {n: conn.execute(f'SELECT count(*) FROM {schema}."{n}" NOT INDEXED').fetchone()[0] for n in names}  # noqa: S608


def repair(path: str | Path) -> RepairReport:
    """Rebuild a damaged project file into a fresh copy; the original is kept beside it.

    A sound file is left alone. Nothing is swapped in unless the copy passes ``integrity_check``
    and holds as many rows per table as the original.

    Raises:
        StoreError: the file is read-only, or a table's rows cannot all be read (the original is
            then left exactly as it was).
    """
    path = Path(path).absolute()
    if held_engine(path) is not None:
        raise StoreError(f"{path}: the project is open in this program; close it before repairing")
    problems = integrity_problems(path)
    if not problems:
        return RepairReport([], {}, None)
    if is_read_only(path):
        raise StoreError(f"{path}: read-only, so it cannot be repaired in place; copy it somewhere writable first")
    fresh = path.with_name(f".{path.name}.repair")
    with contextlib.suppress(FileNotFoundError):
        fresh.unlink()
    try:
        rows = _copy_and_rebuild(path, fresh)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            fresh.unlink()
        raise
    return RepairReport(problems, rows, _swap_in(path, fresh))


def _copy_and_rebuild(path: Path, fresh: Path) -> dict[str, int]:
    conn = _open(path)
    try:
        before = _row_counts(conn)
        conn.execute("VACUUM INTO ?", (str(fresh),))
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot be repaired without losing data: a table cannot be read ({exc})") from exc
    finally:
        conn.close()
    copy = sqlite3.connect(fresh)
    try:
        copy.execute("PRAGMA trusted_schema = OFF")
        copy.execute("REINDEX")
        copy.commit()
        left = [str(r[0]) for r in copy.execute("PRAGMA integrity_check")]
        after = _row_counts(copy)
    finally:
        copy.close()
    if left != ["ok"]:
        raise StoreError(f"{path}: the rebuilt copy is still damaged ({'; '.join(left[:3])}); the original is unchanged")
    if after != before:
        lost = {t: before[t] - after.get(t, 0) for t in before if after.get(t, 0) != before[t]}
        raise StoreError(f"{path}: the rebuilt copy would lose rows ({lost}); the original is unchanged")
    return after


def _swap_in(path: Path, fresh: Path) -> Path:
    """Keep the original (and its -wal/-shm, which belong to it) under a new name; move the copy in."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{path.name}.damaged-{stamp}")
    os.replace(path, kept)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, kept.with_name(kept.name + suffix))
    os.replace(fresh, path)
    return kept
