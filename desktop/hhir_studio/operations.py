"""The operations the background child process can run, by name (:data:`OPS`). No Qt here: the
child imports this module. ``hhir-studio --op-child OP PAYLOAD`` runs ``OPS[OP]``
(:func:`hhir_studio.ops.child.child_main`).

Each operation takes its JSON payload, a progress callback, a cancel token and an ``emit`` for
events (e.g. one per training epoch), and returns a JSON value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hhir.jobs import CancelToken, ProgressFn
from hhir_studio.ops.codec import from_json, to_json

EmitFn = Callable[[dict], None]
Operation = Callable[[dict, ProgressFn, CancelToken, EmitFn], Any]


def analyse(payload: dict, progress: ProgressFn, cancel: CancelToken, emit: EmitFn) -> int:
    """Analyse one video into the project; returns its id."""
    from hhir_studio.videos.request import AnalysisRequest, run_analysis

    return run_analysis(from_json(payload, AnalysisRequest), progress, cancel)


def train(payload: dict, progress: ProgressFn, cancel: CancelToken, emit: EmitFn) -> Any:
    """Train a model from the project's annotations; one event per epoch; returns the TrainResult."""
    from hhir.learn.options import TrainingEpoch
    from hhir.learn.train import TrainResult
    from hhir_studio.dialogs.train_request import TrainRequest, run_training

    def on_epoch(epoch: TrainingEpoch) -> None:
        emit({"epoch": to_json(epoch, TrainingEpoch)})

    return to_json(run_training(from_json(payload, TrainRequest), on_epoch, progress, cancel), TrainResult)


def activate(payload: dict, progress: ProgressFn, cancel: CancelToken, emit: EmitFn) -> list[int]:
    """A model version (or the starter, ``model_id`` null) becomes active, from the training dialog
    or the Model menu; returns the videos whose predictions were recomputed."""
    from hhir_studio.videos.refresh import run_use_model

    model_id = payload.get("model_id")
    return run_use_model(str(payload["db_path"]), None if model_id is None else str(model_id), progress, cancel)


def refresh_clips(payload: dict, progress: ProgressFn, cancel: CancelToken, emit: EmitFn) -> int:
    """Features and suggestions of the clips a shot edit created; returns how many were new."""
    from hhir_studio.videos.refresh import run_refresh
    from hhir_studio.videos.request import AnalysisRequest

    return run_refresh(from_json(payload["request"], AnalysisRequest), int(payload["video_id"]), progress, cancel)


OPS: dict[str, Operation] = {"analyse": analyse, "train": train, "activate": activate,
                             "refresh_clips": refresh_clips}
