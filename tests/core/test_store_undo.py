"""Undo/redo: per video, exact restoration, redo branch dropped by a new edit, survives restart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hhir.store import Store
from hhir.types import AnnotationState, Clip, Target, TranscriptSegment, VideoInfo

P, A = AnnotationState.PRESENT, AnnotationState.ABSENT


@pytest.fixture(scope="module")
def empty_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly created project file; examples copy it instead of creating (migrating) their own."""
    path = tmp_path_factory.mktemp("template") / "p.sqlite"
    Store(path).close()
    return path


def fresh_store(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("undo") / "p.sqlite"
    shutil.copyfile(template, path)
    return Store(path)


def video(store: Store, fp: str) -> tuple[int, list[Clip]]:
    v = store.add_video(VideoInfo(f"/f/{fp}.mp4", 10.0, 25.0, 250, 160, 120, True, fingerprint=fp))
    clips = [Clip(i, i, i + 2, float(i), float(i + 3), i * 25, (i + 3) * 25) for i in range(3)]
    return v.id, store.set_clips(v.id, clips)


def state(store: Store, vid: int) -> set[tuple]:
    return {(a.target, a.label, a.state, a.annotator, a.source, a.updated_at) for a in store.annotations(vid)}


def test_undo_restores_exact_rows_and_redo_reapplies(store: Store) -> None:
    vid, clips = video(store, "a")
    t = Target(vid, clips[0].id)
    store.annotate(t, "asks", P, "ann")
    before = state(store, vid)
    change = store.annotate_many([(t, "asks", A), (Target(vid), "watches", P), (t, "asks", None)], "ann")
    assert change.description == "3 labels" and change.targets == (t, Target(vid))
    assert {(a.label, a.state) for a in store.annotations(vid)} == {("watches", P)}
    undone = store.undo(vid)
    assert undone == change and state(store, vid) == before  # including updated_at
    assert store.redo(vid) == change and {(a.label, a.state) for a in store.annotations(vid)} == {("watches", P)}
    assert store.redo(vid) is None


def test_review_and_segment_edits_undo(store: Store) -> None:
    vid, clips = video(store, "a")
    seg = store.set_transcript(vid, [TranscriptSegment(0.0, 1.0, "helo")])[0]
    store.edit_segment_text(seg.id, "hello", "ann")
    store.set_reviewed(Target(vid, clips[1].id), "ann")
    assert store.undo(vid).kind == "review" and store.reviewed(vid) == set()
    assert store.undo(vid).kind == "segment_text" and store.transcript(vid)[0].text == "helo"
    assert store.undo(vid) is None
    store.redo(vid)
    assert store.transcript(vid)[0].text == "hello"


def test_new_edit_drops_redo_branch_and_noop_keeps_it(store: Store) -> None:
    vid, clips = video(store, "a")
    t = Target(vid, clips[0].id)
    store.annotate(t, "asks", P, "ann")
    store.annotate(t, "watches", P, "ann")
    store.undo(vid)
    store.annotate(t, "asks", P, "ann")  # no change: the redo branch stays
    assert store.redo(vid) is not None
    store.undo(vid)
    store.annotate(t, "yells at", A, "ann")
    assert store.redo(vid) is None
    assert {a.label for a in store.annotations(vid)} == {"asks", "yells at"}


def test_undo_stays_within_its_video_and_survives_restart(tmp_path: Path) -> None:
    db = Store(tmp_path / "p.sqlite")
    va, ca = video(db, "a")
    vb, cb = video(db, "b")
    db.annotate(Target(va, ca[0].id), "asks", P, "ann")
    db.annotate(Target(vb, cb[0].id), "asks", P, "ann")
    db.annotate(Target(va), "talks to", A, "ann")
    db.undo(va)
    expected = {vid: state(db, vid) for vid in (va, vb)}
    db.close()
    db = Store(tmp_path / "p.sqlite")
    assert {vid: state(db, vid) for vid in (va, vb)} == expected
    assert db.redo(va).description == "talks to: absent (scene)"
    assert db.undo(va) is not None and db.undo(va) is not None and db.undo(va) is None
    assert state(db, va) == set() and len(state(db, vb)) == 1
    db.close()


TARGETS = st.sampled_from([None, 0, 1])  # scene or clip index
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("annotate"), TARGETS, st.sampled_from(["asks", "watches"]), st.sampled_from([P, A, None]), st.sampled_from(["ann", "bob"])),
        st.tuples(st.just("review"), TARGETS, st.booleans()),
        st.just(("undo",)),
        st.just(("redo",)),
    ),
    max_size=25,
)


class Model:
    """The plain in-memory meaning of annotate/undo/redo that the store must match."""

    def __init__(self) -> None:
        self.now: dict[tuple, object] = {}
        self.done: list[dict] = []
        self.undone: list[dict] = []

    def edit(self, key: tuple, value: object) -> None:
        if self.now.get(key) == value:
            return
        self.done.append({"before": {key: self.now.get(key)}, "after": {key: value}})
        self.undone.clear()
        self._set(key, value)

    def _set(self, key: tuple, value: object) -> None:
        if value is None:
            self.now.pop(key, None)
        else:
            self.now[key] = value

    def step(self, src: list[dict], dst: list[dict], side: str) -> bool:
        if not src:
            return False
        entry = src.pop()
        dst.append(entry)
        for key, value in entry[side].items():
            self._set(key, value)
        return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_random_sequences_match_in_memory_model(empty_project, tmp_path_factory, ops: list[tuple]) -> None:  # noqa: ANN001
    db = fresh_store(empty_project, tmp_path_factory)
    vid, clips = video(db, "a")
    other, oclips = video(db, "b")
    db.annotate(Target(other, oclips[0].id), "asks", P, "ann")  # another video's history, untouched
    model = Model()
    target = lambda i: Target(vid, None if i is None else clips[i].id)  # noqa: E731
    for op in ops:
        if op[0] == "annotate":
            _, i, label, st_, who = op
            db.annotate(target(i), label, st_, who)
            model.edit(("a", target(i), label, who), st_)
        elif op[0] == "review":
            db.set_reviewed(target(op[1]), "ann", op[2])
            model.edit(("r", target(op[1])), True if op[2] else None)
        elif op[0] == "undo":
            assert (db.undo(vid) is not None) == model.step(model.done, model.undone, "before")
        else:
            assert (db.redo(vid) is not None) == model.step(model.undone, model.done, "after")
        anns = {("a", a.target, a.label, a.annotator): a.state for a in db.annotations(vid)}
        revs = {("r", t): True for t in db.reviewed(vid, "ann")}
        assert {**anns, **revs} == model.now
    assert len(db.annotations(other)) == 1
    db.close()


