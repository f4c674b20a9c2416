"""Calibration of the starter's scores: Platt scaling per label, and the error that measures it.

The cue rules (:mod:`hhir.scoring.starter.scoring`) give a logit per label; a fitted pair ``(a, b)``
maps it to ``sigmoid(a * logit + b)`` so that a score of 0.8 is right about 80 % of the time on
what is known. The pairs in :data:`PLATT` were fitted offline by ``bench/calibrate_starter.py``
(scikit-learn's ``LogisticRegression`` on the single logit, C=1.0) on the generated clips with known
content plus the annotated real-footage dev set (never the locked test set); rerun it after changing
a rule and paste its output.
Labels without a pair (a user's own label, or one with no positives to fit on) keep the raw sigmoid.
"""

from __future__ import annotations

import numpy as np

# label -> (a, b), fitted by bench/calibrate_starter.py on 39 generated and 18 dev-set clips (the dev set
# only: the locked test set, bench/testset.json, is never fitted on), the dev clips' people counted from
# their people tracks as analysis counts them; a label ruled out on a clip (one person or nobody seen)
# is left out of its fit, as its score is held low by the rule. A label with fewer than 3 positives to
# fit on keeps the raw sigmoid, as nothing known says how often its scores are right: "gives to" has
# none in either set, "watches" one (its other dev positive, an over-the-shoulder shot where the
# tracks see one person, is ruled out).
PLATT: dict[str, tuple[float, float]] = {
    "asks": (1.684, 0.312),
    "talks to": (2.297, 0.669),
    "walks with": (1.832, 1.378),
    "yells at": (1.337, 2.690),
    "no_interaction": (2.044, -0.319),
}


def calibrate(logits: np.ndarray, names: list[str], table: dict[str, tuple[float, float]] | None = None) -> np.ndarray:
    """Calibrated scores in [0, 1] for ``(n, L)`` logits whose columns are ``names``."""
    table = PLATT if table is None else table
    out = np.empty(np.shape(logits), dtype=np.float64)
    for j, name in enumerate(names):
        a, b = table.get(name, (1.0, 0.0))
        out[:, j] = 1.0 / (1.0 + np.exp(-(a * np.asarray(logits)[:, j] + b)))
    return out


def fit_platt(logits: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Fit one label's ``(a, b)`` with scikit-learn's logistic regression on the single logit."""
    from sklearn.linear_model import LogisticRegression

    truth = np.asarray(truth).astype(int)
    if truth.min() == truth.max():
        raise ValueError("Platt scaling needs both positives and negatives")
    model = LogisticRegression(C=1.0).fit(np.asarray(logits, dtype=np.float64).reshape(-1, 1), truth)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def expected_calibration_error(truth: np.ndarray, scores: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the support-weighted gap between mean score and hit rate in
    ``bins`` equal-width score bins (0 is perfectly calibrated)."""
    truth, scores = np.asarray(truth, dtype=np.float64).ravel(), np.asarray(scores, dtype=np.float64).ravel()
    if truth.size == 0:
        return 0.0
    which = np.minimum((scores * bins).astype(int), bins - 1)
    gap = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            gap += inside.sum() * abs(scores[inside].mean() - truth[inside].mean())
    return float(gap / truth.size)
