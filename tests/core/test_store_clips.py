"""Rebuilding clips keeps people's annotations: re-attached by time range, else kept as orphans."""

from __future__ import annotations

from hhir.store import Store
from hhir.types import AnnotationState, Clip, ModelInfo, Target, VideoInfo

P, A = AnnotationState.PRESENT, AnnotationState.ABSENT


def clip(i: int, start: float, end: float) -> Clip:
    return Clip(index=i, first_shot=i, last_shot=i + 2, start_s=start, end_s=end, start_frame=int(start * 25), end_frame=int(end * 25))


def setup(store: Store) -> tuple[int, list[Clip]]:
    v = store.add_video(VideoInfo("/f/a.mp4", 10.0, 25.0, 250, 160, 120, True, fingerprint="fp"))
    return v.id, store.set_clips(v.id, [clip(0, 0.0, 3.0), clip(1, 1.6, 4.8), clip(2, 3.0, 6.0)])


def test_matching_time_range_keeps_clip_annotations_review_and_predictions(store: Store) -> None:
    vid, old = setup(store)
    store.annotate(Target(vid, old[1].id), "asks", P, "ann")
    store.set_reviewed(Target(vid, old[1].id), "ann")
    store.register_model(ModelInfo("m", "starter"))
    store.set_predictions("m", vid, {}, {old[1].id: {"asks": 0.8}, old[2].id: {"asks": 0.3}})
    # Rebuilt with a new first clip; the second time range reappears within 1 ms, at a new index.
    new = store.set_clips(vid, [clip(0, 0.0, 1.6), clip(1, 1.6004, 4.8), clip(2, 3.0, 6.0)])
    assert new[1].start_s == 1.6004 and new[1].index == 1
    anns = store.annotations(vid)
    assert [(a.target.clip_id, a.label, a.state) for a in anns] == [(new[1].id, "asks", P)]
    assert store.reviewed(vid) == {Target(vid, new[1].id)}
    assert set(store.predictions(vid, "m").clips) == {new[1].id, new[2].id}


def test_unmatched_annotations_become_orphans_then_reattach(store: Store) -> None:
    vid, old = setup(store)
    store.annotate(Target(vid, old[0].id), "watches", A, "ann")
    store.annotate(Target(vid), "talks to", P, "ann")
    store.register_model(ModelInfo("m", "starter"))
    store.set_predictions("m", vid, {"asks": 0.5}, {old[0].id: {"asks": 0.8}})
    store.set_reviewed(Target(vid, old[0].id), "ann")
    store.set_clips(vid, [clip(0, 0.5, 3.0)])
    # The clip annotation is neither listed on a target nor deleted; the scene one is untouched.
    assert [(a.target, a.label) for a in store.annotations(vid)] == [(Target(vid), "talks to")]
    orphans = store.orphan_annotations(vid)
    assert [(o.start_s, o.end_s, o.label, o.state, o.annotator) for o in orphans] == [(0.0, 3.0, "watches", A, "ann")]
    pred = store.predictions(vid, "m")
    assert pred is not None and pred.clips == {} and pred.scene == {"asks": 0.5}
    assert store.reviewed(vid) == set()
    # The old range comes back: the orphan re-attaches to it.
    back = store.set_clips(vid, [clip(0, 0.0, 3.0), clip(1, 0.5, 3.0)])
    assert store.orphan_annotations(vid) == []
    assert {(a.target, a.label, a.state) for a in store.annotations(vid)} == {(Target(vid), "talks to", P), (Target(vid, back[0].id), "watches", A)}


def test_orphan_does_not_overwrite_a_newer_decision(store: Store) -> None:
    vid, old = setup(store)
    store.annotate(Target(vid, old[0].id), "asks", P, "ann")
    store.set_clips(vid, [clip(0, 0.5, 3.0)])
    # A new clip on the same range gets its own decision before the orphan could come back.
    mid = store.set_clips(vid, [clip(0, 0.5, 3.0), clip(1, 0.0, 2.9)])
    store.annotate(Target(vid, mid[1].id), "asks", A, "ann")
    final = store.set_clips(vid, [clip(0, 0.0, 3.0)])
    anns = store.annotations(vid)
    orphans = store.orphan_annotations(vid)
    # Clip 0.0-2.9 was removed (its "absent" is orphaned), and the "present" orphan from 0.0-3.0 re-attached.
    assert [(a.target.clip_id, a.state) for a in anns] == [(final[0].id, P)]
    assert [(o.start_s, o.end_s, o.state) for o in orphans] == [(0.0, 2.9, A)]


