"""Review rules without Qt: how a key cycles a label, what "accept suggestions" writes, which
clip comes next. The label panel and the session call these; tests check them directly.
"""

from __future__ import annotations

from typing import Callable, Sequence

from hhir.types import AnnotationState, Clip, LabelDef, Target

_CYCLE: dict[AnnotationState | None, AnnotationState | None] = {
    None: AnnotationState.PRESENT,
    AnnotationState.PRESENT: AnnotationState.ABSENT,
    AnnotationState.ABSENT: None,
}


def next_state(current: AnnotationState | None) -> AnnotationState | None:
    """unreviewed -> present -> absent -> unreviewed."""
    return _CYCLE[current]


def suggestion_items(
    target: Target, labels: Sequence[LabelDef], scores: dict[str, float], threshold_of: Callable[[str], float],
    decided: Callable[[str], bool] = lambda _label: False,
) -> list[tuple[Target, str, AnnotationState | None]]:
    """Labels scored at or above their threshold become present, the other scored ones absent.

    Labels without a score are left alone: there is nothing to accept for them. So are labels
    ``decided(name)`` says a person already set: human decisions win over suggestions.
    """
    items: list[tuple[Target, str, AnnotationState | None]] = []
    for label in labels:
        if label.name in scores and not decided(label.name):
            present = scores[label.name] >= threshold_of(label.name)
            items.append((target, label.name, AnnotationState.PRESENT if present else AnnotationState.ABSENT))
    return items


def time_order(video_id: int, clips: Sequence[Clip]) -> list[Target]:
    """Every clip of the video by start time (the fallback review order)."""
    ordered = sorted(clips, key=lambda c: (c.start_s, c.end_s, c.index))
    return [Target(video_id, clip.id) for clip in ordered]


def step_unreviewed(
    order: Sequence[Target], reviewed: set[Target], current: Target | None, direction: int = 1
) -> Target | None:
    """The next (direction 1) or previous (-1) target in ``order`` that is not reviewed.

    Starts after ``current`` when it is in ``order`` and wraps around once; None when every target
    is reviewed.
    """
    if not order:
        return None
    start = order.index(current) if current in order else (-1 if direction > 0 else len(order))
    n = len(order)
    for offset in range(1, n + 1):
        candidate = order[(start + direction * offset) % n]
        if candidate not in reviewed and candidate != current:
            return candidate
    return None


def label_for_key(labels: Sequence[LabelDef], number: int) -> LabelDef | None:
    """The label bound to digit ``number`` (its ``key`` field, else its position 1..9)."""
    for label in labels:
        if label.key == str(number):
            return label
    if any(label.key for label in labels):
        return None
    return labels[number - 1] if 1 <= number <= len(labels) else None
