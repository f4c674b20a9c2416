"""What the annotations say: per clip and per scene, which labels are present, absent or unknown.

Rules:
- An annotator's vote on a (target, label) is their explicit present/absent annotation; on a target
  they marked reviewed, a label they left alone counts as absent (they looked and did not tick it).
  Anything else is no vote: unreviewed labels are unknown, never negatives.
- Several annotators: the majority decides; a tie stays unknown.
- Scene labels: the scene-level votes when there are any for that label; otherwise the union of the
  clip labels (present if any clip is present, absent only if every clip is known absent).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from hhir.types import Annotation, AnnotationState, Clip, Target


@dataclass(frozen=True)
class Truth:
    """Targets and known-masks of one video: ``(T, L)`` per clip and ``(L,)`` for the scene."""

    clip_target: np.ndarray
    clip_known: np.ndarray
    scene_target: np.ndarray
    scene_known: np.ndarray

    @property
    def any_known(self) -> bool:
        return bool(self.clip_known.any() or self.scene_known.any())


def _votes(annotations: list[Annotation], reviewed: dict[str, set[Target]], targets: list[Target],
           labels: list[str]) -> dict[tuple[Target, str], list[int]]:
    """(target, label) -> list of 0/1 votes, one per annotator who voted."""
    explicit: dict[str, dict[tuple[Target, str], int]] = defaultdict(dict)
    for a in annotations:
        explicit[a.annotator][(a.target, a.label)] = int(a.state == AnnotationState.PRESENT)
    votes: dict[tuple[Target, str], list[int]] = defaultdict(list)
    for annotator in set(explicit) | set(reviewed):
        mine, seen = explicit.get(annotator, {}), reviewed.get(annotator, set())
        for target in targets:
            for label in labels:
                vote = mine.get((target, label), 0 if target in seen else None)
                if vote is not None:
                    votes[(target, label)].append(vote)
    return votes


def _decide(votes: list[int]) -> tuple[float, bool]:
    present, absent = sum(votes), len(votes) - sum(votes)
    return (1.0, True) if present > absent else (0.0, True) if absent > present else (0.0, False)


def video_truth(video_id: int, clips: list[Clip], labels: list[str], annotations: list[Annotation],
                reviewed: dict[str, set[Target]]) -> Truth:
    """Resolve one video's annotations into targets and masks.

    Args:
        video_id: the video.
        clips: its clips in order.
        labels: label names (column order).
        annotations: its annotations (any annotators; filter beforehand to use one).
        reviewed: annotator -> the targets of this video they marked reviewed.
    """
    scene = Target(video_id, None)
    targets = [Target(video_id, c.id) for c in clips] + [scene]
    votes = _votes([a for a in annotations if a.label in labels], reviewed, targets, labels)
    clip_target = np.zeros((len(clips), len(labels)), np.float32)
    clip_known = np.zeros((len(clips), len(labels)), bool)
    for i, clip in enumerate(clips):
        for j, label in enumerate(labels):
            clip_target[i, j], clip_known[i, j] = _decide(votes.get((Target(video_id, clip.id), label), []))
    scene_target, scene_known = np.zeros(len(labels), np.float32), np.zeros(len(labels), bool)
    for j, label in enumerate(labels):
        scene_target[j], scene_known[j] = _decide(votes.get((scene, label), []))
        if not scene_known[j]:
            scene_target[j], scene_known[j] = _union(clip_target[:, j], clip_known[:, j])
    return Truth(clip_target, clip_known, scene_target, scene_known)


def _union(target: np.ndarray, known: np.ndarray) -> tuple[float, bool]:
    if np.any(target[known] > 0):
        return 1.0, True
    if len(known) and known.all():
        return 0.0, True
    return 0.0, False
