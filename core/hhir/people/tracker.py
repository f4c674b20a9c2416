"""Tracks within a shot: detections on sampled frames linked by place and look, then fragments joined.

Samples are half a second apart by default, and in a film the camera pans and zooms between them:
a person's box can move by its own width from one sample to the next, so overlap alone loses them.
Each live track predicts its next box from its last two (constant velocity) and keeps the mean of
its appearance vectors (:mod:`hhir.people.descriptors`). A detection may continue a track when
their looks are close (cosine distance at most ``LOOK_GATE``) and it either overlaps the predicted or
the last box (IoU at least ``MIN_IOU``) or lies within ``REACH`` box widths of the last box per
sample since it was seen; one assignment per sampled frame (``scipy.optimize.linear_sum_assignment``)
picks the cheapest links, the cost adding the look distance to the lack of overlap. A track not seen
for ``max_missed`` samples ends. When the shot is over, a track that ends and another that starts
at most ``STITCH_SAMPLES`` samples later, looking alike (``STITCH_LOOK``), are one person lost for
a while (turned away, hidden, missed by the detector) and are joined. Detections without appearance
vectors link by place alone.

A track never crosses a cut: the caller runs one :class:`ShotTracker` per shot. A track keeps the
boxes detected on sampled frames; the frames between two of them are filled by linear interpolation
when asked (:meth:`Track.filled`, and ``PersonTrack.box_at`` for stored tracks), so a two-hour film
holds a few boxes a second in memory, not one per frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hhir.people.anchors import iou_matrix
from hhir.people.descriptors import BODY_DIM
from hhir.people.records import BoxSource, Detection, Track, TrackBox, fill, interpolate  # noqa: F401 - re-exported

MIN_IOU = 0.2  # a link by overlap needs at least this IoU with the predicted or the last box
REACH = 1.0  # ... or the detection's centre within this many box widths of the last box, per sample
LOOK_GATE = 0.3  # and never a link between looks further apart than this (cosine distance)
STITCH_SAMPLES = 4  # a track may be joined to one that starts at most this many samples after it ends
STITCH_LOOK = 0.2  # when their looks are at most this far apart
MIN_DETECTIONS = 2  # a track seen once is kept only when the detector was sure of it
SURE_SCORE = 0.75
_NO_LINK = 1e6


def _look(detection: Detection) -> np.ndarray | None:
    if len(detection.descriptor) < BODY_DIM:
        return None
    return np.asarray(detection.descriptor[:BODY_DIM], np.float32)


def _look_distance(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Cosine distance of two looks (0 when either is unknown: place decides alone)."""
    if a is None or b is None:
        return 0.0
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return 1.0 - float(a @ b) / (na * nb) if na > 0 and nb > 0 else 0.0


@dataclass
class _Live:
    detections: list[Detection] = field(default_factory=list)
    samples: list[int] = field(default_factory=list)  # the sample number (in the shot) of each detection
    missed: int = 0

    def predicted(self, frame: int) -> np.ndarray:
        last = np.array(self.detections[-1].box, np.float32)
        if len(self.detections) < 2:
            return last
        prev = self.detections[-2]
        step = (frame - self.detections[-1].frame) / max(1, self.detections[-1].frame - prev.frame)
        return last + (last - np.array(prev.box, np.float32)) * min(step, 2.0)

    def look(self) -> np.ndarray | None:
        """The mean of the track's last few appearance vectors (clothes seen from several sides)."""
        looks = [v for v in (_look(d) for d in self.detections[-6:]) if v is not None]
        return np.mean(looks, axis=0) if looks else None


def _centre_distance(a: np.ndarray, b: np.ndarray) -> float:
    """How far apart two boxes' centres are, in widths of the wider one."""
    width = max(float(a[2] - a[0]), float(b[2] - b[0]), 1e-6)
    return float(np.hypot((a[0] + a[2] - b[0] - b[2]) / 2, (a[1] + a[3] - b[1] - b[3]) / 2)) / width


