"""Splitting annotated videos (scenes) into train, validation and test, never clip by clip.

Overlapping clips of one scene share shots, so a split by clip would leak; a split by video keeps
every clip of a scene on one side. Keys are video fingerprints, so the split stays valid when a file
moves, and it is stored with the model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hhir.models.manifest import TRAINING_FILE


@dataclass(frozen=True)
class Split:
    """Video fingerprints per part."""

    train: tuple[str, ...]
    validation: tuple[str, ...]
    test: tuple[str, ...]

    def part(self, key: str) -> str | None:
        """``train``, ``validation``, ``test`` or None for a video the split never saw."""
        for name in ("train", "validation", "test"):
            if key in getattr(self, name):
                return name
        return None


def split_videos(keys: list[str], seed: int, validation_fraction: float, test_fraction: float) -> Split:
    """A seeded random split by video.

    One video: all of it trains. Two: one trains, one validates (when validation_fraction > 0).
    From three: at least one each for validation and test (when their fractions are > 0), and at
    least one for training.
    """
    keys = sorted(set(keys))
    order = [keys[i] for i in np.random.default_rng(seed).permutation(len(keys))]
    n = len(order)
    n_val = max(1, round(n * validation_fraction)) if validation_fraction > 0 and n >= 2 else 0
    n_test = max(1, round(n * test_fraction)) if test_fraction > 0 and n >= 3 else 0
    while n - n_val - n_test < 1:  # keep one video to train on
        n_test, n_val = (n_test - 1, n_val) if n_test >= n_val else (n_test, n_val - 1)
    return Split(train=tuple(order[n_val + n_test:]), validation=tuple(order[:n_val]),
                 test=tuple(order[n_val:n_val + n_test]))


def read_split(bundle_path: str | Path) -> Split | None:
    """The split stored with a trained bundle (None for bundles not trained here)."""
    path = Path(bundle_path) / TRAINING_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))["split"]
    return Split(*(tuple(data[k]) for k in ("train", "validation", "test")))