def test_undo_after_clip_rebuild_follows_time_range(store: Store) -> None:
    vid, old = setup(store)
    store.annotate(Target(vid, old[2].id), "asks", P, "ann")
    new = store.set_clips(vid, [clip(0, 3.0, 6.0)])  # same range, possibly other id
    store.undo(vid)
    assert store.annotations(vid) == []
    store.redo(vid)
    assert [(a.target.clip_id, a.state) for a in store.annotations(vid)] == [(new[0].id, P)]
    store.set_clips(vid, [clip(0, 0.0, 1.0)])  # range gone: the annotation is an orphan
    assert len(store.orphan_annotations(vid)) == 1
    store.undo(vid)  # undoing the annotate removes the orphan it became
    assert store.orphan_annotations(vid) == [] and store.annotations(vid) == []
    store.redo(vid)  # and redoing it brings back an orphan with the range
    assert [(o.start_s, o.end_s) for o in store.orphan_annotations(vid)] == [(3.0, 6.0)]


def test_undo_reports_targets_as_they_are_now(store: Store) -> None:
    vid, old = setup(store)
    store.annotate_many([(Target(vid, old[0].id), "asks", P), (Target(vid, old[2].id), "asks", P), (Target(vid), "asks", A)], "ann")
    new = store.set_clips(vid, [clip(0, 3.0, 6.0), clip(1, 7.0, 9.0)])  # range of old[2] kept, old[0] gone
    change = store.undo(vid)
    assert change is not None and change.targets == (Target(vid, new[0].id), Target(vid))


def test_clip_state_is_the_video_state_of_one_clip_and_the_scene(store: Store) -> None:
    vid, clips = setup(store)
    other = store.add_video(VideoInfo("/f/b.mp4", 10.0, 25.0, 250, 160, 120, True, fingerprint="fp2"))
    other_clips = store.set_clips(other.id, [clip(0, 0.0, 3.0)])
    store.register_model(ModelInfo("m", "trained"))
    store.activate("m")
    store.set_predictions("m", vid, {"asks": 0.5}, {c.id: {"asks": 0.1 * (i + 1)} for i, c in enumerate(clips)})
    store.set_predictions("m", other.id, {"asks": 0.9}, {other_clips[0].id: {"asks": 0.9}})
    wanted = Target(vid, clips[1].id)
    store.annotate(wanted, "asks", P, "ann")
    store.annotate(wanted, "watches", A, "bea")  # another annotator's: not ann's view
    store.annotate(Target(vid, clips[0].id), "asks", A, "ann")  # another clip
    store.annotate(Target(vid), "talks to", P, "ann")  # the scene
    store.set_reviewed(wanted, "ann")
    store.set_reviewed(Target(vid, clips[2].id), "ann")

    whole = store.video_state(vid, "ann")
    one = store.clip_state(vid, clips[1].id, "ann")
    assert one is not None
    assert one.video == whole.video and one.active_model == whole.active_model
    assert one.clips == [clips[1]] == [c for c in whole.clips if c.id == clips[1].id]
    assert one.shots == [] and one.segments == []
    assert one.predictions is not None and whole.predictions is not None
    assert one.predictions.scene == whole.predictions.scene
    assert one.predictions.clips == {clips[1].id: whole.predictions.clips[clips[1].id]}
    mine = {Target(vid, clips[1].id), Target(vid)}
    assert one.annotations == [a for a in whole.annotations if a.target in mine]
    assert [(a.target, a.label) for a in one.annotations] == [(Target(vid), "talks to"), (wanted, "asks")]
    assert one.reviewed == {wanted}
    assert store.clip_state(vid, other_clips[0].id, "ann") is None  # a clip of another video
    assert store.clip_state(vid, 10**6, "ann") is None
