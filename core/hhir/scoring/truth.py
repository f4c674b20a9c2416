"""What the annotations say: the one rule that turns ticks and reviews into present, absent or unknown.

Training, ``agreement``, the review queue, the exports and the app all read labels through
:func:`annotator_votes` (one annotator's view) and :func:`label_truth` / :func:`video_truth` (the
project's resolved view), so a label never means one thing in a model and another in a report.

Rules:
- An annotator's vote on a (target, label) is their explicit present/absent annotation; on a target
  they marked reviewed, a label they left alone counts as absent (they looked and did not tick it).
- ...unless the label did not exist yet when they reviewed it (a label added later, "hugs"): they
  never judged it, so it stays unknown there until someone marks it or reviews the target again.
- Anything else is no vote: unreviewed labels are unknown, never negatives.
- Several annotators: the majority decides; a tie (1–1) stays unknown.
- Scene labels: the scene-level votes when there are any for that label; otherwise the union of the
  clip labels (present if any clip is present, absent only if every clip is known absent).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from hhir.types import Annotation, AnnotationState, Clip, Target

Key = tuple[Target, str]
Reviews = Mapping[str, Collection[Target]]
"""annotator -> reviewed targets; a mapping ``target -> reviewed_at`` (ISO 8601) lets late labels count."""


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


def _judged(label: str, target: Target, seen: Collection[Target], label_times: Mapping[str, str | None]) -> bool:
    """Whether a review of ``target`` covered ``label``: the label existed when the target was reviewed."""
    if target not in seen:
        return False
    return review_covers(seen.get(target) if isinstance(seen, Mapping) else None, label_times.get(label))


def review_covers(reviewed_at: str | None, label_created: str | None) -> bool:
    """Whether a review at ``reviewed_at`` judged a label created at ``label_created`` (None: unknown
    review time, or a label as old as the project: it did)."""
    # ISO 8601 UTC strings of one format compare in time order.
    return label_created is None or reviewed_at is None or reviewed_at >= label_created


def annotator_votes(annotations: list[Annotation], reviewed: Reviews, targets: list[Target], labels: list[str],
                    label_times: Mapping[str, str | None] | None = None) -> dict[str, dict[Key, int]]:
    """Each annotator's judgement, per the rule above: annotator -> (target, label) -> 1 present / 0 absent.

    A (target, label) an annotator did not judge is missing from their dict (unknown). Only
    ``targets`` and ``labels`` are considered.

    Args:
        annotations: explicit marks (any annotators).
        reviewed: annotator -> the targets they marked reviewed (with times, to apply late labels).
        label_times: label -> when it was added (``Store.label_times``; None: always existed).
    """
    times = label_times or {}
    wanted_labels, wanted_targets = set(labels), set(targets)
    out: dict[str, dict[Key, int]] = defaultdict(dict)
    for annotator, seen in reviewed.items():
        for target in (t for t in seen if t in wanted_targets):
            for label in labels:
                if _judged(label, target, seen, times):
                    out[annotator][(target, label)] = 0
    for a in annotations:  # an explicit mark beats the review's implied absent
        if a.label in wanted_labels and a.target in wanted_targets:
            out[a.annotator][(a.target, a.label)] = int(a.state == AnnotationState.PRESENT)
    return dict(out)


def decide(votes: list[int]) -> AnnotationState | None:
    """The majority of 0/1 votes; None (unknown) for no votes or a tie."""
    present, absent = sum(votes), len(votes) - sum(votes)
    return AnnotationState.PRESENT if present > absent else AnnotationState.ABSENT if absent > present else None


def _collect(votes: dict[str, dict[Key, int]]) -> dict[Key, list[int]]:
    out: dict[Key, list[int]] = defaultdict(list)
    for mine in votes.values():
        for key, value in mine.items():
            out[key].append(value)
    return out


def video_truth(video_id: int, clips: list[Clip], labels: list[str], annotations: list[Annotation],
                reviewed: Reviews, label_times: Mapping[str, str | None] | None = None) -> Truth:
    """Resolve one video's annotations into targets and masks (for training and evaluation).

    Args:
        video_id: the video.
        clips: its clips in order.
        labels: label names (column order).
        annotations: its annotations (any annotators; filter beforehand to use one).
        reviewed: annotator -> the targets of this video they marked reviewed (or target -> time).
        label_times: label -> when it was added (None: every label always existed).
    """
    scene = Target(video_id, None)
    targets = [Target(video_id, c.id) for c in clips] + [scene]
    votes = _collect(annotator_votes(annotations, reviewed, targets, labels, label_times))
    clip_target = np.zeros((len(clips), len(labels)), np.float32)
    clip_known = np.zeros((len(clips), len(labels)), bool)
    for i, clip in enumerate(clips):
        for j, label in enumerate(labels):
            clip_target[i, j], clip_known[i, j] = _as_pair(decide(votes.get((Target(video_id, clip.id), label), [])))
    scene_target, scene_known = np.zeros(len(labels), np.float32), np.zeros(len(labels), bool)
    for j, label in enumerate(labels):
        scene_target[j], scene_known[j] = _as_pair(decide(votes.get((scene, label), [])))
        if not scene_known[j]:
            scene_target[j], scene_known[j] = _union(clip_target[:, j], clip_known[:, j])
    return Truth(clip_target, clip_known, scene_target, scene_known)


def _as_pair(state: AnnotationState | None) -> tuple[float, bool]:
    return (0.0, False) if state is None else (float(state == AnnotationState.PRESENT), True)


def _union(target: np.ndarray, known: np.ndarray) -> tuple[float, bool]:
    if np.any(target[known] > 0):
        return 1.0, True
    if len(known) and known.all():
        return 0.0, True
    return 0.0, False


@dataclass(frozen=True)
class LabelTruth:
    """One video's labels under the rule: each annotator's votes and the resolved state per clip/scene.

    ``states`` holds only known (target, label) pairs: present or absent by majority; a pair that is
    missing is unknown (nobody judged it, or the annotators are tied). ``conflicts`` are the pairs
    where annotators' votes differ (tied or outvoted).
    """

    video_id: int
    labels: tuple[str, ...]
    votes: dict[str, dict[Key, int]]
    states: dict[Key, AnnotationState]
    conflicts: frozenset[Key]

    def state(self, target: Target, label: str) -> AnnotationState | None:
        """Present, absent, or None when unknown."""
        return self.states.get((target, label))


def label_truth(store, video_id: int, annotator: str | None = None, labels: list[str] | None = None) -> LabelTruth:
    """The truth of one stored video's clips and scene, read from the project (exports and the app use this).

    Args:
        store: the project (``hhir.store.Store``).
        video_id: the video.
        annotator: one annotator's view (None: everyone, majority vote, ties unknown).
        labels: the labels to resolve (default: the project's label set).
    """
    labels = labels if labels is not None else [label.name for label in store.labels()]
    clips = store.clips(video_id)
    targets = [Target(video_id, c.id) for c in clips] + [Target(video_id, None)]
    votes = annotator_votes(store.annotations(video_id, annotator), store.review_times(video_id, annotator),
                            targets, labels, store.label_times())
    collected = _collect(votes)
    states = {key: s for key, vs in collected.items() if (s := decide(vs)) is not None}
    conflicts = frozenset(key for key, vs in collected.items() if 0 < sum(vs) < len(vs))
    return LabelTruth(video_id, tuple(labels), votes, states, conflicts)


IMPLIED_SOURCE = "reviewed"
"""``source`` of the absent marks :func:`judged_annotations` adds for labels left alone on a reviewed target."""


def judged_annotations(store, video_id: int, annotator: str | None = None) -> list[Annotation]:
    """Every judgement of one video under the truth rule, as annotations (what exports write).

    The explicit marks as they are, plus an absent mark (``source`` :data:`IMPLIED_SOURCE`) for each
    label an annotator left alone on a target they reviewed after the label existed. A label nobody
    judged has no annotation (unknown). Ties between annotators are kept as their two marks.
    """
    truth = label_truth(store, video_id, annotator)
    explicit = store.annotations(video_id, annotator)
    marked = {(a.annotator, a.target, a.label) for a in explicit}
    implied = [Annotation(target, label, AnnotationState.ABSENT, name, IMPLIED_SOURCE)
               for name, votes in truth.votes.items() for (target, label), value in votes.items()
               if value == 0 and (name, target, label) not in marked]
    return [a for a in explicit if a.label in truth.labels] + implied
