"""Settings of one analysis run."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class AnalysisOptions:
    """What an analysis run does. Every field that changes a stage's output is part of its key.

    Attributes:
        profile: ``offline`` (default), ``paper`` or a folder with a ``profile.json``.
        clip_size: shots per clip window (the seed uses 3).
        clip_stride: shots between window starts (the seed uses 1).
        detector: PySceneDetect detector name (``adaptive``, ``content``, ``threshold``, ``histogram``).
        threshold: detector threshold; ``None`` keeps the detector's default.
        model_bundle: a bundle folder to predict with instead of the project's active model.
        feature_batch: clips per encoder batch.
    """

    profile: str = "offline"
    clip_size: int = 3
    clip_stride: int = 1
    detector: str = "adaptive"
    threshold: float | None = None
    model_bundle: str | None = None
    feature_batch: int = 4

    def key(self, *fields: str) -> str:
        """A short stable hash of the named fields, used to tell whether a stored stage is current."""
        values = {name: asdict(self)[name] for name in fields}
        return hashlib.sha1(json.dumps(values, sort_keys=True).encode(), usedforsecurity=False).hexdigest()[:16]
