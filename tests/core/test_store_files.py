"""Opening files: foreign or damaged ones are refused by name; old schemas are backed up and migrated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hhir.errors import StoreError
from hhir.store import Store
from hhir.store.engine import make_engine
from hhir.store.migrate import alembic_config
from hhir.store.schema import Base
from hhir.types import AnnotationState, Target, TranscriptSegment, VideoInfo


def build_at(path: Path, revision: str) -> None:
    engine = make_engine(path)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    engine.dispose()


def fill_0001(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO videos VALUES (1, '/f/a.mp4', 'fp', 8.0, 25.0, 200, 160, 120, 1, '2024-01-01')")
        conn.execute("INSERT INTO clips VALUES (1, 1, 0, 0, 2, 0.0, 3.0, 0, 75, 'hi')")
        conn.execute("INSERT INTO transcript_segments VALUES (1, 1, 0.0, 1.0, 'hello')")
        conn.execute("INSERT INTO labels VALUES (1, 'asks', '', '1', 0)")
        conn.execute(
            "INSERT INTO annotations (video_id, clip_id, is_scene, orphan, start_s, end_s, label, state, annotator, source, created_at, updated_at)"
            " VALUES (1, 1, 0, 0, 0.0, 3.0, 'asks', 'present', 'ann', 'human', 't0', 't0')"
        )
    conn.close()


def test_not_sqlite_is_refused_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "notes.sqlite"
    bad.write_text("just some text, not a database\n" * 10)
    with pytest.raises(StoreError, match=r"notes\.sqlite: not a SQLite database"):
        Store(bad)
    assert bad.read_text().startswith("just some text")  # left untouched


def test_truncated_database_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "cut.sqlite"
    db = Store(path)
    v = db.add_video(VideoInfo("/f/a.mp4", 8.0, 25.0, 200, 160, 120, True, fingerprint="fp"))
    db.set_transcript(v.id, [TranscriptSegment(float(i), i + 1.0, "words " * 50) for i in range(400)])
    db.close()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreError, match=r"cut\.sqlite: damaged database"):
        Store(path)


def test_foreign_sqlite_and_newer_schema_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=r"other\.db: a SQLite database, but not an HHIR Studio project"):
        Store(other)
    newer = tmp_path / "newer.sqlite"
    Store(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=r"newer\.sqlite: written by a newer HHIR Studio \(schema 0999\)"):
        Store(newer)


def test_upgrade_from_0001_keeps_data_and_writes_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    build_at(path, "0001")
    fill_0001(path)
    db = Store(path)
    assert db.video(1).path == "/f/a.mp4" and [c.text for c in db.clips(1)] == ["hi"]
    assert [(a.target, a.label) for a in db.annotations(1)] == [(Target(1, 1), "asks")]
    db.edit_segment_text(1, "Hello.", "ann")  # uses the column 0002 added
    assert db.transcript(1)[0].text == "Hello."
    db.close()
    backups = list(tmp_path.glob("old.sqlite.bak-0001-*"))
    assert len(backups) == 1
    conn = sqlite3.connect(backups[0])
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert conn.execute("SELECT text FROM transcript_segments").fetchall() == [("hello",)]
    conn.close()
    Store(path).close()  # already at head: no second backup
    assert len(list(tmp_path.glob("old.sqlite.bak-*"))) == 1
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]  # written under a temporary name, renamed


def test_failed_migration_leaves_old_database_usable(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    build_at(path, "0001")
    fill_0001(path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE INDEX ix_annotations_video_id_annotator ON annotations (label)")  # 0002 will collide
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=r"old\.sqlite: could not upgrade the database from schema 0001"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(transcript_segments)")]
    assert "original_text" not in columns  # the ADD COLUMN before the failure rolled back
    assert conn.execute("SELECT label, state FROM annotations").fetchall() == [("asks", "present")]
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    assert len(list(tmp_path.glob("old.sqlite.bak-0001-*"))) == 1


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    build_at(path, "0001")
    Store(path).close()
    engine = make_engine(path)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def _raw_insert_annotation(store: Store, video_id: int, state: str) -> None:
    """Insert behind the Store's back with plain SQL: only the database's own constraints stand in the way."""
    url = store.location.url or f"sqlite:///{store.path}"
    engine = sa.create_engine(url)
    if not store.is_server:
        sa.event.listen(engine, "connect", lambda conn, _rec: conn.execute("PRAGMA foreign_keys = ON"))
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO annotations (video_id, is_scene, orphan, label, state, annotator, source, created_at, updated_at)"
                        " VALUES (:v, :t, :f, 'asks', :state, 'a', 'human', 't', 't')"),
                {"v": video_id, "t": True, "f": False, "state": state},
            )
    finally:
        engine.dispose()


def test_annotation_state_check_and_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sa.exc.IntegrityError):  # no video 42
        _raw_insert_annotation(store, 42, "present")
    v = store.add_video(VideoInfo("/f/a.mp4", 8.0, 25.0, 200, 160, 120, True, fingerprint="fp"))
    with pytest.raises(sa.exc.IntegrityError):  # the state check
        _raw_insert_annotation(store, v.id, "maybe")
    store.annotate(Target(v.id), "asks", AnnotationState.PRESENT, "a")
    with pytest.raises(sa.exc.IntegrityError):  # one scene decision per label and annotator
        _raw_insert_annotation(store, v.id, "absent")
    assert [a.state for a in store.annotations(v.id)] == [AnnotationState.PRESENT]


def test_head_constant_matches_the_migration_files() -> None:
    from alembic.script import ScriptDirectory

    from hhir.store.migrate import HEAD

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD


def test_label_set_comes_from_resources_override(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    labels = tmp_path / "res" / "labels"
    labels.mkdir(parents=True)
    (labels / "default.json").write_text('{"labels": [{"name": "hugs", "key": "h", "description": "an embrace"}]}')
    monkeypatch.setenv("HHIR_RESOURCES", str(tmp_path / "res"))
    db = Store(tmp_path / "p.sqlite")
    assert [(lb.name, lb.key, lb.description) for lb in db.labels()] == [("hugs", "h", "an embrace")]
    db.close()
    (labels / "default.json").write_text('{"labels": [{"key": "1"}]}')
    with pytest.raises(StoreError, match=r"default\.json: label 1 has no name"):
        Store(tmp_path / "q.sqlite")
    conn = sqlite3.connect(tmp_path / "q.sqlite")
    tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    conn.close()
    assert tables == []  # the failed creation left no half-made project behind


def test_foreign_file_is_left_byte_for_byte_and_planted_trigger_refused(tmp_path: Path) -> None:
    other = tmp_path / "history.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE urls (url TEXT)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    with pytest.raises(StoreError, match=r"history\.sqlite: a SQLite database, but not an HHIR Studio project"):
        Store(other)
    assert other.read_bytes() == before  # refused before WAL mode or a migration touched it
    project = tmp_path / "planted.sqlite"
    Store(project).close()
    conn = sqlite3.connect(project)
    conn.execute("CREATE TRIGGER wiper AFTER INSERT ON annotations BEGIN DELETE FROM annotations; END")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=r"planted\.sqlite: contains trigger wiper, which HHIR Studio never creates"):
        Store(project)
