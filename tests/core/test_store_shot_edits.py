"""Shot corrections are edits like any other: one transaction, one named undo step that survives a
restart; undo and redo rebuild the clips and bring back labels and review marks with their range."""

from __future__ import annotations

from sqlalchemy import event

from hhir.pipeline import replace_shots
from hhir.pipeline.options import AnalysisOptions
from hhir.pipeline.shot_edits import describe_shot_edit
from hhir.segment.clips import build_clips
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
    store.set_clips(video.id, build_clips(shots, 3, 1))
    store.set_transcript(video.id, [TranscriptSegment(0.3, 2.2, "Where is the station?")])
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
    assert len(store.orphan_annotations(video_id)) == 1  # the last clip's range is gone: its label kept aside
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
