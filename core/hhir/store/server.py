"""Opening a team project on a PostgreSQL server (psycopg 3).

SQLite-only settings (WAL, pragmas, the file checks, backups before migrating) do not apply here:
the server is the one that keeps data durable (``synchronous_commit`` on, its default), and backups
are ``pg_dump``'s job (docs/teams.md).

Writers take one transaction-scoped advisory lock per project database before their first
statement, the server-side twin of SQLite's ``BEGIN IMMEDIATE``: the undo log numbers a video's
steps with ``max(seq) + 1`` and annotations are read-then-written, which under READ COMMITTED would
let two annotators' simultaneous edits collide on a unique key instead of queueing. Edits are
small, so queueing costs milliseconds; readers never take the lock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

CONNECT_TIMEOUT_S = 5  # a network cut fails an edit after this long instead of hanging the window
SERVER_RETRY_S = 5.0  # a write that cannot connect (server restarting) retries this long, then is refused
SERVER_RETRY_PAUSE_S = 0.5
LOCK_TIMEOUT_MS = 30_000  # a writer waits this long for another's transaction, then gives up visibly
WRITE_LOCK_KEY = 0x68686972  # "hhir": the advisory lock every writer of a project takes


def make_server_engine(url: URL, write_option: str) -> Engine:
    """One engine (connection pool) per project database, shared by every thread of a Store.

    ``pool_pre_ping`` tests a pooled connection before use, so after a server restart the next
    call gets a fresh connection instead of failing on a dead one.
    """
    engine = create_engine(
        url,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "hhir",
            "options": f"-c lock_timeout={LOCK_TIMEOUT_MS}",
        },
    )

    def on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(write_option, False):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    event.listen(engine, "begin", on_begin)
    return engine


def is_disconnect(exc: BaseException) -> bool:
    """True for errors that mean the server went away or cannot be reached (restart, network cut,
    connection killed), as opposed to errors of the statement itself (lock timeout, constraint)."""
    if getattr(exc, "connection_invalidated", False):
        return True
    # Client-side connection failures carry no SQLSTATE; 08xxx are connection exceptions and 57P0x
    # the server shutting down, crashing, or still starting.
    state = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return state is None or state.startswith(("08", "57P"))
