"""Scoring a classifier on annotated videos: scene and clip metrics at the fixed and the tuned thresholds.

The tuned thresholds are the ones the model is used with, so those are the figures to report.
"""

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
        clip_tuned: clip-level metrics at the model's per-label thresholds: the figures of the
            model as it is used (suggestions and the timeline use those thresholds).
    """

    part: str
    videos: int
    scene: Metrics
    scene_tuned: Metrics
    clip: Metrics | None
    clip_tuned: Metrics | None = None

    def as_dict(self) -> dict:
        """Every figure, for JSON output and ``training.json``."""
        return {"part": self.part, "videos": self.videos, "scene": self.scene.as_dict(),
                "scene_tuned": self.scene_tuned.as_dict(), "clip": self.clip.as_dict() if self.clip else None,
                "clip_tuned": self.clip_tuned.as_dict() if self.clip_tuned else None}

    def flat(self) -> dict[str, float]:
        """A few headline numbers, ``<part>.<name>`` -> value, for a model's metrics record."""
        out = {f"{self.part}.videos": float(self.videos)}
        for name, m in (("scene", self.scene), ("scene_tuned", self.scene_tuned), ("clip", self.clip),
                        ("clip_tuned", self.clip_tuned)):
            if m is not None:
                out |= {f"{self.part}.{name}.{k}": getattr(m, k) for k in ("macro_f1", "micro_f1", "mean_average_precision")}
        return out


def score_samples(model, samples: list[Sample]) -> np.ndarray:
    """``(n, L)`` probabilities of ``samples`` from what a bundle predicts with: the seed's classifier,
    or the light head when it won (it mean-pools each sample's clips as the bundle's ``predict`` does)."""
    from hhir.models.light_head import LightHead

    if isinstance(model, LightHead):
        if not samples:
            return np.zeros((0, len(model.labels)))
        return np.stack([model.predict(s.video[None], s.text[None], s.audio[None])[0] for s in samples])
    return predict_samples(model, samples)


def _metrics(model, samples: list[Sample], labels: list[str], *thresholds) -> list[Metrics | None]:
    """Metrics at each of ``thresholds`` (one float or one per label), scoring the samples once."""
    if not samples:
        return [None for _ in thresholds]
    scores = score_samples(model, samples)
    target, known = np.stack([s.target for s in samples]), np.stack([s.known for s in samples])
    return [evaluate(target, scores, labels, t, known=known) for t in thresholds]


def scene_scores(model, records: list[SceneRecord]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scene targets, known-masks and scores of ``records`` that have a known scene label."""
    samples = [s for s in (r.scene_sample() for r in records) if s is not None]
    if not samples:
        return np.zeros((0, 0)), np.zeros((0, 0), bool), np.zeros((0, 0))
    return np.stack([s.target for s in samples]), np.stack([s.known for s in samples]), score_samples(model, samples)


def evaluate_records(model, records: list[SceneRecord], labels: list[str], part: str, threshold: float,
                     tuned: np.ndarray) -> Evaluation | None:
    """Metrics of ``model`` on ``records`` (None when none has a known scene label).

    ``model`` is what predicts: the seed's classifier or a :class:`~hhir.models.light_head.LightHead`;
    ``tuned`` are its own per-label thresholds."""
    scenes = [s for s in (r.scene_sample() for r in records) if s is not None]
    if not scenes:
        return None
    clips = [s for r in records for s in r.clip_samples()]
    scene, scene_tuned = _metrics(model, scenes, labels, threshold, tuned)
    clip, clip_tuned = _metrics(model, clips, labels, threshold, tuned)
    return Evaluation(part, len(records), scene, scene_tuned, clip, clip_tuned)
