"""Metrics, thresholds and kappa checked against scikit-learn and a published worked example."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, cohen_kappa_score, precision_recall_fscore_support

from hhir.learn.kappa import cohen_kappa, fleiss_kappa, ratings_to_counts
from hhir.learn.metrics import Metrics, average_precision, evaluate, tune_thresholds

LABELS = ["a", "b", "c", "d"]


def _random_case(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = (rng.random((60, 4)) < [0.5, 0.3, 0.1, 0.6]).astype(int)
    scores = np.clip(truth * 0.35 + rng.random((60, 4)) * 0.65, 0, 1)
    return truth, scores


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metrics_match_sklearn(seed: int) -> None:
    truth, scores = _random_case(seed)
    pred = (scores >= 0.6).astype(int)
    m = evaluate(truth, scores, LABELS, threshold=0.6)
    p, r, f, s = precision_recall_fscore_support(truth, pred, average=None, zero_division=0)
    for j, lm in enumerate(m.per_label):
        assert lm.precision == pytest.approx(p[j]) and lm.recall == pytest.approx(r[j])
        assert lm.f1 == pytest.approx(f[j]) and lm.support == s[j]
        assert lm.average_precision == pytest.approx(average_precision_score(truth[:, j], scores[:, j]))
    micro = precision_recall_fscore_support(truth, pred, average="micro", zero_division=0)
    macro = precision_recall_fscore_support(truth, pred, average="macro", zero_division=0)
    assert (m.micro_precision, m.micro_recall, m.micro_f1) == pytest.approx(micro[:3])
    assert (m.macro_precision, m.macro_recall, m.macro_f1) == pytest.approx(macro[:3])


def test_ap_with_ties_matches_sklearn() -> None:
    truth = np.array([1, 0, 1, 0, 1, 0, 0])
    scores = np.array([0.9, 0.9, 0.5, 0.5, 0.5, 0.1, 0.9])
    assert average_precision(truth, scores) == pytest.approx(average_precision_score(truth, scores))


def test_unknown_entries_are_left_out_not_counted_as_negatives() -> None:
    truth = np.array([[1], [0], [1], [0]])
    scores = np.array([[0.9], [0.1], [0.8], [0.7]])
    known = np.array([[True], [True], [True], [False]])  # the false positive is unreviewed
    with_mask = evaluate(truth, scores, ["x"], known=known)
    without = evaluate(truth, scores, ["x"])
    assert with_mask.per_label[0].precision == 1.0
    assert without.per_label[0].precision == pytest.approx(2 / 3)


def test_labels_that_never_occur_do_not_pull_macro_down() -> None:
    truth = np.array([[1, 0], [0, 0], [1, 0]])
    scores = np.array([[0.9, 0.1], [0.2, 0.2], [0.8, 0.3]])
    m = evaluate(truth, scores, ["x", "never"])
    assert m.macro_f1 == 1.0 and m.per_label[1].support == 0


def test_metrics_round_trip_through_dict() -> None:
    truth, scores = _random_case(3)
    m = evaluate(truth, scores, LABELS, threshold=np.array([0.5, 0.6, 0.7, 0.4]))
    assert Metrics.from_dict(m.as_dict()) == m
    assert [lm.threshold for lm in m.per_label] == [0.5, 0.6, 0.7, 0.4]


def test_tuned_thresholds_beat_or_equal_the_fixed_one_on_the_tuning_data() -> None:
    truth, scores = _random_case(4)
    scores = scores * 0.7  # a model whose scores sit too low for 0.6
    tuned = tune_thresholds(truth, scores)
    fixed = evaluate(truth, scores, LABELS, threshold=0.6)
    better = evaluate(truth, scores, LABELS, threshold=tuned)
    assert all(b.f1 >= f.f1 for b, f in zip(better.per_label, fixed.per_label))
    assert better.macro_f1 > fixed.macro_f1
    assert np.all(tuned < 0.6)


def test_threshold_of_a_label_without_positives_stays_default() -> None:
    truth = np.array([[0, 1], [0, 0]])
    scores = np.array([[0.2, 0.9], [0.3, 0.1]])
    assert tune_thresholds(truth, scores)[0] == 0.6


@pytest.mark.parametrize("seed", [0, 1])
def test_cohen_matches_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2, 40)
    b = np.where(rng.random(40) < 0.7, a, 1 - a)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_cohen_edge_cases() -> None:
    assert cohen_kappa(np.array([1, 0, 1]), np.array([1, 0, 1])) == pytest.approx(1.0)
    assert cohen_kappa(np.array([1, 1]), np.array([1, 1])) is None
    assert cohen_kappa(np.array([]), np.array([])) is None
    with pytest.raises(ValueError):
        cohen_kappa(np.array([1, 0]), np.array([1]))


def test_fleiss_worked_example() -> None:
    # The worked example of Fleiss (1971) as reproduced in most references: 10 items, 14 raters.
    table = np.array([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                      [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]])
    assert fleiss_kappa(table) == pytest.approx(0.20993, abs=1e-4)


def test_fleiss_from_ratings() -> None:
    ratings = np.array([[1, 1, 1], [0, 0, 0], [1, 1, 0], [0, 0, 0]])
    counts = ratings_to_counts(ratings)
    assert counts.tolist() == [[0, 3], [3, 0], [1, 2], [3, 0]]
    k = fleiss_kappa(counts)
    assert k is not None and 0 < k < 1
    assert fleiss_kappa(ratings_to_counts(np.ones((3, 3), int))) is None
    with pytest.raises(ValueError):
        fleiss_kappa(np.array([[1, 2], [2, 2]]))
