"""Team projects on a real PostgreSQL server: URLs are never file names, the schema is the
migrations', a server that goes away is reported and survived, and a fault run loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hhir.errors import StoreError
from hhir.store import Store
from hhir.store.location import is_url, parse
from hhir.store.migrate import HEAD
from hhir.store.schema import Base, EditRow
from hhir.types import AnnotationState, Clip, Target, VideoInfo

pytestmark = pytest.mark.postgresql
TESTS = Path(__file__).resolve().parents[1]


def test_locations_are_urls_only_when_written_as_urls(tmp_path: Path) -> None:
    assert parse("postgresql://ana@db.lab/hhir").url.database == "hhir"
    assert parse("postgres://ana:secret@db.lab:6543/hhir").name == "postgresql+psycopg://ana:***@db.lab:6543/hhir"
    assert parse(str(tmp_path / "notes:1.sqlite")).path == tmp_path / "notes:1.sqlite"
    assert parse(f"sqlite:///{tmp_path}/p.sqlite").path == tmp_path / "p.sqlite"
    assert not is_url(tmp_path / "postgresql:")
    for bad, why in (("mysql://u@h/db", "unsupported database 'mysql'"), ("postgresql://u@h", "names no database")):
        with pytest.raises(StoreError, match=why):
            parse(bad)


def test_cli_db_url_uses_the_server_and_writes_no_file(pg_url: str, tmp_path: Path) -> None:
    hhir = Path(sys.executable).with_name("hhir")
    done = subprocess.run([str(hhir), "models", "list", "--db", pg_url], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.iterdir()) == []  # before, a SQLite file appeared at ./postgresql:/...
    engine = sa.create_engine(parse(pg_url).url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()
    bad = subprocess.run([str(hhir), "models", "list", "--db", "mysql://u@h/db"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "unsupported database 'mysql'" in bad.stderr and "Traceback" not in bad.stderr


def test_migrations_build_the_models_schema_on_postgresql(pg_server, pg_url: str) -> None:
    Store(pg_url).close()
    engine = sa.create_engine(parse(pg_url).url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_a_foreign_database_is_refused_untouched(pg_server) -> None:
    url = pg_server.create_database("someone_else")
    pg_server.sql("CREATE TABLE invoices (id integer)", "someone_else")
    with pytest.raises(StoreError, match="not an HHIR Studio project"):
        Store(url)
    engine = sa.create_engine(parse(url).url)
    assert sa.inspect(engine).get_table_names() == ["invoices"]
    engine.dispose()


def _video(store: Store, clips: int = 3) -> tuple[int, list[Clip]]:
    v = store.add_video(VideoInfo("/f/team.mp4", 60.0, 25.0, 1500, 160, 120, True, fingerprint="fp-server"))
    made = [Clip(i, i, i, float(i), float(i + 1), i * 25, (i + 1) * 25) for i in range(clips)]
    return v.id, store.set_clips(v.id, made)


@pytest.mark.slow
def test_server_going_away_refuses_edits_visibly_and_recovers(pg_server, pg_url: str) -> None:
    store = Store(pg_url)
    vid, clips = _video(store)
    store.annotate(Target(vid, clips[0].id), "asks", AnnotationState.PRESENT, "ana")
    pg_server.stop("immediate")  # a crash, not a polite shutdown
    try:
        started = time.monotonic()
        with pytest.raises(StoreError, match="cannot be reached.*make it again"):
            store.annotate(Target(vid, clips[1].id), "asks", AnnotationState.PRESENT, "ana")
        assert time.monotonic() - started < 30
        with pytest.raises(StoreError, match="cannot be reached"):
            store.annotations(vid)
    finally:
        pg_server.start()
    # The same Store carries on once the server is back: nothing acknowledged was lost, nothing refused was kept.
    assert [(a.target.clip_id, a.label) for a in store.annotations(vid)] == [(clips[0].id, "asks")]
    store.annotate(Target(vid, clips[1].id), "asks", AnnotationState.PRESENT, "ana")
    assert len(store.annotations(vid)) == 2
    store.close()


def _journal(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def test_writers_killed_and_server_restarted_lose_and_duplicate_nothing(pg_server, pg_url: str, tmp_path: Path) -> None:
    store = Store(pg_url)
    vid, _ = _video(store, clips=60)
    count, batch, names = 40, 10, ["ana", "ben", "carla"]
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    procs = {
        name: subprocess.Popen([sys.executable, str(TESTS / "pg_writer.py"), pg_url, name, str(vid), str(count), str(batch),
                                str(tmp_path / f"{name}.journal")], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in names
    }
    for proc in procs.values():
        assert proc.stdout.readline().strip() == "ready"
    while len(_journal(tmp_path / "carla.journal")) < 5:
        time.sleep(0.02)
    procs["carla"].send_signal(signal.SIGKILL)  # mid-run, most likely inside a 10-row transaction
    while len(_journal(tmp_path / "ana.journal")) < 10:
        time.sleep(0.02)
    pg_server.restart("immediate")  # crash and recovery while ana and ben are writing
    refused = 0
    for name in names:
        _, err = procs[name].communicate(timeout=180)
        assert procs[name].returncode == (-signal.SIGKILL if name == "carla" else 0), err
        refused += err.count("cannot be reached")
    assert refused > 0  # the restart was felt, and the refused edits were made again
    for name in names:
        acked = _journal(tmp_path / f"{name}.journal")
        stored = store.annotations(vid, annotator=name)
        cells = {(a.target.clip_id, a.label) for a in stored}
        assert len(cells) == len(stored)  # none twice
        assert len(stored) % batch == 0  # whole edits only: a killed transaction left nothing behind
        edits = len(stored) // batch
        if name == "carla":  # the edit in flight at the kill may have committed before it was journaled
            assert edits in (len(acked), len(acked) + 1) and len(acked) < count
        else:
            assert acked == list(range(count)) and edits == count
    engine = sa.create_engine(parse(pg_url).url)
    with engine.connect() as conn:  # one undo step per committed edit, none logged twice
        steps = conn.execute(sa.select(EditRow.annotator, sa.func.count()).group_by(EditRow.annotator)).all()
    engine.dispose()
    assert dict(steps) == {name: len(store.annotations(vid, annotator=name)) // batch for name in names}
    store.close()


def test_an_annotator_role_without_schema_rights_works_on_a_migrated_project(pg_server) -> None:
    """The roles of docs/teams.md: the owner migrates, annotators only read and write rows."""
    url = pg_server.create_database("roles_project")
    owner = parse(url).url
    pg_server.sql("CREATE ROLE annotators NOLOGIN")
    pg_server.sql("CREATE ROLE ana LOGIN IN ROLE annotators")
    try:
        Store(url).close()  # the owner (the superuser here) creates the schema
        for grant in ("GRANT USAGE ON SCHEMA public TO annotators",
                      "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO annotators",
                      "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO annotators",
                      "REVOKE CREATE ON SCHEMA public FROM PUBLIC"):
            pg_server.sql(grant, "roles_project")
        ana = Store(owner.set(username="ana").render_as_string(hide_password=False))
        vid, clips = _video(ana)
        ana.annotate(Target(vid, clips[0].id), "asks", AnnotationState.PRESENT, "ana")
        assert ana.undo(vid, "ana") is not None and ana.annotations(vid) == []
        ana.close()
        pg_server.sql("UPDATE alembic_version SET version_num = '0003'", "roles_project")  # an older schema
        with pytest.raises(StoreError, match="could not upgrade the database from schema 0003"):
            Store(owner.set(username="ana").render_as_string(hide_password=False))
    finally:
        pg_server.drop_database("roles_project")
        pg_server.sql("DROP ROLE ana")
        pg_server.sql("DROP ROLE annotators")
