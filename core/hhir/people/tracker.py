"""Tracks within a shot: detections on sampled frames linked by IoU and the Hungarian algorithm.

Each live track predicts its next box from its last two (constant velocity: samples are a third of
a second apart, people move between them); the cost of linking is 1 − IoU of that prediction with a
detection, solved as one assignment per sampled frame (``scipy.optimize.linear_sum_assignment``).
A track not seen for ``max_missed`` samples ends. A track never crosses a cut: the caller runs one
:class:`ShotTracker` per shot. A track keeps the boxes detected on sampled frames; the frames between
two of them are filled by linear interpolation when asked (:meth:`Track.filled`, and
``PersonTrack.box_at`` for stored tracks), so a two-hour film holds a few boxes a second in memory,
not one per frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hhir.people.anchors import iou_matrix
from hhir.people.records import BoxSource, Detection, Track, TrackBox, fill, interpolate  # noqa: F401 - re-exported

MIN_IOU = 0.2  # a link needs at least this overlap with the predicted box
MIN_DETECTIONS = 2  # a track seen once is kept only when the detector was sure of it
SURE_SCORE = 0.75


@dataclass
class _Live:
    detections: list[Detection] = field(default_factory=list)
    missed: int = 0

    def predicted(self, frame: int) -> np.ndarray:
        last = np.array(self.detections[-1].box, np.float32)
        if len(self.detections) < 2:
            return last
        prev = self.detections[-2]
        step = (frame - self.detections[-1].frame) / max(1, self.detections[-1].frame - prev.frame)
        return last + (last - np.array(prev.box, np.float32)) * min(step, 2.0)


class ShotTracker:
    """Links the detections of one shot's sampled frames, in frame order, into tracks."""

    def __init__(self, shot_index: int, max_missed: int = 2) -> None:
        self.shot_index, self.max_missed = shot_index, max_missed
        self._live: list[_Live] = []
        self._done: list[_Live] = []

    def add(self, frame: int, detections: list[Detection]) -> None:
        """The detections of the next sampled frame."""
        from scipy.optimize import linear_sum_assignment

        predicted = np.array([t.predicted(frame) for t in self._live], np.float32).reshape(-1, 4)
        boxes = np.array([d.box for d in detections], np.float32).reshape(-1, 4)
        overlap = iou_matrix(predicted, boxes)
        rows, cols = linear_sum_assignment(1.0 - overlap) if overlap.size else ([], [])
        matched_tracks, matched_dets = set(), set()
        for r, c in zip(rows, cols):
            if overlap[r, c] >= MIN_IOU:
                self._live[r].detections.append(detections[c])
                self._live[r].missed = 0
                matched_tracks.add(r)
                matched_dets.add(c)
        still: list[_Live] = []
        for i, track in enumerate(self._live):
            if i not in matched_tracks:
                track.missed += 1
            (self._done if track.missed > self.max_missed else still).append(track)
        still.extend(_Live([d]) for j, d in enumerate(detections) if j not in matched_dets)
        self._live = still

    def finish(self) -> list[Track]:
        """The shot's tracks (their detected boxes; :meth:`Track.filled` has every frame between)."""
        tracks = [t for t in self._done + self._live if _keep(t.detections)]
        self._live, self._done = [], []
        return sorted((_track(self.shot_index, t.detections) for t in tracks), key=lambda t: (t.start_frame, t.boxes[0].box))


def _keep(detections: list[Detection]) -> bool:
    return len(detections) >= MIN_DETECTIONS or max(d.score for d in detections) >= SURE_SCORE


def _track(shot_index: int, detections: list[Detection]) -> Track:
    from hhir.people.characters import track_descriptors

    sampled = [TrackBox(d.frame, d.box, d.score, BoxSource.DETECTOR, d.face) for d in detections]
    body, face = track_descriptors(detections)
    return Track(shot_index, tuple(sampled), body, face)
