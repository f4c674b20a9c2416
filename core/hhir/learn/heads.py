"""Which suggestions are worth showing: the seed's classifier, the light head, or the starter.

Every training run also fits the light head (:mod:`hhir.models.light_head`) on the same annotated
clips, and the three are scored on the same held-out annotated clips (the test videos, else the
validation ones): clip-level macro-F1, each model at its own thresholds (the trained ones tuned on
the validation videos, the starter at the project's). A trained model is only worth activating when
it beats the starter there; the training dialog says which won, with the figures.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from hhir.learn.dataset import SceneRecord
from hhir.models.light_head import LightHead, fit_light_head, pooled
from hhir.learn.loop import Sample, predict_samples
from hhir.learn.metrics import evaluate, tune_thresholds
from hhir.models.manifest import LIGHT_HEAD_FILE  # noqa: F401 - re-exported for training

MODELS = ("seed classifier", "light head", "starter")


@dataclass(frozen=True)
class HeadComparison:
    """Clip-level macro-F1 of each model on the same held-out annotated clips (None: not measurable)."""

    part: str  # "test", "validation" or "" (nothing held out)
    held_out_clips: int
    train_clips: int
    seed_f1: float | None
    light_f1: float | None
    starter_f1: float | None

    @property
    def winner(self) -> str:
        """The model with the best figure ("starter" unless a trained one beats it; "" when none measured)."""
        figures = dict(zip(MODELS, (self.seed_f1, self.light_f1, self.starter_f1)))
        measured = {k: v for k, v in figures.items() if v is not None}
        if not measured:
            return ""
        return max(measured, key=lambda k: (measured[k], k == "starter"))  # a tie goes to the starter

    def as_dict(self) -> dict:
        return asdict(self) | {"winner": self.winner}

    def summary(self) -> str:
        """One line for the training dialog."""
        if not self.part:
            return "No held-out annotated clips: nothing says whether the new model beats the starter."
        fig = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
        return (f"On {self.held_out_clips} held-out annotated clips ({self.part} videos), clip macro-F1: "
                f"seed classifier {fig(self.seed_f1)}, light head {fig(self.light_f1)}, starter {fig(self.starter_f1)}"
                f" — {self.winner} is best (trained on {self.train_clips} clips).")


def _clip_samples(records: list[SceneRecord]) -> list[Sample]:
    return [s for r in records for s in r.clip_samples()]


def _stack(samples: list[Sample]) -> tuple[np.ndarray, ...]:
    return tuple(np.concatenate([getattr(s, m) for s in samples]) for m in ("video", "text", "audio")) + (
        np.stack([s.target for s in samples]), np.stack([s.known for s in samples]))


def fit_head(train: list[SceneRecord], labels: list[str]) -> LightHead | None:
    """The light head fitted on the annotated clips of ``train`` (None when there are none)."""
    samples = _clip_samples(train)
    if not samples:
        return None
    video, text, audio, target, known = _stack(samples)
    return fit_light_head(pooled(video, text, audio), target, known, labels)


def _starter_scores(store, records: list[SceneRecord], labels: list[str]) -> np.ndarray | None:
    """The stored starter scores of the records' annotated clips, in clip-sample order."""
    from hhir.scoring.starter import MODEL_ID

    rows = []
    for r in records:
        preds = store.predictions(r.video.id, MODEL_ID) if store is not None else None
        for i in np.flatnonzero(r.truth.clip_known.any(axis=1)):
            scores = preds.clips.get(r.clips[int(i)].id) if preds is not None else None
            if scores is None:
                return None
            rows.append([scores.get(n, 0.0) for n in labels])
    return np.array(rows, dtype=np.float64).reshape(-1, len(labels))


def head_thresholds(parts: dict[str, list[SceneRecord]], head: LightHead, labels: list[str],
                    default: float) -> np.ndarray:
    """The light head's per-label thresholds tuned on the validation clips (``default`` without any)."""
    val = _clip_samples(parts.get("validation", []))
    if not val:
        return np.full(len(labels), default)
    v = _stack(val)
    return tune_thresholds(v[3], head.predict(*v[:3]), v[4], default=default)


def compare(parts: dict[str, list[SceneRecord]], labels: list[str], classifier, classifier_thresholds: np.ndarray,
            head: LightHead | None, store=None, starter_threshold: float = 0.6) -> HeadComparison:
    """Score the seed's classifier, the light head and the stored starter scores on the held-out clips."""
    part = next((p for p in ("test", "validation") if _clip_samples(parts.get(p, []))), "")
    train_clips = len(_clip_samples(parts.get("train", [])))
    if not part:
        return HeadComparison("", 0, train_clips, None, None, None)
    held = _clip_samples(parts[part])
    video, text, audio, target, known = _stack(held)
    seed = evaluate(target, predict_samples(classifier, held), labels, classifier_thresholds, known=known).macro_f1
    light = None
    if head is not None:
        thresholds = head_thresholds(parts, head, labels, starter_threshold) if part == "test" else starter_threshold
        light = evaluate(target, head.predict(video, text, audio), labels, thresholds, known=known).macro_f1
    starter_scores = _starter_scores(store, parts[part], labels)
    starter = None if starter_scores is None else evaluate(target, starter_scores, labels, starter_threshold, known=known).macro_f1
    return HeadComparison(part, len(held), train_clips, seed, light, starter)


# Measured by bench/learning_curve.py (docs/suggestions.md): clip macro-F1 on 60 held-out generated
# clips after training on this many annotated clips, mean of 3 draws: (seed classifier, light head).
LEARNING_CURVE: dict[int, tuple[float, float]] = {
    10: (0.35, 0.57), 20: (0.66, 0.70), 50: (0.64, 0.85), 100: (0.77, 0.94), 200: (0.82, 1.00),
}
CURVE_STARTER_F1 = 0.94  # the starter on the same held-out clips


def curve_position(train_clips: int) -> str:
    """Where a project that trained on ``train_clips`` annotated clips stands on the measured curve."""
    if not LEARNING_CURVE:
        return ""
    sizes = sorted(LEARNING_CURVE)
    nearest = min(sizes, key=lambda s: abs(np.log(max(train_clips, 1)) - np.log(s)))
    seed, light = LEARNING_CURVE[nearest]
    return (f"Learning curve (generated clips, docs/suggestions.md): at {nearest} training clips the seed classifier "
            f"reached {seed:.2f} and the light head {light:.2f} (the starter {CURVE_STARTER_F1:.2f}); "
            f"this project trained on {train_clips}.")


def verdict(comparison: dict | None) -> str:
    """The training dialog's verdict from a ``TrainResult.comparison`` (empty when there is none)."""
    if not comparison:
        return ""
    fields = {k: comparison.get(k) for k in ("part", "held_out_clips", "train_clips", "seed_f1", "light_f1", "starter_f1")}
    c = HeadComparison(**fields)
    advice = {"starter": " Keep the current model: the starter's suggestions are better held out.",
              "light head": " The light head is better than the seed classifier at this size: the new model's"
                            " suggestions come from the light head.",
              "seed classifier": ""}.get(c.winner, "")
    return " ".join(x for x in (c.summary() + advice, curve_position(c.train_clips)) if x)
