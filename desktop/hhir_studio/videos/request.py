"""What an analysis job needs, and the functions that run in the worker (no Qt here: the analysis
child process imports this module)."""

from __future__ import annotations

from dataclasses import dataclass

from hhir.jobs import CancelToken, ProgressFn


@dataclass(frozen=True)
class AnalysisRequest:
    db_path: str
    video_path: str
    profile: str
    clip_size: int
    clip_stride: int
    model_bundle: str | None


def _options(request: AnalysisRequest):
    from hhir.pipeline import AnalysisOptions

    return AnalysisOptions(
        profile=request.profile, clip_size=request.clip_size, clip_stride=request.clip_stride,
        model_bundle=request.model_bundle,
    )


def analyse_in_child(request: AnalysisRequest, progress: ProgressFn, cancel: CancelToken) -> int:
    """Worker side: the analysis runs in a child process (:mod:`hhir_studio.ops.child`); returns the video id."""
    from hhir_studio.ops.child import run_in_child
    from hhir_studio.ops.codec import to_json

    return int(run_in_child("analyse", to_json(request, AnalysisRequest), progress, cancel))


def run_analysis(request: AnalysisRequest, progress: ProgressFn, cancel: CancelToken) -> int:
    """Worker side: analyse one video into the project database; returns its id."""
    from hhir.pipeline import analyze
    from hhir.store import Store

    store = Store(request.db_path)
    try:
        return analyze(store, request.video_path, _options(request), progress, cancel)
    finally:
        store.close()
