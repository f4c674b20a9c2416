"""Interactions in the project database: recorded, edited, undone; and the clip labels they imply.

Runs on SQLite and on the tests' PostgreSQL server (test_store_* modules get both ``store``s).
"""

from __future__ import annotations

import pytest

from hhir.errors import StoreError
from hhir.store import Store
from hhir.types import AnnotationState, Clip, Interaction, PersonBox, PersonTrack, Shot, Target, VideoInfo

PRESENT, ABSENT = AnnotationState.PRESENT, AnnotationState.ABSENT


def _track(shot: int, frames: range, x: float) -> PersonTrack:
    return PersonTrack(0, 0, shot, tuple(PersonBox(f, x, 0.2, x + 0.2, 0.9, 0.8) for f in frames))


@pytest.fixture
def scene(store: Store):
    """A 100-frame video at 10 fps, clips [0, 40) [40, 70) [70, 100), two characters and a third."""
    info = VideoInfo(path="/v.mp4", fingerprint="fp-who", duration_s=10.0, fps=10.0, frame_count=100, width=640, height=360, has_audio=True)
    video_id = store.add_video(info).id
    store.set_shots(video_id, [Shot(0, 0, 40, 0.0, 4.0), Shot(1, 40, 70, 4.0, 7.0), Shot(2, 70, 100, 7.0, 10.0)])
    store.set_clips(video_id, [Clip(i, i, i, a / 10, b / 10, a, b) for i, (a, b) in enumerate([(0, 40), (40, 70), (70, 100)])])
    found = [_track(0, range(0, 40, 10), 0.1), _track(0, range(0, 40, 10), 0.6), _track(1, range(40, 70, 10), 0.3)]
    store.set_people(video_id, found, [[0], [1], [2]], "people-v1:test")
    ana, ben, cy = store.characters(video_id)
    return store, video_id, ana.id, ben.id, cy.id


def test_add_list_and_undo(scene) -> None:
    store, video_id, ana, ben, _ = scene
    change, iid = store.add_interaction(video_id, ana, "talks to", "character", ben, 5, 45, "alice")
    assert change.kind == "interaction"
    clips = store.clips(video_id)
    assert set(change.targets) == {Target(video_id, None), Target(video_id, clips[0].id), Target(video_id, clips[1].id)}
    got = store.interactions(video_id)
    assert got == [Interaction(iid, video_id, ana, "talks to", "character", ben, 5, 45, "present", "alice", "annotator", None,
                               got[0].updated_at)]
    assert store.interactions(video_id, character_id=ben) == got and store.interactions(video_id, annotator="bob") == []
    assert store.stage_done(video_id, "people", "user")  # a re-analysis keeps the characters it points at
    store.set_interaction(iid, "alice", end_frame=60, target_kind="group")
    moved = store.interaction(iid)
    assert (moved.end_frame, moved.target_kind, moved.target_id) == (60, "group", None)
    store.delete_interaction(iid, "alice")
    assert store.interactions(video_id) == []
    assert store.undo(video_id, "alice") is not None
    assert store.interactions(video_id) == [moved]
    store.undo(video_id, "alice")
    assert store.interactions(video_id) == got
    store.undo(video_id, "alice")
    assert store.interactions(video_id) == []
    redone = store.redo(video_id, "alice")
    assert redone is not None and Target(video_id, clips[0].id) in redone.targets
    assert store.interactions(video_id) == got


def test_refusals_leave_nothing_changed(scene) -> None:
    store, video_id, ana, ben, _ = scene
    _, iid = store.add_interaction(video_id, ana, "talks to", "offscreen", None, 0, 10, "alice")
    before = store.interactions(video_id)
    bad = [
        dict(actor_id=ana, label="talks to", target_kind="character", target_id=ana, start_frame=0, end_frame=5),  # self
        dict(actor_id=ana, label="juggle", target_kind="group", target_id=None, start_frame=0, end_frame=5),  # label
        dict(actor_id=ana, label="talks to", target_kind="group", target_id=None, start_frame=5, end_frame=5),  # empty
        dict(actor_id=ana, label="talks to", target_kind="group", target_id=None, start_frame=90, end_frame=101),  # past end
        dict(actor_id=ana, label="talks to", target_kind="crowd", target_id=None, start_frame=0, end_frame=5),
        dict(actor_id=ana, label="talks to", target_kind="character", target_id=None, start_frame=0, end_frame=5),
        dict(actor_id=999, label="talks to", target_kind="group", target_id=None, start_frame=0, end_frame=5),
    ]
    for fields in bad:
        with pytest.raises(StoreError):
            store.add_interaction(video_id, annotator="alice", **fields)
    with pytest.raises(StoreError, match="state"):
        store.add_interaction(video_id, ana, "talks to", "group", None, 0, 5, "alice", state="maybe")
    with pytest.raises(StoreError, match="alice's"):
        store.set_interaction(iid, "bob", state="absent")
    with pytest.raises(StoreError, match="alice's"):
        store.delete_interaction(iid, "bob")
    with pytest.raises(StoreError, match="no field"):
        store.set_interaction(iid, "alice", created_at="x")
    assert store.interactions(video_id) == before


