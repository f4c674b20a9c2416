"""Every Store method on a real SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from hhir.errors import StoreError
from hhir.store import Store, default_db_path
from hhir.store.migrate import HEAD
from hhir.types import AnnotationState, Clip, LabelDef, ModelInfo, Shot, Target, TranscriptSegment, VideoInfo

P, A = AnnotationState.PRESENT, AnnotationState.ABSENT


def info(fingerprint: str = "fp-1", path: str = "/films/a.mp4") -> VideoInfo:
    return VideoInfo(path=path, duration_s=8.0, fps=25.0, frame_count=200, width=160, height=120, has_audio=True, fingerprint=fingerprint)


def clip(i: int, start: float, end: float) -> Clip:
    return Clip(index=i, first_shot=i, last_shot=i + 2, start_s=start, end_s=end, start_frame=int(start * 25), end_frame=int(end * 25))


def test_new_database_settings_and_seeded_labels(store: Store) -> None:
    if store.is_server:  # the same Alembic head on the server; WAL and pragmas stay SQLite's
        engine = sa.create_engine(store.location.url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == HEAD
            assert int(conn.execute(sa.text("SHOW server_version_num")).scalar()) >= 150000
        engine.dispose()
    else:
        conn = sqlite3.connect(store.path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
        conn.close()
    assert store.integrity_problems() == []
    labels = store.labels()
    assert [lb.name for lb in labels][:3] == ["asks", "gives to", "talks to"]
    assert labels[0].key == "1" and "question" in labels[0].description
    store.add_label(LabelDef("hugs", "two people embrace", "8"))
    store.add_label(LabelDef("asks", "changed", "1"))
    names = [lb.name for lb in store.labels()]
    assert names[-1] == "hugs" and names.count("asks") == 1
    assert store.labels()[0].description == "changed"


def test_videos_same_fingerprint_updates_path(store: Store) -> None:
    v = store.add_video(info())
    again = store.add_video(info(path="/moved/a.mp4"))
    assert again.id == v.id and again.path == "/moved/a.mp4"
    other = store.add_video(info("fp-2", "/films/b.mp4"))
    assert [x.id for x in store.videos()] == [v.id, other.id]
    assert store.video(v.id).path == "/moved/a.mp4"
    assert store.video_by_fingerprint("fp-2") == other
    assert store.video_by_fingerprint("nope") is None
    with pytest.raises(StoreError, match="no video with id 99"):
        store.video(99)
    with pytest.raises(StoreError, match="fingerprint"):
        store.add_video(info(fingerprint=""))


def test_stage_bookkeeping(store: Store) -> None:
    v = store.add_video(info())
    assert not store.stage_done(v.id, "shots", "h1")
    store.mark_stage(v.id, "shots", "h1")
    store.mark_stage(v.id, "clips", "c1")
    assert store.stage_done(v.id, "shots", "h1") and not store.stage_done(v.id, "shots", "h2")
    store.mark_stage(v.id, "shots", "h2")
    assert store.stage_done(v.id, "shots", "h2") and not store.stage_done(v.id, "shots", "h1")
    store.clear_stages(v.id, ["shots"])
    assert not store.stage_done(v.id, "shots", "h2") and store.stage_done(v.id, "clips", "c1")
    store.clear_stages(v.id)
    assert not store.stage_done(v.id, "clips", "c1")


def test_shots_clips_texts_transcript(store: Store) -> None:
    v = store.add_video(info())
    shots = [Shot(0, 0, 40, 0.0, 1.6), Shot(1, 40, 75, 1.6, 3.0)]
    store.set_shots(v.id, shots)
    store.set_shots(v.id, shots[:1])
    assert store.shots(v.id) == shots[:1]
    stored = store.set_clips(v.id, [clip(0, 0.0, 3.0), clip(1, 1.6, 4.8)])
    assert all(c.id > 0 for c in stored) and store.clips(v.id) == stored
    store.set_clip_texts(v.id, {stored[1].id: "hello there"})
    assert [c.text for c in store.clips(v.id)] == ["", "hello there"]
    with pytest.raises(StoreError, match=r"no clips with ids \[999\]"):
        store.set_clip_texts(v.id, {999: "x"})
    segs = store.set_transcript(v.id, [TranscriptSegment(3.6, 5.0, "It is next."), TranscriptSegment(0.3, 2.0, "Where?")])
    assert [s.text for s in segs] == ["Where?", "It is next."] and all(s.id for s in segs)
    assert store.transcript(v.id) == segs


def test_segment_edit_keeps_original_and_survives_same_retranscription(store: Store) -> None:
    v = store.add_video(info())
    seg = store.set_transcript(v.id, [TranscriptSegment(0.3, 2.0, "where is the train")])[0]
    change = store.edit_segment_text(seg.id, "Where is the train station?", "ann")
    assert change.kind == "segment_text" and change.video_id == v.id
    assert store.transcript(v.id)[0].text == "Where is the train station?"
    # Re-running ASR with the same machine text keeps the correction; a new text replaces it.
    store.set_transcript(v.id, [TranscriptSegment(0.3, 2.0, "where is the train")])
    assert store.transcript(v.id)[0].text == "Where is the train station?"
    store.set_transcript(v.id, [TranscriptSegment(0.3, 2.0, "where is the bus")])
    assert store.transcript(v.id)[0].text == "where is the bus"
    with pytest.raises(StoreError, match="no transcript segment with id 12345"):
        store.edit_segment_text(12345, "x", "ann")


def test_models_activation_and_predictions(store: Store) -> None:
    v = store.add_video(info())
    c = store.set_clips(v.id, [clip(0, 0.0, 3.0), clip(1, 1.6, 4.8)])
    starter = store.register_model(ModelInfo(id="starter-1", kind="starter"))
    assert starter.created_at and not starter.active
    store.register_model(ModelInfo(id="m2", kind="trained", path="/m/m2", parent="starter-1", metrics={"f1": 0.5}), ["asks"])
    assert store.model("m2").metrics == {"f1": 0.5} and store.model("m2").parent == "starter-1"
    assert {m.id for m in store.models()} == {"starter-1", "m2"} and store.model("x") is None
    assert store.active_model() is None and store.predictions(v.id) is None
    store.set_predictions("starter-1", v.id, {"asks": 0.9}, {c[0].id: {"asks": 0.2, "watches": 0.7}})
    store.activate("starter-1")
    pred = store.predictions(v.id)
    assert pred is not None and pred.model.id == "starter-1" and pred.model.active
    assert pred.scene == {"asks": 0.9} and pred.clips == {c[0].id: {"asks": 0.2, "watches": 0.7}}
    store.activate("m2")
    assert store.active_model().id == "m2" and store.predictions(v.id) is None
    assert store.predictions(v.id, "starter-1").scene == {"asks": 0.9}
    store.set_predictions("starter-1", v.id, {"asks": 0.1}, {})  # replaces
    assert store.predictions(v.id, "starter-1").clips == {}
    store.activate(None)
    assert store.active_model() is None
    with pytest.raises(StoreError, match="no model 'ghost'"):
        store.activate("ghost")
    with pytest.raises(StoreError, match=r"in \[0, 1\]"):
        store.set_predictions("m2", v.id, {"asks": 1.5}, {})
    with pytest.raises(StoreError, match="kind must be one of"):
        store.register_model(ModelInfo(id="bad", kind="magic"))


def test_clip_count_and_has_predictions_agree_with_the_rows(store: Store) -> None:
    v = store.add_video(info())
    other = store.add_video(info("fp-2", "/films/b.mp4"))
    assert store.clip_count(v.id) == 0 and not store.has_predictions(v.id)
    c = store.set_clips(v.id, [clip(0, 0.0, 3.0), clip(1, 1.6, 4.8), clip(2, 3.2, 6.4)])
    assert store.clip_count(v.id) == 3 == len(store.clips(v.id)) and store.clip_count(other.id) == 0
    store.register_model(ModelInfo(id="m1", kind="trained"))
    store.set_predictions("m1", v.id, {}, {c[1].id: {"asks": 0.25}})
    assert not store.has_predictions(v.id)  # no active model yet
    assert store.has_predictions(v.id, "m1") and not store.has_predictions(other.id, "m1")
    store.activate("m1")
    assert store.has_predictions(v.id) and store.predictions(v.id).clips == {c[1].id: {"asks": 0.25}}
    assert store.predictions(v.id).scene == {}
    assert not store.has_predictions(v.id, "nobody")
    store.set_clips(v.id, [clip(0, 0.0, 3.0)])  # the scored clip goes, and its scores with it
    assert store.clip_count(v.id) == 1 and not store.has_predictions(v.id)


def test_annotations_review_and_filters(store: Store) -> None:
    v = store.add_video(info())
    c = store.set_clips(v.id, [clip(0, 0.0, 3.0)])
    scene, first = Target(v.id), Target(v.id, c[0].id)
    store.annotate(scene, "talks to", P, "ann")
    store.annotate(first, "asks", A, "ann", source="accepted:starter-1")
    store.annotate(first, "asks", P, "bob")
    got = {(a.target, a.label, a.state, a.annotator, a.source) for a in store.annotations(v.id)}
    assert got == {(scene, "talks to", P, "ann", "human"), (first, "asks", A, "ann", "accepted:starter-1"), (first, "asks", P, "bob", "human")}
    assert len(store.annotations(annotator="bob")) == 1
    store.annotate(scene, "talks to", None, "ann")  # back to unreviewed: the row goes
    assert {a.label for a in store.annotations(v.id, "ann")} == {"asks"}
    store.set_reviewed(first, "ann")
    store.set_reviewed(scene, "bob")
    assert store.reviewed(v.id) == {first, scene} and store.reviewed(v.id, "ann") == {first}
    store.set_reviewed(first, "ann", reviewed=False)
    assert store.reviewed(v.id, "ann") == set()
    with pytest.raises(StoreError, match="unknown label 'flies'"):
        store.annotate(scene, "flies", P, "ann")
    with pytest.raises(StoreError, match="no clip with id 77"):
        store.annotate(Target(v.id, 77), "asks", P, "ann")
    with pytest.raises(StoreError, match="span videos"):
        other = store.add_video(info("fp-2"))
        store.annotate_many([(scene, "asks", P), (Target(other.id), "asks", P)], "ann")


def test_feature_cache_roundtrip_and_ms_key(store: Store) -> None:
    vec = np.linspace(0, 1, 384, dtype=np.float64)
    store.put_features([("fp", 1.0004, 3.0, "enc@abc", vec), ("fp", 1.0, 3.0, "other", vec[:5])])
    got = store.feature("fp", 1.0, 3.0001, "enc@abc")
    assert got is not None and got.dtype == np.float32 and got.shape == (384,)
    np.testing.assert_array_equal(got, vec.astype(np.float32))
    assert store.feature("fp", 1.002, 3.0, "enc@abc") is None
    store.put_features([("fp", 1.0, 3.0, "enc@abc", np.ones(4))])  # same key: replaced
    np.testing.assert_array_equal(store.feature("fp", 1.0, 3.0, "enc@abc"), np.ones(4, np.float32))
    with pytest.raises(StoreError, match="1-D"):
        store.put_features([("fp", 0.0, 1.0, "enc", np.ones((2, 2)))])


def test_default_db_path_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HHIR_DB", str(tmp_path / "x" / "mine.sqlite"))
    assert default_db_path() == (tmp_path / "x" / "mine.sqlite").resolve()
    monkeypatch.delenv("HHIR_DB")
    monkeypatch.setenv("HHIR_DATA_DIR", str(tmp_path / "data"))
    assert default_db_path().parent == tmp_path / "data"


def test_closed_store_refuses_work(tmp_path: Path) -> None:
    db = Store(tmp_path / "p.sqlite")
    db.close()
    with pytest.raises(StoreError, match="closed"):
        db.videos()
