"""Agreement between annotators (Cohen's / Fleiss' kappa per label) and between a model and each annotator.

Each annotator's ratings follow the one truth rule (:func:`hhir.scoring.truth.annotator_votes`), as
training reads them: a tick is present; a label left alone on a clip they marked reviewed is absent
(unless the label was added after that review); anything else is a missing rating, not a
disagreement. With no trained model the starter is the model compared (it is the model in use).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from hhir.learn.interaction_agreement import InteractionAgreement, interaction_agreement
from hhir.learn.kappa import cohen_kappa, fleiss_kappa, ratings_to_counts
from hhir.learn.metrics import Metrics, evaluate
from hhir.scoring.truth import annotator_votes
from hhir.types import Target

Key = tuple[Target, str]


@dataclass(frozen=True)
class PairKappa:
    """Cohen's kappa of two annotators on one label over the targets both rated (None: undefined)."""

    label: str
    annotator_a: str
    annotator_b: str
    kappa: float | None
    items: int


@dataclass(frozen=True)
class GroupKappa:
    """Fleiss' kappa of one label over the targets every annotator rated."""

    label: str
    kappa: float | None
    items: int
    raters: int


@dataclass(frozen=True)
class ModelVsHuman:
    """A model's predictions (at the thresholds in use) scored against one annotator's labels.

    ``starter``: the model is the zero-shot starter (no trained model is active)."""

    annotator: str
    model_id: str
    metrics: Metrics
    starter: bool = False


@dataclass(frozen=True)
class AgreementReport:
    annotators: tuple[str, ...]
    pairs: tuple[PairKappa, ...]
    groups: tuple[GroupKappa, ...]
    model: tuple[ModelVsHuman, ...]
    interactions: tuple[InteractionAgreement, ...] = ()  # who does what to whom, per pair of annotators


def _ratings(store, video_id: int | None, labels: list[str]) -> dict[str, dict[Key, int]]:
    """Annotator -> (target, label) -> 0/1 over the project (or one video), by the truth rule."""
    out: dict[str, dict[Key, int]] = defaultdict(dict)
    label_times = store.label_times()
    for video in store.videos() if video_id is None else [store.video(video_id)]:
        targets = [Target(video.id, c.id) for c in store.clips(video.id)] + [Target(video.id, None)]
        votes = annotator_votes(store.annotations(video.id), store.review_times(video.id), targets, labels, label_times)
        for name, mine in votes.items():
            out[name].update(mine)
    return out


def pair_kappas(ratings: dict[str, dict[Key, int]], labels: list[str]) -> list[PairKappa]:
    """Cohen's kappa for every pair of annotators and every label."""
    out = []
    for a, b in combinations(sorted(ratings), 2):
        for label in labels:
            common = sorted((k for k in ratings[a] if k[1] == label and k in ratings[b]), key=repr)
            kappa = cohen_kappa(np.array([ratings[a][k] for k in common]), np.array([ratings[b][k] for k in common]))
            out.append(PairKappa(label, a, b, kappa, len(common)))
    return out


def group_kappas(ratings: dict[str, dict[Key, int]], labels: list[str]) -> list[GroupKappa]:
    """Fleiss' kappa per label over targets rated by every annotator (needs 3 or more annotators)."""
    names = sorted(ratings)
    if len(names) < 3:
        return []
    out = []
    for label in labels:
        common = sorted(set.intersection(*({k for k in ratings[n] if k[1] == label} for n in names)), key=repr)
        table = ratings_to_counts(np.array([[ratings[n][k] for n in names] for k in common]).reshape(len(common), len(names)))
        out.append(GroupKappa(label, fleiss_kappa(table), len(common), len(names)))
    return out


def model_vs_humans(store, ratings: dict[str, dict[Key, int]], labels: list[str], model_id: str | None,
                    threshold: float | np.ndarray | None = None) -> list[ModelVsHuman]:
    """F1 of a model's stored predictions against each annotator.

    Args:
        model_id: the model (None: the active one; the starter when no trained model is active).
        threshold: one threshold or one per label (None: :mod:`hhir.thresholds`, those in use).
    """
    from hhir.scoring.shown import shown_predictions
    from hhir.scoring.starter import MODEL_ID as STARTER_ID
    from hhir.thresholds import label_thresholds

    predictions: dict[int, object] = {}
    if threshold is None:
        threshold = np.asarray(label_thresholds(store, labels), dtype=np.float64)

    def scores_of(target: Target) -> dict[str, float] | None:
        if target.video_id not in predictions:
            # None: the model in use (the starter when no trained model is active)
            found = shown_predictions(store, target.video_id) if model_id is None else store.predictions(target.video_id, model_id)
            predictions[target.video_id] = found
        preds = predictions[target.video_id]
        if preds is None:
            return None
        return preds.scene if target.clip_id is None else preds.clips.get(target.clip_id)

    out = []
    for name in sorted(ratings):
        rows: dict[Target, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for (target, label), value in ratings[name].items():
            table = scores_of(target)
            if label not in labels or not table or label not in table:
                continue
            truth, score, known = rows.setdefault(target, (np.zeros(len(labels)), np.zeros(len(labels)), np.zeros(len(labels), bool)))
            j = labels.index(label)
            truth[j], score[j], known[j] = value, table[label], True
        if rows:
            used = next(p.model.id for p in predictions.values() if p is not None)
            truth, score, known = (np.stack(x) for x in zip(*rows.values()))
            out.append(ModelVsHuman(name, used, evaluate(truth, score, labels, threshold, known), used == STARTER_ID))
    return out


def agreement(store, video_id: int | None = None, model_id: str | None = None,
              threshold: float | None = None) -> AgreementReport:
    """Annotator agreement and model-vs-human F1 over a project (or one video).

    ``threshold``: None compares at the thresholds in use (:mod:`hhir.thresholds`).
    """
    labels = [label.name for label in store.labels()]
    ratings = _ratings(store, video_id, labels)
    return AgreementReport(tuple(sorted(ratings)), tuple(pair_kappas(ratings, labels)),
                           tuple(group_kappas(ratings, labels)), tuple(model_vs_humans(store, ratings, labels, model_id, threshold)),
                           tuple(interaction_agreement(store, video_id)))
