"""A reader that does what the seed's training notebook does with a dataset folder (helpers only).

Written from how the notebook reads its data, not from our exporter:

* it walks ``<split>_labels/`` for CSV files and stores ``labels[row['Clip']] = row['Interaction']``,
  so the last row per clip wins;
* it maps names to indices in the order below, with -1 for a clip without a row;
* it one-hot encodes the indices, which fails on -1 ("Class values must be non-negative");
* it groups clips into scenes by ``"-".join(file_name.split("-")[:2])`` and trains on each scene's
  labels, the union over its clips.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

ORDER = ["asks", "gives to", "talks to", "walks with", "watches", "yells at", "no_interaction"]


def read_labels(root: Path, split: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for folder, _, names in os.walk(root / f"{split}_labels"):
        for name in names:
            if name.endswith(".csv"):
                with open(Path(folder) / name, newline="", encoding="utf-8") as handle:
                    for row in csv.DictReader(handle):
                        labels[row["Clip"]] = row["Interaction"]
    return labels


def one_hot(indices: list[int]) -> np.ndarray:
    if any(i < 0 for i in indices):
        raise ValueError("Class values must be non-negative.")
    return np.eye(len(ORDER), dtype=np.int64)[indices]


def scene_labels(root: Path, split: str) -> dict[str, set[str]]:
    """Scene -> the label names the notebook trains it on; raises where the notebook would stop."""
    labels = read_labels(root, split)
    clips = sorted(p.stem for p in (root / f"clip_{split}").rglob("*.mp4"))
    indices = [ORDER.index(labels[c]) if c in labels else -1 for c in clips]
    encoded = one_hot(indices)
    scenes: dict[str, set[str]] = {}
    for clip, row in zip(clips, encoded):
        scenes.setdefault("-".join(clip.split("-")[:2]), set()).add(ORDER[int(row.argmax())])
    return scenes
