"""What the timeline draws, prepared once per data change (no Qt here).

Clips overlap (a window of 3 shots, stride 1), so they are stacked in lanes; for the prediction
strips each clip "owns" the stretch around its centre (from the midpoint with the previous clip's
centre to the midpoint with the next one), so overlapping scores never paint over each other.
Lookups by time use bisection, so painting a visible range costs O(visible items), not O(all).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from hhir.types import AnnotationState, Clip, Shot, Target, TranscriptSegment


@dataclass(frozen=True)
class ClipBox:
    clip: Clip
    lane: int
    own_start: float
    own_end: float


@dataclass(frozen=True)
class Span:
    """Items sorted by start; ``max_len`` bounds how far back an item can still reach."""

    starts: list[float]
    max_len: float

    def visible(self, t0: float, t1: float) -> range:
        """Indices of items that may overlap ``[t0, t1]`` (a superset by at most ``max_len``)."""
        lo = bisect.bisect_left(self.starts, t0 - self.max_len)
        hi = bisect.bisect_right(self.starts, t1)
        return range(lo, hi)


@dataclass(frozen=True)
class ClipGeometry:
    """The clips' times and lanes as arrays (clip order), for painting thousands of them at once."""

    starts: np.ndarray  # float64 seconds
    ends: np.ndarray
    lanes: np.ndarray  # int32
    ids: np.ndarray  # int64 clip ids

    @classmethod
    def of(cls, boxes: Sequence[ClipBox]) -> ClipGeometry:
        return cls(np.array([b.clip.start_s for b in boxes], np.float64),
                   np.array([b.clip.end_s for b in boxes], np.float64),
                   np.array([b.lane for b in boxes], np.int32),
                   np.array([b.clip.id for b in boxes], np.int64))


@dataclass(frozen=True)
class TimelineLayout:
    video_id: int
    duration_s: float
    fps: float
    shots: list[Shot]
    shot_span: Span
    clips: list[ClipBox]
    clip_span: Span
    own_starts: list[float]
    lanes: int
    segments: list[TranscriptSegment]
    segment_span: Span
    labels: list[str]
    clip_scores: dict[int, dict[str, float]] = field(default_factory=dict)
    scene_scores: dict[str, float] = field(default_factory=dict)
    states: dict[tuple[Target, str], AnnotationState] = field(default_factory=dict)
    reviewed: frozenset[Target] = frozenset()
    disputed: frozenset[Target] = frozenset()  # annotators disagree there, unadjudicated: marked
    geometry: ClipGeometry | None = None  # shared by the copies a states-only change makes
    positions: dict[int, int] | None = None  # clip id -> its place in ``clips``; shared like ``geometry``

    def box_of(self, clip_id: int | None) -> ClipBox | None:
        """The box of clip ``clip_id`` (a dictionary look-up: painting never walks every clip)."""
        if clip_id is None:
            return None
        if self.positions is None:
            object.__setattr__(self, "positions", {b.clip.id: i for i, b in enumerate(self.clips)})
        assert self.positions is not None
        i = self.positions.get(clip_id)
        return self.clips[i] if i is not None else None

    def clip_owning(self, t: float) -> ClipBox | None:
        """The clip whose own stretch contains time ``t``."""
        i = bisect.bisect_right(self.own_starts, t) - 1
        if 0 <= i < len(self.clips) and self.clips[i].own_start <= t < self.clips[i].own_end:
            return self.clips[i]
        return None

    def clip_at(self, t: float, lane: int) -> ClipBox | None:
        for i in self.clip_span.visible(t, t):
            box = self.clips[i]
            if box.lane == lane and box.clip.start_s <= t < box.clip.end_s:
                return box
        return None


def assign_lanes(clips: Sequence[Clip]) -> tuple[list[int], int]:
    """Greedy interval colouring: each clip takes the first lane free at its start."""
    lane_ends: list[float] = []
    lanes = []
    for clip in clips:
        for lane, end in enumerate(lane_ends):
            if end <= clip.start_s + 1e-9:
                lane_ends[lane] = clip.end_s
                lanes.append(lane)
                break
        else:
            lane_ends.append(clip.end_s)
            lanes.append(len(lane_ends) - 1)
    return lanes, max(len(lane_ends), 1)


def own_stretches(clips: Sequence[Clip]) -> list[tuple[float, float]]:
    centres = [(c.start_s + c.end_s) / 2 for c in clips]
    spans = []
    for i, clip in enumerate(clips):
        start = clip.start_s if i == 0 else max((centres[i - 1] + centres[i]) / 2, clip.start_s)
        end = clip.end_s if i == len(clips) - 1 else min((centres[i] + centres[i + 1]) / 2, clip.end_s)
        spans.append((start, end))
    return spans


def _span(starts: list[float], ends: Sequence[float]) -> Span:
    return Span(starts, max((e - s for s, e in zip(starts, ends)), default=0.0))


def build_layout(
    video_id: int, duration_s: float, fps: float, shots: Sequence[Shot], clips: Sequence[Clip],
    segments: Sequence[TranscriptSegment], labels: Sequence[str],
    clip_scores: dict[int, dict[str, float]] | None = None, scene_scores: dict[str, float] | None = None,
    states: dict[tuple[Target, str], AnnotationState] | None = None,
    reviewed: frozenset[Target] = frozenset(),
) -> TimelineLayout:
    """Sort, stack and index everything the timeline paints."""
    shots = sorted(shots, key=lambda s: s.start_s)
    ordered = sorted(clips, key=lambda c: (c.start_s, c.end_s))
    lanes, lane_count = assign_lanes(ordered)
    boxes = [ClipBox(c, lane, s, e) for c, lane, (s, e) in zip(ordered, lanes, own_stretches(ordered))]
    segs = sorted(segments, key=lambda s: s.start_s)
    ends = [s.end_s for s in shots] + [c.end_s for c in ordered] + [s.end_s for s in segs]
    return TimelineLayout(
        video_id=video_id,
        duration_s=max([duration_s, *ends]) if ends else duration_s,
        fps=fps,
        shots=shots,
        shot_span=_span([s.start_s for s in shots], [s.end_s for s in shots]),
        clips=boxes,
        clip_span=_span([c.start_s for c in ordered], [c.end_s for c in ordered]),
        own_starts=[b.own_start for b in boxes],
        lanes=lane_count,
        segments=segs,
        segment_span=_span([s.start_s for s in segs], [s.end_s for s in segs]),
        labels=list(labels),
        clip_scores=dict(clip_scores or {}),
        scene_scores=dict(scene_scores or {}),
        states=dict(states or {}),
        reviewed=reviewed,
        geometry=ClipGeometry.of(boxes),
        positions={b.clip.id: i for i, b in enumerate(boxes)},
    )


def changed_clip_ids(old: TimelineLayout, new: TimelineLayout) -> set[int] | None:
    """The clips whose annotation states or review marks differ between two layouts of the same
    structure (as made by replacing only ``states`` and ``reviewed``); None when anything else
    differs, so the caller repaints everything."""
    same = old.video_id == new.video_id and old.duration_s == new.duration_s and old.lanes == new.lanes and all(
        getattr(old, name) is getattr(new, name) for name in ("shots", "clips", "segments", "labels", "clip_scores", "scene_scores")
    )
    if not same:
        return None
    targets = {key[0] for key, _ in old.states.items() ^ new.states.items()} | (old.reviewed ^ new.reviewed)
    targets |= old.disputed ^ new.disputed
    return {t.clip_id for t in targets if t.clip_id is not None}
