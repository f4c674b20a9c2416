"""Chance-corrected agreement: Cohen's kappa for two raters, Fleiss' kappa for more.

Both return ``None`` when kappa is undefined (every rating falls in one category, so chance
agreement is already 1): reporting 0 or 1 there would claim something the data cannot show.
"""

from __future__ import annotations

import numpy as np


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cohen's kappa between two raters' categorical ratings of the same items.

    Args:
        a: ratings of rater A (any hashable categories, e.g. 0/1).
        b: ratings of rater B, same length.

    Returns:
        kappa in [-1, 1], or None when undefined (no items, or chance agreement is 1).
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"rating arrays must be 1-D and equal length, got {a.shape} and {b.shape}")
    if a.size == 0:
        return None
    categories = np.unique(np.concatenate([a, b]))
    observed = float(np.mean(a == b))
    expected = float(sum(np.mean(a == c) * np.mean(b == c) for c in categories))
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def fleiss_kappa(counts: np.ndarray) -> float | None:
    """Fleiss' kappa from a count table.

    Args:
        counts: ``(n_items, n_categories)``; row i holds how many raters put item i in each
            category. Every row must sum to the same number of raters (at least 2).

    Returns:
        kappa, or None when undefined (no items, or all ratings in one category).
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2:
        raise ValueError(f"counts must be (items, categories), got shape {counts.shape}")
    if counts.shape[0] == 0:
        return None
    raters = counts.sum(axis=1)
    if np.any(raters != raters[0]) or raters[0] < 2:
        raise ValueError("every item needs the same number of raters, at least 2")
    n = raters[0]
    p_item = (np.sum(counts * counts, axis=1) - n) / (n * (n - 1))
    p_cat = counts.sum(axis=0) / counts.sum()
    p_bar, p_e = float(p_item.mean()), float(np.sum(p_cat * p_cat))
    if p_e >= 1.0:
        return None
    return (p_bar - p_e) / (1.0 - p_e)


def ratings_to_counts(ratings: np.ndarray, categories: tuple[int, ...] = (0, 1)) -> np.ndarray:
    """``(n_items, n_raters)`` ratings to the ``(n_items, n_categories)`` table Fleiss' kappa takes."""
    ratings = np.asarray(ratings)
    return np.stack([np.sum(ratings == c, axis=1) for c in categories], axis=1)
