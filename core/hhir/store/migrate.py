"""Bringing a database file to the head revision: backup first, then one transaction.

Alembic is imported only when a file actually needs migrating: opening an up-to-date project
(every app start, every job process) reads the revision with one query.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sqlalchemy import Connection, Engine, inspect, text

from hhir.errors import StoreError
from hhir.fsutil import atomic_path, disk_problem
from hhir.store.common import WRITE_OPTION

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0009"  # the newest file in migrations/versions; a test keeps the two in step


def alembic_config() -> Config:
    """Alembic settings built in code: the frozen app ships no alembic.ini."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(conn: Connection) -> str | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def backup(engine: Engine, path: Path, revision: str) -> Path:
    """Copy a live database with SQLite's online backup API (consistent even with a WAL).

    The copy is read through one of ``engine``'s own connections: a second connection to the file
    in this process would release the engine's locks when it closes (see
    :func:`hhir.store.engine.acquire_engine`). It is written under a temporary name, checked
    (``integrity_check``, and it holds the schema revision it is a backup of), and only then
    renamed to ``<file>.bak-<revision>-<time>``: a kill or a full disk half-way leaves no file
    that looks like a backup.

    Raises:
        StoreError: the copy could not be written or is not sound (nothing was migrated yet).
    """
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.bak-{revision}-{stamp}")
    try:
        with atomic_path(target) as partial:
            raw = engine.raw_connection()
            try:
                dst = sqlite3.connect(partial)
                try:
                    raw.driver_connection.backup(dst)  # type: ignore[union-attr]
                    problems = [str(r[0]) for r in dst.execute("PRAGMA integrity_check")]
                    copied = dst.execute("SELECT version_num FROM alembic_version").fetchone()
                finally:
                    dst.close()
            finally:
                raw.close()
            if problems != ["ok"] or copied is None or copied[0] != revision:
                raise StoreError(f"{path}: the backup before upgrading is not sound "
                                 f"({'; '.join(problems[:3])}); nothing was upgraded")
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{path}: could not write the backup before upgrading "
                         f"({disk_problem(exc) or exc}); nothing was upgraded") from exc
    log.info("backed up %s to %s before migrating", path, target)
    return target


def _check_revision(path: Path | str, conn: Connection, revision: str | None) -> None:
    if revision is None and inspect(conn).get_table_names():
        kind = "a SQLite" if conn.dialect.name == "sqlite" else "a"
        raise StoreError(f"{path}: {kind} database, but not an HHIR Studio project (no schema version)")
    if revision is not None and revision != HEAD and revision not in known_revisions():
        raise StoreError(f"{path}: written by a newer HHIR Studio (schema {revision}); update the app to open it")


def _migrate(conn: Connection, on_create: Callable[[Connection], None]) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = conn
    # Re-read inside the write lock: another process may have migrated meanwhile.
    start = current_revision(conn)
    if start != HEAD:
        command.upgrade(config, "head")
    if start is None:
        on_create(conn)


def upgrade(path: Path | str, engine: Engine, on_create: Callable[[Connection], None]) -> None:
    """Migrate ``path`` to head inside one write transaction.

    ``on_create`` fills a database created from scratch, in the same transaction, so another
    process opening the file at the same time never sees an empty label set.

    Raises:
        StoreError: for a foreign SQLite file, a newer schema, or a failed migration (the old
        database stays as it was, and its backup next to it).
    """
    with engine.connect() as conn:
        revision = current_revision(conn)
        _check_revision(path, conn, revision)
    if revision == HEAD:
        return
    if revision is not None and engine.dialect.name == "sqlite":  # a server's backups are pg_dump's
        backup(engine, Path(path), revision)
    try:
        # BEGIN IMMEDIATE: two processes opening a new file at once migrate one after the other.
        with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
            _migrate(conn, on_create)
    except StoreError:
        raise
    except Exception as exc:  # any failure inside the migration: the transaction rolled back
        raise StoreError(f"{path}: could not upgrade the database from schema {revision} ({exc})") from exc