RANGES = [(0.0, 3.0), (1.0, 4.0), (2.0, 5.0), (3.0, 6.0)]
REBUILD_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("annotate"), st.integers(0, 3), st.sampled_from(["asks", "watches"]), st.sampled_from([P, A, None])),
        st.tuples(st.just("review"), st.integers(0, 3), st.booleans()),
        st.tuples(st.just("rebuild"), st.sets(st.sampled_from(RANGES), min_size=1)),
        st.just(("undo",)),
        st.just(("redo",)),
    ),
    max_size=25,
)


class RangeModel(Model):
    """Clip decisions belong to a time range; a range that is not a clip now holds orphans."""

    def __init__(self) -> None:
        super().__init__()
        self.visible: set[tuple[float, float]] = set(RANGES)

    def _set(self, key: tuple, value: object) -> None:
        if key[0] == "r" and key[1] not in self.visible:
            return  # review status of a clip that is gone went with it
        super()._set(key, value)

    def expected(self) -> dict[tuple, object]:
        """Decisions on a range that is no clip now are orphans ("o"); all others are attached."""
        return {("o", *k[1:]) if k[0] == "a" and k[1] not in self.visible else k: v for k, v in self.now.items()}

    def rebuild(self, ranges: set[tuple[float, float]]) -> None:
        self.visible = set(ranges)
        self.now = {k: v for k, v in self.now.items() if k[0] != "r" or k[1] in self.visible}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=REBUILD_OPS)
def test_random_sequences_with_clip_rebuilds_match_range_model(empty_project, tmp_path_factory, ops: list[tuple]) -> None:  # noqa: ANN001
    db = fresh_store(empty_project, tmp_path_factory)
    vid = db.add_video(VideoInfo("/f/a.mp4", 10.0, 25.0, 250, 160, 120, True, fingerprint="fp")).id

    def rebuild(ranges: set[tuple[float, float]]) -> list[Clip]:
        ordered = sorted(ranges)
        return db.set_clips(vid, [Clip(i, i, i + 2, s, e, int(s * 25), int(e * 25)) for i, (s, e) in enumerate(ordered)])

    clips = rebuild(set(RANGES))
    model = RangeModel()
    for op in ops:
        if op[0] == "annotate":
            c = clips[op[1] % len(clips)]
            db.annotate(Target(vid, c.id), op[2], op[3], "ann")
            model.edit(("a", (c.start_s, c.end_s), op[2]), op[3])
        elif op[0] == "review":
            c = clips[op[1] % len(clips)]
            db.set_reviewed(Target(vid, c.id), "ann", op[2])
            model.edit(("r", (c.start_s, c.end_s)), True if op[2] else None)
        elif op[0] == "rebuild":
            clips = rebuild(op[1])
            model.rebuild(op[1])
        elif op[0] == "undo":
            assert (db.undo(vid) is not None) == model.step(model.done, model.undone, "before")
        else:
            assert (db.redo(vid) is not None) == model.step(model.undone, model.done, "after")
        span = {c.id: (c.start_s, c.end_s) for c in clips}
        found = {("a", span[a.target.clip_id], a.label): a.state for a in db.annotations(vid)}
        found |= {("o", (o.start_s, o.end_s), o.label): o.state for o in db.orphan_annotations(vid)}
        found |= {("r", span[t.clip_id]): True for t in db.reviewed(vid)}
        assert found == model.expected()
    db.close()


def test_undo_depth_is_bounded_per_video(store: Store, monkeypatch) -> None:  # noqa: ANN001
    from hhir.store import editlog

    monkeypatch.setattr(editlog, "UNDO_DEPTH", 3)
    vid, clips = video(store, "a")
    for label in ["asks", "gives to", "talks to", "watches", "yells at"]:
        store.annotate(Target(vid, clips[0].id), label, P, "ann")
    undone = [store.undo(vid) for _ in range(4)]
    assert [c.description.split(":")[0] for c in undone[:3]] == ["yells at", "watches", "talks to"]
    assert undone[3] is None
    assert {a.label for a in store.annotations(vid)} == {"asks", "gives to"}


def test_clip_texts_follow_segment_edits_and_their_undo(store: Store) -> None:
    vid, clips = video(store, "a")
    seg = store.set_transcript(vid, [TranscriptSegment(0.5, 1.5, "were is the station")])[0]
    store.set_clip_texts(vid, {c.id: ("were is the station" if c.start_s < 1.5 else "") for c in clips})
    store.edit_segment_text(seg.id, "where is the station?", "ann")
    assert [c.text for c in store.clips(vid)] == ["where is the station?", "where is the station?", ""]
    store.undo(vid)
    assert [c.text for c in store.clips(vid)] == ["were is the station", "were is the station", ""]
    store.redo(vid)
    assert store.clips(vid)[0].text == "where is the station?"
