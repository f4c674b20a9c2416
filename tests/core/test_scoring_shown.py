"""The one rule for the scores a video shows: the active model's, else the zero-shot starter's.
Every reader of that rule (hhir.predictions, exports, agreement, the review queue, the app's
snapshot of a video) gets the same answer from hhir.scoring.shown."""

from __future__ import annotations

import hhir
from hhir.learn.agreement import model_vs_humans
from hhir.scoring.shown import SHOWN_MODELS, has_shown_predictions, shown_predictions
from hhir.scoring.starter import MODEL_ID as STARTER_ID
from hhir.store import Store
from hhir.types import Clip, ModelInfo, Target, VideoInfo


def _project(store: Store):
    video = store.add_video(VideoInfo(path="/films/a.mp4", duration_s=8.0, fps=25.0, frame_count=200, width=160,
                                      height=120, has_audio=True, fingerprint="fp-1"))
    clips = store.set_clips(video.id, [Clip(index=0, first_shot=0, last_shot=2, start_s=0.0, end_s=3.0, start_frame=0, end_frame=75)])
    store.register_model(ModelInfo(id=STARTER_ID, kind="starter"))
    store.register_model(ModelInfo(id="m1", kind="trained"))
    return video, clips[0]


def _shown_everywhere(store: Store, video_id: int, clip: Clip) -> set[str | None]:
    """Which model each reader shows for the video."""
    snapshot = store.video_state(video_id, None, models=SHOWN_MODELS).predictions
    found = shown_predictions(store, video_id)
    public = hhir.predictions(store, video_id)
    ratings = {"ann": {(Target(video_id, clip.id), "asks"): 1}}
    compared = model_vs_humans(store, ratings, ["asks"], None, threshold=0.5)
    return {p.model.id if p is not None else None for p in (snapshot, found, public)} | {m.model_id for m in compared}


def test_the_starter_until_a_trained_model_is_active_and_scored(tmp_path):
    with Store(tmp_path / "p.sqlite3") as store:
        video, clip = _project(store)
        assert shown_predictions(store, video.id) is None and not has_shown_predictions(store, video.id)
        store.set_predictions(STARTER_ID, video.id, {"asks": 0.4}, {clip.id: {"asks": 0.7}})
        assert has_shown_predictions(store, video.id)
        assert _shown_everywhere(store, video.id, clip) == {STARTER_ID}
        store.activate("m1")  # active, but it has not scored this video yet: the starter's still show
        assert _shown_everywhere(store, video.id, clip) == {STARTER_ID}
        store.set_predictions("m1", video.id, {"asks": 0.9}, {clip.id: {"asks": 0.1}})
        assert _shown_everywhere(store, video.id, clip) == {"m1"}
        assert shown_predictions(store, video.id).clips == {clip.id: {"asks": 0.1}}
