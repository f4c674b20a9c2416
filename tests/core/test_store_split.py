"""The project's fixed split, label creation times and review times in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from hhir.errors import StoreError
from hhir.types import Clip, LabelDef, Shot, Target, VideoInfo


def test_sides_are_assigned_once_moved_by_hand_and_grouped_by_film(store) -> None:
    assert store.video_sides() == {}
    made = store.assign_sides([("a", "train", None), ("b", "test", "film-1")], seed=7)
    assert [(s.fingerprint, s.side, s.film, s.seed) for s in made] == [("a", "train", None, 7), ("b", "test", "film-1", 7)]
    assert store.assign_sides([("a", "test", None)], seed=8) == []  # an assigned side never changes here
    assert store.video_sides()["a"].side == "train" and store.video_sides()["a"].moved_at is None
    before = store.move_videos(["a"], "validation")
    assert [(b.fingerprint, b.side) for b in before] == [("a", "train")]
    moved = store.video_sides()["a"]
    assert moved.side == "validation" and moved.moved_at is not None
    store.set_film(["a"], "film-1")
    assert store.video_sides()["a"].film == "film-1"
    with pytest.raises(StoreError, match="one of train, validation, test"):
        store.move_videos(["a"], "holdout")
    with pytest.raises(StoreError, match="has no side yet"):
        store.move_videos(["zzz"], "test")


def test_label_and_review_times_tell_which_reviews_saw_a_label(store) -> None:
    video = store.add_video(VideoInfo("/f/a.mp4", 8.0, 25.0, 200, 160, 120, True, fingerprint="fp"))
    store.set_shots(video.id, [Shot(0, 0, 200, 0.0, 8.0)])
    clip = store.set_clips(video.id, [Clip(0, 0, 0, 0.0, 8.0, 0, 200)])[0]
    assert all(t is None for t in store.label_times().values())  # the seeded labels: as old as the project
    store.set_reviewed(Target(video.id, clip.id), "ann")
    reviewed_at = store.review_time(Target(video.id, clip.id), "ann")
    assert store.review_times(video.id) == {"ann": {Target(video.id, clip.id): reviewed_at}}
    assert store.review_time(Target(video.id, None), "ann") is None
    store.add_label(LabelDef("hugs", "an embrace"))
    assert store.label_times()["hugs"] > reviewed_at
