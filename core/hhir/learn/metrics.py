"""Multi-label metrics as the seed paper reports them.

Precision, recall and F1 per label and their macro and micro averages at a threshold, with the
support of each label, plus average precision (the area under the precision-recall curve, computed
as scikit-learn's ``average_precision_score`` does). Entries whose truth is unknown (an unreviewed
label) are left out through a boolean ``known`` mask instead of being counted as negatives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hhir.thresholds import DEFAULT_THRESHOLD  # noqa: F401 - re-exported for the metric modules


@dataclass(frozen=True)
class LabelMetrics:
    """Scores of one label. ``support`` is the number of known positives."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int
    average_precision: float
    threshold: float


@dataclass(frozen=True)
class Metrics:
    """Macro and micro averages over labels, and the per-label scores behind them.

    Macro averages run over the labels that occur (support > 0 or predicted at least once); a label
    that never occurs on either side says nothing about the model and would only pull the mean to 0.
    """

    n_samples: int
    macro_precision: float
    macro_recall: float
    macro_f1: float
    micro_precision: float
    micro_recall: float
    micro_f1: float
    mean_average_precision: float
    per_label: tuple[LabelMetrics, ...]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view (used in bundle manifests and ``--json`` output)."""
        out: dict[str, object] = {k: getattr(self, k) for k in _SCALARS}
        out["per_label"] = {m.label: {k: getattr(m, k) for k in _LABEL_FIELDS} for m in self.per_label}
        return out

    @staticmethod
    def from_dict(data: dict) -> Metrics:
        """Inverse of :meth:`as_dict`."""
        per_label = tuple(LabelMetrics(label=name, **values) for name, values in data["per_label"].items())
        return Metrics(per_label=per_label, **{k: data[k] for k in _SCALARS})


_SCALARS = ("n_samples", "macro_precision", "macro_recall", "macro_f1", "micro_precision", "micro_recall",
            "micro_f1", "mean_average_precision")
_LABEL_FIELDS = ("precision", "recall", "f1", "support", "average_precision", "threshold")


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else 0.0


def _f1(p: float, r: float) -> float:
    return _ratio(2 * p * r, p + r)


def average_precision(truth: np.ndarray, scores: np.ndarray) -> float:
    """Average precision of one label: sum over thresholds of (R_n - R_{n-1}) * P_n.

    Args:
        truth: 0/1 array of known entries.
        scores: scores of the same entries.

    Returns:
        The AP, or 0.0 when there is no positive.
    """
    truth = np.asarray(truth).astype(bool)
    n_pos = int(truth.sum())
    if n_pos == 0:
        return 0.0
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="mergesort")
    s, t = np.asarray(scores, dtype=np.float64)[order], truth[order]
    # One point per distinct score, so tied scores are not given an arbitrary order.
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]
    tp = np.cumsum(t)[last]
    precision = tp / (last + 1)
    recall = tp / n_pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def _check(truth: np.ndarray, scores: np.ndarray, known: np.ndarray | None, labels: list[str]) -> np.ndarray:
    if truth.shape != scores.shape or truth.ndim != 2:
        raise ValueError(f"truth {truth.shape} and scores {scores.shape} must be the same (n, labels) shape")
    if truth.shape[1] != len(labels):
        raise ValueError(f"{truth.shape[1]} label columns but {len(labels)} label names")
    if known is None:
        return np.ones(truth.shape, dtype=bool)
    if known.shape != truth.shape:
        raise ValueError(f"mask {known.shape} does not match truth {truth.shape}")
    return known.astype(bool)


def evaluate(truth: np.ndarray, scores: np.ndarray, labels: list[str],
             threshold: float | np.ndarray = DEFAULT_THRESHOLD, known: np.ndarray | None = None) -> Metrics:
    """Precision/recall/F1 (per label, macro, micro) and average precision.

    Args:
        truth: ``(n, L)`` 0/1 array of the true labels.
        scores: ``(n, L)`` probabilities.
        labels: the ``L`` label names.
        threshold: one threshold for every label, or ``(L,)`` per-label thresholds.
        known: optional ``(n, L)`` mask; False entries (unreviewed) are ignored.

    Returns:
        The :class:`Metrics`.
    """
    truth, scores = np.asarray(truth), np.asarray(scores, dtype=np.float64)
    mask = _check(truth, scores, known, labels)
    thresholds = np.broadcast_to(np.asarray(threshold, dtype=np.float64), (len(labels),))
    predicted = scores >= thresholds[None, :]
    positive = truth.astype(bool)
    per_label, counts = [], np.zeros(3)
    for j, name in enumerate(labels):
        m = mask[:, j]
        tp = float(np.sum(predicted[m, j] & positive[m, j]))
        fp = float(np.sum(predicted[m, j] & ~positive[m, j]))
        fn = float(np.sum(~predicted[m, j] & positive[m, j]))
        counts += (tp, fp, fn)
        p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        ap = average_precision(positive[m, j], scores[m, j])
        per_label.append(LabelMetrics(name, p, r, _f1(p, r), int(tp + fn), ap, float(thresholds[j])))
    occurring = [lm for j, lm in enumerate(per_label) if lm.support > 0 or np.any(predicted[mask[:, j], j])]
    micro_p, micro_r = _ratio(counts[0], counts[0] + counts[1]), _ratio(counts[0], counts[0] + counts[2])
    with_support = [lm.average_precision for lm in per_label if lm.support > 0]
    return Metrics(
        n_samples=int(truth.shape[0]),
        macro_precision=_mean([lm.precision for lm in occurring]),
        macro_recall=_mean([lm.recall for lm in occurring]),
        macro_f1=_mean([lm.f1 for lm in occurring]),
        micro_precision=micro_p, micro_recall=micro_r, micro_f1=_f1(micro_p, micro_r),
        mean_average_precision=_mean(with_support),
        per_label=tuple(per_label),
    )


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else 0.0


def tune_thresholds(truth: np.ndarray, scores: np.ndarray, known: np.ndarray | None = None,
                    default: float = DEFAULT_THRESHOLD, grid: np.ndarray | None = None) -> np.ndarray:
    """Per-label thresholds that maximise each label's F1 on (validation) data.

    A label with no known positive keeps ``default``: there is nothing to tune it on. Ties go to
    the threshold closest to ``default``, so a tuned value only moves when it buys F1.

    Returns:
        ``(L,)`` float array of thresholds.
    """
    truth, scores = np.asarray(truth).astype(bool), np.asarray(scores, dtype=np.float64)
    mask = np.ones(truth.shape, bool) if known is None else known.astype(bool)
    grid = np.round(np.arange(0.05, 0.96, 0.05), 2) if grid is None else np.asarray(grid, dtype=np.float64)
    grid = grid[np.argsort(np.abs(grid - default), kind="mergesort")]
    out = np.full(truth.shape[1], default, dtype=np.float64)
    for j in range(truth.shape[1]):
        t, s = truth[mask[:, j], j], scores[mask[:, j], j]
        if not t.any():
            continue
        f1s = [_f1_at(t, s, g) for g in grid]
        out[j] = grid[int(np.argmax(f1s))]
    return out


def _f1_at(truth: np.ndarray, scores: np.ndarray, threshold: float) -> float:
    pred = scores >= threshold
    tp = float(np.sum(pred & truth))
    return _f1(_ratio(tp, float(pred.sum())), _ratio(tp, float(truth.sum())))