class ShotTracker:
    """Links the detections of one shot's sampled frames, in frame order, into tracks."""

    def __init__(self, shot_index: int, max_missed: int = 2) -> None:
        self.shot_index, self.max_missed = shot_index, max_missed
        self._live: list[_Live] = []
        self._done: list[_Live] = []
        self._samples = 0

    def _costs(self, frame: int, detections: list[Detection]) -> np.ndarray:
        boxes = np.array([d.box for d in detections], np.float32).reshape(-1, 4)
        predicted = np.array([t.predicted(frame) for t in self._live], np.float32).reshape(-1, 4)
        last = np.array([t.detections[-1].box for t in self._live], np.float32).reshape(-1, 4)
        overlap = np.maximum(iou_matrix(predicted, boxes), iou_matrix(last, boxes))
        cost = np.full(overlap.shape, _NO_LINK, np.float64)
        looks = [_look(d) for d in detections]
        for i, track in enumerate(self._live):
            mine = track.look()
            for j in range(len(detections)):
                look = _look_distance(mine, looks[j])
                near = _centre_distance(last[i], boxes[j]) <= REACH * (track.missed + 1)
                if look <= LOOK_GATE and (overlap[i, j] >= MIN_IOU or near):
                    cost[i, j] = look + (1.0 - float(overlap[i, j]))
        return cost

    def add(self, frame: int, detections: list[Detection]) -> None:
        """The detections of the next sampled frame."""
        from scipy.optimize import linear_sum_assignment

        cost = self._costs(frame, detections)
        rows, cols = linear_sum_assignment(cost) if cost.size else ([], [])
        matched_tracks, matched_dets = set(), set()
        for r, c in zip(rows, cols):
            if cost[r, c] < _NO_LINK:
                self._live[r].detections.append(detections[c])
                self._live[r].samples.append(self._samples)
                self._live[r].missed = 0
                matched_tracks.add(r)
                matched_dets.add(c)
        still: list[_Live] = []
        for i, track in enumerate(self._live):
            if i not in matched_tracks:
                track.missed += 1
            (self._done if track.missed > self.max_missed else still).append(track)
        still.extend(_Live([d], [self._samples]) for j, d in enumerate(detections) if j not in matched_dets)
        self._live = still
        self._samples += 1

    def finish(self) -> list[Track]:
        """The shot's tracks (their detected boxes; :meth:`Track.filled` has every frame between)."""
        tracks = [t for t in _stitched(self._done + self._live) if _keep(t.detections)]
        self._live, self._done, self._samples = [], [], 0
        return sorted((_track(self.shot_index, t.detections) for t in tracks), key=lambda t: (t.start_frame, t.boxes[0].box))


def _stitched(tracks: list[_Live]) -> list[_Live]:
    """Join a track to one starting at most ``STITCH_SAMPLES`` samples after it ends, looking alike
    (cosine distance at most ``STITCH_LOOK``), closest looks first; each track joins at most one
    before and one after it. Tracks without appearance vectors are never joined."""
    pairs = []
    for a, first in enumerate(tracks):
        for b, then in enumerate(tracks):
            gap = then.samples[0] - first.samples[-1]
            if a == b or not 0 < gap <= STITCH_SAMPLES:
                continue
            ends, starts = _ends_look(first, last=True), _ends_look(then, last=False)
            if ends is None or starts is None:
                continue
            look = _look_distance(ends, starts)
            if look <= STITCH_LOOK:
                pairs.append((look, a, b))
    after: dict[int, int] = {}
    before: dict[int, int] = {}
    for _, a, b in sorted(pairs):
        if a in after or b in before or _chain_start(before, a) == b:
            continue
        after[a], before[b] = b, a
    out = []
    for head in range(len(tracks)):
        if head in before:
            continue
        joined = _Live(list(tracks[head].detections), list(tracks[head].samples))
        part = head
        while part in after:
            part = after[part]
            joined.detections.extend(tracks[part].detections)
            joined.samples.extend(tracks[part].samples)
        out.append(joined)
    return out


def _chain_start(before: dict[int, int], a: int) -> int:
    while a in before:
        a = before[a]
    return a


def _ends_look(track: _Live, last: bool) -> np.ndarray | None:
    """The mean look of a track's last (or first) few detections."""
    part = track.detections[-6:] if last else track.detections[:6]
    looks = [v for v in (_look(d) for d in part) if v is not None]
    return np.mean(looks, axis=0) if looks else None


def _keep(detections: list[Detection]) -> bool:
    return len(detections) >= MIN_DETECTIONS or max(d.score for d in detections) >= SURE_SCORE


def _track(shot_index: int, detections: list[Detection]) -> Track:
    from hhir.people.characters import track_descriptors

    sampled = [TrackBox(d.frame, d.box, d.score, BoxSource.DETECTOR, d.face) for d in detections]
    body, face = track_descriptors(detections)
    return Track(shot_index, tuple(sampled), body, face)
