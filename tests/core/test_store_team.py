"""Several annotators on one project (run on SQLite and on PostgreSQL): separate answers, own undo,
adjudication, and the training rule built on it."""

from __future__ import annotations

import pytest

from hhir.errors import StoreError
from hhir.learn.adjudicated import apply_adjudications
from hhir.scoring.truth import video_truth
from hhir.store import Store
from hhir.types import AnnotationState, Clip, Target, VideoInfo

P, A = AnnotationState.PRESENT, AnnotationState.ABSENT


def video(store: Store) -> tuple[int, list[Clip]]:
    v = store.add_video(VideoInfo("/f/a.mp4", 10.0, 25.0, 250, 160, 120, True, fingerprint="fp-team"))
    clips = [Clip(i, i, i + 2, float(i), float(i + 3), i * 25, (i + 3) * 25) for i in range(3)]
    return v.id, store.set_clips(v.id, clips)


def answers(store: Store, vid: int) -> set[tuple]:
    return {(a.annotator, a.target.clip_id, a.label, a.state) for a in store.annotations(vid)}


def test_two_annotators_on_one_clip_both_keep_their_answer(store: Store) -> None:
    vid, clips = video(store)
    t = Target(vid, clips[0].id)
    store.annotate(t, "asks", P, "ana")
    store.annotate(t, "asks", A, "ben")
    assert answers(store, vid) == {("ana", t.clip_id, "asks", P), ("ben", t.clip_id, "asks", A)}
    assert {a.state for a in store.annotations(vid, annotator="ana")} == {P}


def test_undo_and_redo_touch_only_your_own_edits(store: Store) -> None:
    vid, clips = video(store)
    t, u = Target(vid, clips[0].id), Target(vid, clips[1].id)
    store.annotate(t, "asks", P, "ana")
    store.annotate(u, "watches", P, "ben")  # ben's edit is the video's latest
    store.set_reviewed(u, "ben")
    undone = store.undo(vid, "ana")
    assert undone is not None and undone.targets == (t,)
    assert answers(store, vid) == {("ben", u.clip_id, "watches", P)}
    assert store.reviewed(vid, "ben") == {u}
    assert store.undo(vid, "ana") is None  # nothing else of ana's
    store.annotate(t, "talks to", P, "ana")  # ana's new edit drops only ana's redo branch
    assert store.undo(vid, "ben") is not None and store.reviewed(vid) == set()
    assert store.redo(vid, "ben") is not None and store.reviewed(vid, "ben") == {u}
    assert store.redo(vid, "ana") is None
    assert answers(store, vid) == {("ben", u.clip_id, "watches", P), ("ana", t.clip_id, "talks to", P)}


def test_disagreements_and_an_adjudication_recorded_as_such(store: Store) -> None:
    vid, clips = video(store)
    t = Target(vid, clips[2].id)
    store.annotate(t, "asks", P, "ana")
    store.annotate(t, "asks", A, "ben")
    store.annotate(Target(vid, clips[0].id), "asks", P, "ana")
    store.annotate(Target(vid, clips[0].id), "asks", P, "ben")  # agreed: not a disagreement
    [d] = store.disagreements(vid)
    assert (d.target, d.label, d.votes, d.decision) == (t, "asks", (("ana", P), ("ben", A)), None)
    store.adjudicate(t, "asks", A, "carla")
    [decision] = store.adjudications(vid)
    assert (decision.target, decision.label, decision.state, decision.adjudicator) == (t, "asks", A, "carla")
    assert store.disagreements(vid)[0].decision == A
    # The decision is not a vote: people's answers are unchanged and nobody else sees a third annotator.
    assert {a.annotator for a in store.annotations(vid)} == {"ana", "ben"}
    assert store.undo(vid, "ana") is not None and store.adjudications(vid) != []  # ana undid her own
    assert store.undo(vid, "carla") is not None and store.adjudications(vid) == []
    with pytest.raises(StoreError, match="reserved"):
        store.annotate(t, "asks", P, "@adjudicated")


def test_training_uses_the_adjudication_first_then_agreement(store: Store) -> None:
    vid, clips = video(store)
    labels = ["asks", "watches"]
    split, agreed = Target(vid, clips[0].id), Target(vid, clips[1].id)
    for who, state in (("ana", P), ("ben", A)):
        store.annotate(split, "asks", state, who)
        store.annotate(agreed, "watches", P, who)
    votes = store.annotations(vid)
    truth = video_truth(vid, clips, labels, votes, {})
    assert not truth.clip_known[0, 0]  # a 1-1 tie is unknown, not guessed
    store.adjudicate(split, "asks", P, "carla")
    store.adjudicate(Target(vid), "watches", A, "carla")
    final = apply_adjudications(truth, clips, labels, store.adjudications(vid))
    assert final.clip_known[0, 0] and final.clip_target[0, 0] == 1.0
    assert final.clip_known[1, 1] and final.clip_target[1, 1] == 1.0  # agreed, untouched
    assert final.scene_known[1] and final.scene_target[1] == 0.0  # adjudication beats the clip union


def test_a_new_edit_ends_the_redo_at_the_end_of_the_history_not_in_its_middle(store: Store) -> None:
    vid, clips = video(store)
    t, u = Target(vid, clips[0].id), Target(vid, clips[1].id)
    store.annotate(t, "asks", P, "ana")
    store.annotate(u, "asks", P, "ben")
    store.undo(vid, "ana")  # ana's step is in the middle: ben's comes after it
    store.annotate(u, "watches", P, "ben")
    assert store.redo(vid, "ana") is not None  # ben's edit did not cut ana's redo
    store.undo(vid, "ben")  # ben's latest is the history's last step
    store.annotate(t, "watches", P, "ana")
    assert store.redo(vid, "ben") is None  # as in one person's history, a new edit ends that redo
    assert store.redo(vid) is None
