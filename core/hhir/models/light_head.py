"""A light head: one regularised logistic regression per label on the same cached clip features.

The seed's classifier (three BiLSTMs, cross-attention, three fusion layers: millions of weights)
needs far more annotated clips than a new project has. A linear model on the standardised,
mean-pooled video, text and audio features learns from tens of clips; ``bench/learning_curve.py``
measures which of the two is better at which data size. Its weights are plain arrays (coefficients,
intercepts, the standardisation), saved with safetensors like every other model file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

C = 0.1  # inverse L2 strength: strong, as few clips meet ~1,600 features; set by hand, not tuned (the bench uses it)


@dataclass(frozen=True)
class LightHead:
    """``sigmoid(((x - mean) / scale) @ coef.T + intercept)`` per label."""

    labels: tuple[str, ...]
    coef: np.ndarray  # (L, D)
    intercept: np.ndarray  # (L,)
    mean: np.ndarray  # (D,)
    scale: np.ndarray  # (D,)

    def predict(self, video: np.ndarray, text: np.ndarray, audio: np.ndarray) -> np.ndarray:
        """``(n, L)`` probabilities of ``(n, T, D)`` (or ``(n, D)``) features, mean-pooled over T."""
        x = (pooled(video, text, audio) - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-(x @ self.coef.T + self.intercept)))

    def to_bytes(self) -> bytes:
        """The head as a safetensors file's bytes (labels in its metadata)."""
        from safetensors.numpy import save

        return save({"coef": self.coef.astype(np.float32), "intercept": self.intercept.astype(np.float32),
                     "mean": self.mean.astype(np.float32), "scale": self.scale.astype(np.float32)},
                    metadata={"labels": "\n".join(self.labels)})

    def save(self, path: str | Path) -> None:
        Path(path).write_bytes(self.to_bytes())

    @staticmethod
    def load(path: str | Path) -> LightHead:
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as f:
            labels = tuple((f.metadata() or {}).get("labels", "").split("\n"))
            arrays = {k: f.get_tensor(k) for k in ("coef", "intercept", "mean", "scale")}
        if arrays["coef"].shape[0] != len(labels):
            raise ValueError(f"{path}: {arrays['coef'].shape[0]} label rows but {len(labels)} label names")
        return LightHead(labels, **arrays)


def pooled(video: np.ndarray, text: np.ndarray, audio: np.ndarray) -> np.ndarray:
    """One row per sample: the mean over clips of each modality, concatenated."""
    parts = [np.asarray(m, dtype=np.float64) for m in (video, text, audio)]
    parts = [p.mean(axis=1) if p.ndim == 3 else p for p in parts]
    return np.concatenate(parts, axis=1)


def fit_light_head(x: np.ndarray, target: np.ndarray, known: np.ndarray, labels: Sequence[str], c: float = C) -> LightHead:
    """Fit on pooled features ``x`` ``(n, D)``, ``(n, L)`` 0/1 targets and a known mask.

    A label whose known entries are all one class gets no coefficients and that class's rate
    (smoothed) as its constant probability.
    """
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 1e-8, scale, 1.0)
    z = (x - mean) / scale
    coef, intercept = np.zeros((len(labels), x.shape[1])), np.zeros(len(labels))
    for j in range(len(labels)):
        rows = known[:, j].astype(bool)
        y = target[rows, j].astype(int)
        if rows.sum() == 0 or y.min() == y.max():
            rate = (y.sum() + 0.5) / (len(y) + 1.0)
            intercept[j] = np.log(rate / (1 - rate))
            continue
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(z[rows], y)
        coef[j], intercept[j] = model.coef_[0], model.intercept_[0]
    return LightHead(tuple(labels), coef, intercept, mean, scale)
