"""Shot corrections are edits like any other: one transaction, one named undo step that survives a
restart; undo and redo rebuild the clips and bring back labels and review marks with their range."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import event

from hhir.pipeline import replace_shots
from hhir.pipeline.options import AnalysisOptions
from hhir.pipeline.shot_edits import describe_shot_edit
from hhir.segment.clips import build_clips, clip_text
from hhir.segment.shots import merge_shots, move_boundary, split_shot
from hhir.store import Store
from hhir.types import AnnotationState, Shot, TranscriptSegment, VideoInfo

FPS = 25.0
CUTS = [0, 40, 75, 120, 150, 200]


def _project(path):
    store = Store(path)
    video = store.add_video(VideoInfo(path="/films/scene.mp4", duration_s=8.0, fps=FPS, frame_count=200,
                                      width=160, height=120, has_audio=True, fingerprint="ab" * 32))
    shots = [Shot(i, a, b, a / FPS, b / FPS) for i, (a, b) in enumerate(zip(CUTS, CUTS[1:]))]
    store.set_shots(video.id, shots)
    segments = [TranscriptSegment(0.3, 2.2, "Where is the station?")]
    store.set_transcript(video.id, segments)
    store.set_clips(video.id, [replace(c, text=clip_text(c, segments)) for c in build_clips(shots, 3, 1)])  # as analysis stores them
    return store, video.id


def _ranges(store, video_id):
    return [(c.start_frame, c.end_frame) for c in store.clips(video_id)]


def test_a_shot_edit_is_one_transaction(tmp_path):
    store, video_id = _project(tmp_path / "p.sqlite")
    commits = []
    event.listen(store._engine, "commit", lambda _conn: commits.append(1))
    replace_shots(store, video_id, split_shot(store.shots(video_id), 100, FPS))
    assert len(commits) == 1  # shots, clips, texts and stage marks: nothing half-written in between
    store.close()


def test_split_undo_redo_across_a_restart(tmp_path):
    db = tmp_path / "p.sqlite"
    store, video_id = _project(db)
    before_shots, before_clips = store.shots(video_id), _ranges(store, video_id)
    first, last = store.clips(video_id)[0], store.clips(video_id)[-1]
    from hhir.types import Target

    store.annotate(Target(video_id, last.id), "asks", AnnotationState.PRESENT, "ann")
    store.set_reviewed(Target(video_id, last.id), "ann", True)
    store.set_reviewed(Target(video_id, first.id), "ann", True)
    replace_shots(store, video_id, split_shot(before_shots, 130, FPS))  # splits shot 4 (120-150)
    assert [s.start_frame for s in store.shots(video_id)] == [0, 40, 75, 120, 130, 150]
    assert store.history(video_id) == ("split of shot 4 at 00:05.2", None)
    assert store.clips(video_id)[0].text == "Where is the station?"  # texts rebuilt in the same step
    assert store.orphan_annotations(video_id) == []  # the last clip's range is gone: its label moved on
    (moved,) = store.annotations(video_id)
    assert moved.label == "asks" and moved.target in store.reviewed(video_id, "ann")  # the review went with it
    store.close()

    store = Store(db)  # a restart
    change = store.undo(video_id)
    assert change.kind == "shots" and change.description == "split of shot 4 at 00:05.2"
    assert store.shots(video_id) == before_shots and _ranges(store, video_id) == before_clips
    restored = store.clips(video_id)[-1]
    assert {(a.target.clip_id, a.label) for a in store.annotations(video_id)} == {(restored.id, "asks")}
    reviewed = {t.clip_id for t in store.reviewed(video_id, "ann")}
    assert reviewed == {store.clips(video_id)[0].id, restored.id}  # both marks back, incl. the removed clip's
    assert store.history(video_id) == ("reviewed (clip 1)", "split of shot 4 at 00:05.2")
    assert store.redo(video_id).description == "split of shot 4 at 00:05.2"
    assert [s.start_frame for s in store.shots(video_id)] == [0, 40, 75, 120, 130, 150]
    assert store.undo(video_id) is not None and store.undo(video_id).description == "reviewed (clip 1)"
    assert store.shots(video_id) == before_shots
    store.close()


def test_merge_and_move_are_named_and_undone_in_order(tmp_path):
    store, video_id = _project(tmp_path / "p.sqlite")
    original = store.shots(video_id)
    replace_shots(store, video_id, merge_shots(original, 1))
    replace_shots(store, video_id, move_boundary(store.shots(video_id), 1, 50, FPS))
    assert store.history(video_id)[0] == "move of the cut at 00:01.6 to 00:02.0"
    assert store.undo(video_id).description == "move of the cut at 00:01.6 to 00:02.0"
    assert store.undo(video_id).description == "merge of shots 2 and 3"
    assert store.shots(video_id) == original
    assert store.undo(video_id) is None
    store.close()


def test_clip_window_of_the_options_is_used(tmp_path):
    store, video_id = _project(tmp_path / "p.sqlite")
    clips = replace_shots(store, video_id, split_shot(store.shots(video_id), 20, FPS), AnalysisOptions(clip_size=2))
    assert [(c.first_shot, c.last_shot) for c in clips][:2] == [(0, 1), (1, 2)]
    store.close()


def test_descriptions():
    shots = [Shot(i, a, b, a / FPS, b / FPS) for i, (a, b) in enumerate(zip(CUTS, CUTS[1:]))]
    assert describe_shot_edit(shots, split_shot(shots, 100, FPS)) == "split of shot 3 at 00:04.0"
    assert describe_shot_edit(shots, merge_shots(shots, 0)) == "merge of shots 1 and 2"


def test_refresh_encodes_only_the_new_clips_and_scores_every_clip(tmp_path, scene_video, monkeypatch):
    """After a split, the real encoders run over the clips the split created, and nothing else."""
    from hhir.pipeline import analyze
    from hhir.pipeline.shot_edits import refresh_clips
    from hhir.scoring.starter import MODEL_ID as STARTER_ID

    store = Store(tmp_path / "p.sqlite")
    video_id = analyze(store, scene_video)
    kept = {(c.start_s, c.end_s) for c in store.clips(video_id)}
    replace_shots(store, video_id, split_shot(store.shots(video_id), 50, FPS))
    clips = store.clips(video_id)
    new = {(c.start_s, c.end_s) for c in clips} - kept
    assert new and set(store.predictions(video_id, STARTER_ID).clips) != {c.id for c in clips}
    written = []
    real_put = store.put_features
    monkeypatch.setattr(store, "put_features", lambda rows: written.extend(rows) or real_put(rows))
    assert refresh_clips(store, video_id) == len(new)
    assert written and {(start, end) for _, start, end, _, _ in written} == new
    assert set(store.predictions(video_id, STARTER_ID).clips) == {c.id for c in clips}
    written.clear()
    assert refresh_clips(store, video_id) == 0 and written == []  # nothing new: nothing encoded
    store.close()


def _rows(db) -> dict[str, list[tuple]]:
    """The tables a shot edit touches, row for row, read from the file itself (shot rows without
    their id: the shots are rewritten; predictions come back from the background rescoring)."""
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {
            "shots": con.execute('SELECT video_id, "index", start_frame, end_frame, start_s, end_s FROM shots ORDER BY "index"').fetchall(),
            "clips": con.execute("SELECT * FROM clips ORDER BY id").fetchall(),
            "annotations": con.execute("SELECT * FROM annotations ORDER BY id").fetchall(),
            "reviews": con.execute("SELECT * FROM reviews ORDER BY id").fetchall(),
        }
    finally:
        con.close()


def _decide_everything(store, video_id):
    """Two annotators, several labels on every clip, a scene decision, and every clip reviewed."""
    from hhir.types import Target

    states = [AnnotationState.PRESENT, AnnotationState.ABSENT]
    for n, clip in enumerate(store.clips(video_id)):
        for annotator in ("ann", "bea"):
            items = [(Target(video_id, clip.id), label, states[(n + i) % 2]) for i, label in enumerate(("asks", "gives to", "watches"))]
            store.annotate_many(items, annotator)
            store.set_reviewed(Target(video_id, clip.id), annotator, True)
    store.annotate(Target(video_id, None), "yells at", AnnotationState.PRESENT, "ann")


def _decisions(store, video_id):
    return {(a.target.clip_id, a.label, a.annotator): a.state for a in store.annotations(video_id)}


def test_split_and_merge_keep_every_decision_and_undo_gives_the_rows_back(tmp_path):
    """A split and a merge on reviewed clips with several decisions each: nothing is kept aside, every
    clip that had a review mark passes it on, scene decisions stay, and undo restores every row."""
    from hhir.types import Target

    db = tmp_path / "p.sqlite"
    store, video_id = _project(db)
    _decide_everything(store, video_id)
    before = _rows(db)
    count = len(store.annotations(video_id))

    replace_shots(store, video_id, split_shot(store.shots(video_id), 130, FPS))  # shot 4 of 5
    clips = store.clips(video_id)
    assert store.orphan_annotations(video_id) == []
    assert len(store.annotations(video_id)) == count  # every decision is on a clip (or the scene)
    reviewed = store.reviewed(video_id, "ann")
    decided = {a.target for a in store.annotations(video_id, "ann") if a.target.clip_id is not None}
    assert decided <= reviewed  # the review marks went with the decisions
    assert len(reviewed) == len(before["clips"])  # ... all of them: a split leaves one new clip unreviewed
    assert len(clips) == len(before["clips"]) + 1
    assert (None, "yells at", "ann") in _decisions(store, video_id)
    after_split = _rows(db)

    store.close()
    store = Store(db)  # undo survives a restart
    assert store.undo(video_id).description == "split of shot 4 at 00:05.2"
    assert _rows(db) == before
    assert store.redo(video_id) is not None and _rows(db) == after_split
    assert store.undo(video_id) is not None and _rows(db) == before

    replace_shots(store, video_id, merge_shots(store.shots(video_id), 2))  # shots 3 and 4
    assert store.orphan_annotations(video_id) == []
    merged_decisions = _decisions(store, video_id)
    assert len(store.clips(video_id)) == len(before["clips"]) - 1
    # three clips became two: the unpaired clip's six decisions were each the same as one already
    # on the clip that covers it best, so they are one with those
    assert len(merged_decisions) == count - 6
    assert {t.clip_id for t in store.reviewed(video_id, "bea")} == {c.id for c in store.clips(video_id)}
    assert store.undo(video_id).description == "merge of shots 3 and 4"
    assert _rows(db) == before
    assert store.annotate(Target(video_id, store.clips(video_id)[0].id), "asks", None, "ann") is not None
    store.close()


def test_a_decision_no_new_clip_can_take_is_kept_aside_and_undo_brings_it_back(tmp_path):
    """A merge that leaves two different decisions of one person on one label for one clip keeps the
    one that did not fit aside (listed, with its range), and undo puts it back on its clip."""
    from hhir.types import Target

    db = tmp_path / "p.sqlite"
    store, video_id = _project(db)
    clips = store.clips(video_id)  # 3 clips over 5 shots: (0-2), (1-3), (2-4)
    for clip, state in zip(clips, [AnnotationState.PRESENT, AnnotationState.ABSENT, AnnotationState.PRESENT]):
        store.annotate(Target(video_id, clip.id), "asks", state, "ann")
    before = _rows(db)
    replace_shots(store, video_id, merge_shots(store.shots(video_id), 0))  # 4 shots: 2 clips
    assert len(store.clips(video_id)) == 2
    placed = store.annotations(video_id)
    assert [a.state for a in placed] == [AnnotationState.PRESENT, AnnotationState.PRESENT]
    (aside,) = store.orphan_annotations(video_id)  # clip (1-3): both clips it overlaps say "present"
    assert (aside.label, aside.state, aside.start_s, aside.end_s) == ("asks", AnnotationState.ABSENT, 1.6, 6.0)
    store.undo(video_id)
    assert _rows(db) == before
    store.redo(video_id)
    (aside,) = store.orphan_annotations(video_id)
    second = store.clips(video_id)[1]
    change = store.reattach(aside.id, second.id)  # the annotator puts it back where it belongs
    assert store.orphan_annotations(video_id) == [] and change.targets == (Target(video_id, second.id),)
    assert _decisions(store, video_id)[(second.id, "asks", "ann")] is AnnotationState.ABSENT
    store.undo(video_id)  # the clip's own decision and the kept-aside one are back
    assert _decisions(store, video_id)[(second.id, "asks", "ann")] is AnnotationState.PRESENT
    assert [o.state for o in store.orphan_annotations(video_id)] == [AnnotationState.ABSENT]
    store.close()