def test_a_suggestion_becomes_the_judges_own_and_keeps_its_cue(scene) -> None:
    store, video_id, ana, ben, _ = scene
    _, iid = store.add_interaction(video_id, ana, "talks to", "character", ben, 0, 30, "@suggest", state="unreviewed",
                                   source="suggestion", evidence="next speaker after a question")
    assert store.annotations(video_id) == []  # an unreviewed suggestion implies nothing
    store.set_interaction(iid, "bob", state="present")
    got = store.interaction(iid)
    assert (got.annotator, got.state, got.source, got.evidence) == ("bob", "present", "suggestion", "next speaker after a question")
    assert [(a.label, a.annotator) for a in store.annotations(video_id)] == [("talks to", "bob"), ("talks to", "bob")]


def test_clip_labels_derived_and_an_explicit_decision_wins(scene) -> None:
    store, video_id, ana, ben, cy = scene
    clips = store.clips(video_id)
    store.add_interaction(video_id, ana, "talks to", "character", ben, 35, 45, "alice")  # overlaps clips 1 and 2
    store.add_interaction(video_id, cy, "gives to", "character", ben, 50, 60, "alice", state="absent")  # derives nothing
    store.add_interaction(video_id, cy, "talks to", "group", None, 80, 90, "bob")
    derived = {(a.target.clip_id, a.label, a.annotator): (a.state, a.source) for a in store.annotations(video_id)}
    assert derived == {
        (None, "talks to", "alice"): (PRESENT, "interaction"), (clips[0].id, "talks to", "alice"): (PRESENT, "interaction"),
        (clips[1].id, "talks to", "alice"): (PRESENT, "interaction"),
        (None, "talks to", "bob"): (PRESENT, "interaction"), (clips[2].id, "talks to", "bob"): (PRESENT, "interaction"),
    }
    # alice says clip 2 has no talking after all: her clip decision wins over her interaction
    store.annotate(Target(video_id, clips[1].id), "talks to", ABSENT, "alice")
    store.annotate(Target(video_id, clips[2].id), "gives to", PRESENT, "alice")
    mine = {(a.target.clip_id, a.label): (a.state, a.source) for a in store.annotations(video_id, "alice")}
    assert mine == {(None, "talks to"): (PRESENT, "interaction"), (clips[0].id, "talks to"): (PRESENT, "interaction"),
                    (clips[1].id, "talks to"): (ABSENT, "human"), (clips[2].id, "gives to"): (PRESENT, "human")}
    # removing her clip decision brings the derived label back
    store.annotate(Target(video_id, clips[1].id), "talks to", None, "alice")
    assert (clips[1].id, "talks to", "alice") in {(a.target.clip_id, a.label, a.annotator) for a in store.annotations(video_id)}


def test_merging_characters_keeps_their_interactions(scene) -> None:
    store, video_id, ana, ben, cy = scene
    _, iid = store.add_interaction(video_id, cy, "talks to", "character", ben, 40, 60, "alice")
    store.merge_characters(ana, cy, "alice")
    assert store.interaction(iid).actor_id == ana
    store.undo(video_id, "alice")
    assert store.interaction(iid).actor_id == cy


def test_undo_skips_an_interaction_whose_character_another_person_removed(scene) -> None:
    store, video_id, ana, _, cy = scene
    track = next(t for t in store.person_tracks(video_id) if t.character_id == cy)
    store.split_character([track.id], "bob")  # a new character, by bob
    new = max(c.id for c in store.characters(video_id))
    _, iid = store.add_interaction(video_id, new, "asks", "character", ana, 40, 60, "alice")
    store.delete_interaction(iid, "alice")
    store.undo(video_id, "bob")  # bob takes his split back: the new character goes
    assert new not in {c.id for c in store.characters(video_id)}
    assert store.undo(video_id, "alice") is not None  # her delete: the interaction cannot come back without its actor
    assert store.interactions(video_id) == []
    assert store.undo(video_id, "alice") is not None  # and her older steps still undo
    assert store.history(video_id, "alice")[0] is None
