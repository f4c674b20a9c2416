"""Scoring a classifier on annotated videos: scene and clip metrics at the fixed and tuned thresholds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hhir.learn.dataset import SceneRecord
from hhir.learn.loop import Sample, predict_samples
from hhir.learn.metrics import Metrics, evaluate


@dataclass(frozen=True)
class Evaluation:
    """Metrics on one set of videos.

    Attributes:
        part: which videos (``train``, ``validation``, ``test``, ``held-out``, ``all``).
        videos: how many.
        scene: scene-level metrics at the fixed threshold (how the paper reports).
        scene_tuned: scene-level metrics at the model's per-label thresholds.
        clip: clip-level metrics at the fixed threshold (None without annotated clips).
    """

    part: str
    videos: int
    scene: Metrics
    scene_tuned: Metrics
    clip: Metrics | None

    def flat(self) -> dict[str, float]:
        """A few headline numbers, ``<part>.<name>`` -> value, for a model's metrics record."""
        out = {f"{self.part}.videos": float(self.videos)}
        for name, m in (("scene", self.scene), ("scene_tuned", self.scene_tuned), ("clip", self.clip)):
            if m is not None:
                out |= {f"{self.part}.{name}.{k}": getattr(m, k) for k in ("macro_f1", "micro_f1", "mean_average_precision")}
        return out


def _metrics(model, samples: list[Sample], labels: list[str], threshold) -> Metrics | None:
    if not samples:
        return None
    scores = predict_samples(model, samples)
    return evaluate(np.stack([s.target for s in samples]), scores, labels, threshold,
                    known=np.stack([s.known for s in samples]))


def scene_scores(model, records: list[SceneRecord]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scene targets, known-masks and scores of ``records`` that have a known scene label."""
    samples = [s for s in (r.scene_sample() for r in records) if s is not None]
    if not samples:
        return np.zeros((0, 0)), np.zeros((0, 0), bool), np.zeros((0, 0))
    return np.stack([s.target for s in samples]), np.stack([s.known for s in samples]), predict_samples(model, samples)


def evaluate_records(model, records: list[SceneRecord], labels: list[str], part: str, threshold: float,
                     tuned: np.ndarray) -> Evaluation | None:
    """Metrics of ``model`` on ``records`` (None when none has a known scene label)."""
    scenes = [s for s in (r.scene_sample() for r in records) if s is not None]
    if not scenes:
        return None
    clips = [s for r in records for s in r.clip_samples()]
    return Evaluation(part, len(records), _metrics(model, scenes, labels, threshold),
                      _metrics(model, scenes, labels, tuned), _metrics(model, clips, labels, threshold))
