"""Turning cues and text similarity into calibrated starter scores.

Each built-in label has a hand-set logistic rule over the cues it can be heard or seen in (a
question for "asks", loudness for "yells at", speech for "talks to", silence and an empty frame for
"no_interaction" ...). Every label, including ones a user adds, also gets the similarity between
the clip's text and the label's description, taken relative to the other labels so that a long,
generic sentence does not lift every label at once. A sigmoid maps the sum to [0, 1], with the
constants chosen so that a clip without evidence for a label stays well under the 0.6 threshold.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from hhir.scoring.starter.cues import ClipCues

_TEXT_WEIGHT = 8.0
_UNKNOWN_BIAS = -1.2


def _clip01(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


def _talk(c: ClipCues) -> float:
    return _clip01((c.speech_fraction - 0.1) / 0.4)


def _loud(c: ClipCues) -> float:
    """About -1.5 for silence, 0 at -20 dBFS, +1.5 at -5 dBFS and above."""
    return float(np.clip((c.level_p95_dbfs + 20.0) / 10.0, -1.5, 1.5))


def _someone(c: ClipCues) -> float:
    return float(c.people_max + c.faces_max > 0)


def _question(c: ClipCues) -> float:
    return _clip01(c.question_marks + c.question_openers)


def _motion(c: ClipCues) -> float:
    return _clip01(c.motion_energy / 0.05)


_RULES: dict[str, Callable[[ClipCues], float]] = {
    "asks": lambda c: -1.5 + 3.0 * _question(c) + 0.4 * _talk(c),
    "gives to": lambda c: -1.8 + 0.4 * _someone(c) + 0.3 * _clip01(c.people_max - 1),
    "talks to": lambda c: -2.0 + 3.8 * _talk(c),
    "walks with": lambda c: -2.0 + 1.2 * _motion(c) * _someone(c) + 0.5 * _clip01(c.people_max - 1),
    "watches": lambda c: -1.5 + 1.2 * _someone(c) - 1.2 * _talk(c),
    "yells at": lambda c: -2.0 + 2.2 * _loud(c) + 1.0 * _clip01(c.exclamations) + 0.4 * _talk(c),
    "no_interaction": lambda c: 1.2 - 3.0 * _talk(c) - 1.5 * _someone(c) - 0.8 * c.active_fraction,
}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def clip_logits(cues: list[ClipCues], similarity: np.ndarray, names: list[str]) -> np.ndarray:
    """``(n_clips, n_labels)`` logits: the label's cue rule plus its relative text similarity.

    Args:
        cues: one :class:`ClipCues` per clip.
        similarity: ``(n_clips, n_labels)`` cosine similarity of clip text and label description;
            NaN rows (no text) add nothing.
        names: label names, in column order.
    """
    logits = np.zeros((len(cues), len(names)), dtype=np.float64)
    for j, name in enumerate(names):
        rule = _RULES.get(name, lambda c: _UNKNOWN_BIAS)
        logits[:, j] = [rule(c) for c in cues]
    if len(names) > 1:
        logits += _TEXT_WEIGHT * _relative(similarity)
    return logits


def _relative(similarity: np.ndarray) -> np.ndarray:
    """Similarity minus the row's mean over labels; rows without text (NaN) give zeros."""
    out = np.zeros(similarity.shape, dtype=np.float64)
    rows = np.isfinite(similarity).all(axis=1)
    out[rows] = similarity[rows] - similarity[rows].mean(axis=1, keepdims=True)
    return out


def scores(logits: np.ndarray) -> np.ndarray:
    """Scores in [0, 1]."""
    return _sigmoid(logits)
