"""What a training job needs, and the function the child process runs for it (no
Qt here: the child imports this module)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hhir.jobs import CancelToken, ProgressFn


@dataclass(frozen=True)
class TrainRequest:
    db_path: str
    epochs: int
    profile: str
    annotator: str | None
    out_dir: str | None = None  # the settings' model folder; None = models/ beside the project


def run_training(request: TrainRequest, on_epoch: Callable, progress: ProgressFn, cancel: CancelToken):
    """Train on the project's annotations (registered, not activated); returns the ``TrainResult``."""
    from hhir.learn.options import TrainOptions
    from hhir.learn.train import train
    from hhir.store import Store

    options = TrainOptions(epochs=request.epochs, profile=request.profile, annotator=request.annotator)
    store = Store(request.db_path)
    try:
        return train(store, options, progress, cancel, on_epoch=on_epoch, out_dir=request.out_dir)
    finally:
        store.close()
