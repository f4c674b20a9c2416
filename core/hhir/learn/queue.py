"""The review queue: unreviewed clips ordered by how much a review would help (active learning).

A clip's priority combines, per label, the model's uncertainty (a score near the label's threshold),
the disagreement between the starter and the trained model, and the label's rarity (rare labels
first: every example of them counts more); then adds a bonus when annotators already disagree on the
clip, since that needs a decision. The ranking itself (:func:`rank`) works on plain arrays.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from hhir.scoring.truth import label_truth
from hhir.types import AnnotationState, Target

_UNKNOWN_UNCERTAINTY = 0.5  # a clip nobody has scored yet: neither sure nor near the threshold
_CONFLICT_BONUS = 0.5


@dataclass(frozen=True)
class QueueItem:
    """One clip to review, with the parts of its priority (for the "why" in the UI)."""

    target: Target
    priority: float
    uncertainty: float
    disagreement: float
    conflict: bool
    label: str  # the label that drives the priority


def uncertainty(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """1 at the threshold, falling linearly to 0 at a score of 0 or 1."""
    span = np.where(scores < thresholds, thresholds, 1.0 - thresholds)
    return 1.0 - np.abs(scores - thresholds) / np.maximum(span, 1e-9)


def rarity(positives: np.ndarray) -> np.ndarray:
    """Weights in (0.5, 1]: 1 for a label nobody has marked present yet, towards 0.5 for the most common."""
    positives = np.asarray(positives, dtype=np.float64)
    return 0.5 + 0.5 * (1.0 - positives / (positives.max() + 1.0))


def rank(model: np.ndarray, starter: np.ndarray | None, thresholds: np.ndarray, weights: np.ndarray,
         conflict: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Priorities of ``n`` clips.

    Args:
        model: ``(n, L)`` scores of the model in use (NaN where a clip has none).
        starter: ``(n, L)`` starter scores, or None when the model in use is the starter.
        thresholds: ``(L,)``.
        weights: ``(L,)`` rarity weights.
        conflict: ``(n,)`` bool, annotators disagree on the clip.

    Returns:
        priority ``(n,)``, uncertainty ``(n,)`` and disagreement ``(n,)`` of the driving label, and
        the driving label's index ``(n,)``.
    """
    unc = np.where(np.isnan(model), _UNKNOWN_UNCERTAINTY, uncertainty(np.nan_to_num(model), thresholds[None, :]))
    dis = np.zeros_like(unc) if starter is None else np.nan_to_num(np.abs(model - starter), nan=0.0)
    per_label = weights[None, :] * (0.7 * unc + 0.3 * dis)
    best = np.argmax(per_label, axis=1) if per_label.size else np.zeros(len(model), int)
    rows = np.arange(len(model))
    top = per_label[rows, best] if per_label.size else np.zeros(len(model))
    return top + _CONFLICT_BONUS * conflict, unc[rows, best] if unc.size else top, dis[rows, best] if dis.size else top, best


def review_queue(store, annotator: str | None = None, video_id: int | None = None,
                 limit: int | None = None) -> list[QueueItem]:
    """Unreviewed clips (by ``annotator``, or by anyone when None), most useful first.

    Uses the active model's stored predictions (and the starter's, to measure disagreement) and the
    thresholds of :mod:`hhir.thresholds`. With no trained model the starter is the model in use, so
    its stored scores rank the clips. Annotator conflicts follow the one truth rule
    (:func:`hhir.scoring.truth.label_truth`): a clip one annotator ticked and another reviewed and
    left alone is a disagreement.
    """
    from hhir.scoring.shown import shown_predictions
    from hhir.scoring.starter import MODEL_ID as STARTER_ID

    labels = [label.name for label in store.labels()]
    videos = store.videos() if video_id is None else [store.video(video_id)]
    # Rarity from one query: only a tick makes a label present under the truth rule, so the
    # project's ticks count its examples (judging every film's truth here would read every clip).
    weights = rarity(np.array([_positives(store.annotations())[name] for name in labels]))
    thresholds = _thresholds(store, labels)
    conflicts = {target for v in videos for target, _ in label_truth(store, v.id, labels=labels).conflicts}
    items: list[QueueItem] = []
    for video in videos:
        clips = store.clips(video.id)
        done = store.reviewed(video.id, annotator)
        todo = [c for c in clips if Target(video.id, c.id) not in done]
        if not todo:
            continue
        active = shown_predictions(store, video.id)
        model = _matrix(active, todo, labels)
        in_use_is_starter = active is None or active.model.id == STARTER_ID
        other = None if in_use_is_starter else _matrix(store.predictions(video.id, STARTER_ID), todo, labels)
        targets = [Target(video.id, c.id) for c in todo]
        prio, unc, dis, best = rank(model, other, thresholds, weights, np.array([t in conflicts for t in targets]))
        items += [QueueItem(t, float(p), float(u), float(d), t in conflicts, labels[int(b)])
                  for t, p, u, d, b in zip(targets, prio, unc, dis, best)]
    items.sort(key=lambda i: (-i.priority, i.target.video_id, i.target.clip_id or 0))
    return items[:limit] if limit is not None else items


def _positives(annotations) -> Counter:
    return Counter(a.label for a in annotations if a.state == AnnotationState.PRESENT)


def _matrix(predictions, clips, labels: list[str]) -> np.ndarray:
    out = np.full((len(clips), len(labels)), np.nan)
    if predictions is None:
        return out
    for i, clip in enumerate(clips):
        scores = predictions.clips.get(clip.id, {})
        out[i] = [scores.get(name, np.nan) for name in labels]
    return out


def _thresholds(store, labels: list[str]) -> np.ndarray:
    """The thresholds the suggestions are judged at (:mod:`hhir.thresholds`)."""
    from hhir.thresholds import label_thresholds

    return np.asarray(label_thresholds(store, labels), dtype=np.float64)
