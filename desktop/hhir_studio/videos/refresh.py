"""Background work that follows an edit rather than a new video: features and suggestions of the
clips a shot edit created, and switching the model suggestions come from. Both run torch, so
both run in the child process (:mod:`hhir_studio.ops.child`); the functions here without Qt are
also what the child runs.
"""

from __future__ import annotations

from hhir.jobs import CancelToken, ProgressFn
from hhir_studio.videos.request import AnalysisRequest


def refresh_in_child(request: AnalysisRequest, video_id: int, progress: ProgressFn, cancel: CancelToken) -> int:
    """Worker side: :func:`run_refresh` in the child; returns how many clips were new."""
    from hhir_studio.ops.child import run_in_child
    from hhir_studio.ops.codec import to_json

    payload = {"request": to_json(request, AnalysisRequest), "video_id": video_id}
    return int(run_in_child("refresh_clips", payload, progress, cancel))


def run_refresh(request: AnalysisRequest, video_id: int, progress: ProgressFn, cancel: CancelToken) -> int:
    """Child side: features of the new clips and the video's suggestions again."""
    from hhir.pipeline.shot_edits import refresh_clips
    from hhir.store import Store
    from hhir_studio.videos.request import _options

    store = Store(request.db_path)
    try:
        return refresh_clips(store, video_id, _options(request), progress, cancel)
    finally:
        store.close()


def activate_in_child(db_path: str, model_id: str | None, progress: ProgressFn, cancel: CancelToken) -> list[int]:
    """Worker side: make ``model_id`` (None: the starter) active and recompute predictions."""
    from hhir_studio.ops.child import run_in_child

    return [int(v) for v in run_in_child("activate", {"db_path": db_path, "model_id": model_id}, progress, cancel)]


def run_use_model(db_path: str, model_id: str | None, progress: ProgressFn, cancel: CancelToken) -> list[int]:
    """Child side: ``hhir models activate ID`` (or back to the starter); returns the videos rescored."""
    from hhir.learn.versions import activate
    from hhir.store import Store

    store = Store(db_path)
    try:
        progress(0.1, f"Switching suggestions to {model_id or 'the zero-shot starter'}")
        return activate(store, model_id)
    finally:
        store.close()
