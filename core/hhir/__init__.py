"""HHIR Studio's library: find shots, build clips, transcribe, score human–human interactions, and
keep every correction in a project.

The public API is what ``__all__`` lists; everything else is importable but may change::

    import hhir

    with hhir.open_project("film.sqlite3") as project:
        video_id = hhir.analyze(project, "film.mp4")
        for clip in project.clips(video_id):
            print(clip.start_s, clip.end_s, hhir.predictions(project, video_id).clips[clip.id])

Qt-free. Names are loaded on first use, and heavy libraries (torch, transformers, faster_whisper,
cv2, scenedetect, av) only inside the functions that need them, so ``import hhir`` stays cheap.

Packages, top layer first (docs/internals.md, "Layers"): ``cli``; ``cluster``; ``learn``;
``exchange``; ``pipeline``; ``scoring``; ``people``, ``models``, ``store`` and ``speech``; ``segment``; ``media``.
Modules: ``selftest`` and ``doctor`` (installation checks), ``thresholds`` (a label's threshold
now), ``settings`` (the settings file), ``logs``, ``appdirs`` (default folders), ``fsutil``
(atomic files), ``jobs`` (progress and cancel), ``errors`` and ``types`` (the shared records).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> "module:attribute"
_PUBLIC = {
    "analyze": "hhir.pipeline:analyze",
    "AnalysisOptions": "hhir.pipeline:AnalysisOptions",
    "video_result": "hhir.pipeline:video_result",
    "Store": "hhir.store:Store",
    "export": "hhir.exchange:export",
    "import_": "hhir.exchange:import_",
    "train": "hhir.learn.train:train",
    "TrainOptions": "hhir.learn.options:TrainOptions",
    "label_threshold": "hhir.thresholds:label_threshold",
    "CancelToken": "hhir.jobs:CancelToken",
    "Cancelled": "hhir.jobs:Cancelled",
    "HHIRError": "hhir.errors:HHIRError",
}

__all__ = ["__version__", "open_project", "predictions", *_PUBLIC]

if TYPE_CHECKING:
    from hhir.errors import HHIRError
    from hhir.exchange import export, import_
    from hhir.jobs import CancelToken, Cancelled
    from hhir.learn.options import TrainOptions
    from hhir.learn.train import train
    from hhir.pipeline import AnalysisOptions, analyze, video_result
    from hhir.store import Store
    from hhir.thresholds import label_threshold
    from hhir.types import Predictions


def open_project(location: str | None = None) -> Store:
    """Open (creating or migrating, after a backup) the project at ``location``: a database file, or
    ``None`` for the default (``$HHIR_DB``, else the user data folder). Use it as a context manager.

    Raises:
        StoreError: naming the file, when it is not a project this version can open.
    """
    from hhir.store import Store, default_db_path

    return Store(location if location is not None else default_db_path())


def predictions(project: Store, video_id: int) -> Predictions | None:
    """The scores shown for a video: its active trained model's, else the zero-shot starter's
    (:mod:`hhir.scoring.shown`, the one statement of that rule)."""
    from hhir.scoring.shown import shown_predictions

    return shown_predictions(project, video_id)


def __getattr__(name: str) -> Any:
    target = _PUBLIC.get(name)
    if target is None:
        raise AttributeError(f"module 'hhir' has no attribute {name!r}")
    module, attribute = target.split(":")
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
