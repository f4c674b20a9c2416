"""The records of the people library: detections, tracked boxes, tracks and characters.

Boxes are normalised to the frame, ``(x0, y0, x1, y1)`` in [0, 1] with the origin at the top left,
so they mean the same at any decoding size. Frame indices are decoded frame indices in display
order, as everywhere in the project (``hhir.media.frames``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

Box = tuple[float, float, float, float]  # x0, y0, x1, y1, normalised to the frame


class BoxSource(StrEnum):
    """Where a box comes from: a detector on this frame, filled in between two detections, or a person."""

    DETECTOR = "detector"
    INTERPOLATED = "interpolated"
    ANNOTATOR = "annotator"
    IMPORT = "import"


@dataclass(frozen=True)
class Face:
    """A face found by BlazeFace: its box and six key points (right eye, left eye, nose tip, mouth
    centre, right ear, left ear; normalised ``(x, y)`` each), which give its turn and its mouth."""

    box: Box
    score: float
    keypoints: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Detection:
    """One person on one frame: the box of what is visible of them, and their face when it is seen.

    ``kind`` says which detector found the person: ``body`` (BlazePose's detector: a body box from
    its hip, shoulder and extent points) or ``face`` (a face with no body found around it: the box
    is the body a head of that size has, as far as the frame shows it). ``descriptor`` is the appearance vector the characters are grouped by.
    """

    frame: int
    box: Box
    score: float
    kind: str
    face: Face | None = None
    descriptor: tuple[float, ...] = ()


@dataclass(frozen=True)
class TrackBox:
    """A track's box on one frame."""

    frame: int
    box: Box
    confidence: float
    source: BoxSource
    face: Face | None = None


@dataclass(frozen=True)
class Track:
    """One person followed through one shot (a track never crosses a cut): the boxes detected on
    sampled frames from ``start_frame`` to ``end_frame``; :meth:`filled` adds the frames between."""

    shot_index: int
    boxes: tuple[TrackBox, ...]
    descriptor: tuple[float, ...] = ()
    face_descriptor: tuple[float, ...] = ()

    @property
    def start_frame(self) -> int:
        return self.boxes[0].frame

    @property
    def end_frame(self) -> int:
        return self.boxes[-1].frame

    @property
    def detected(self) -> int:
        """How many of its boxes a detector found."""
        return sum(1 for b in self.boxes if b.source == BoxSource.DETECTOR)

    def filled(self) -> tuple[TrackBox, ...]:
        """A box on every frame from the first to the last, interpolated between the detected ones."""
        return fill(list(self.boxes))


@dataclass(frozen=True)
class CharacterGroup:
    """A suggested character: the indices (into the film's track list) of tracks of one person."""

    tracks: tuple[int, ...]
    by_face: bool = False  # grouped by face descriptors (else by appearance alone)


@dataclass(frozen=True)
class PeopleOptions:
    """Settings of the people stage; every field goes into the stage's cache key.

    Args:
        samples_per_s: frames detected per second of video (the others are interpolated).
        width: frames are decoded at this width for detection (height by aspect).
        tiles: 1 runs each detector on the whole frame; 2 adds a 2×2 grid of half-size tiles, for
            wide shots where people are small (five times the cost).
        body_score, face_score: the detectors' minimum scores.
        group_distance: cosine distance under which two tracks' descriptors count as one person.
    """

    samples_per_s: float = 2.0
    width: int = 640
    tiles: int = 1
    body_score: float = 0.5
    face_score: float = 0.6
    group_distance: float = 0.15

    def key(self) -> str:
        return (f"people-v2:s{self.samples_per_s:g}:w{self.width}:t{self.tiles}:b{self.body_score:g}"
                f":f{self.face_score:g}:g{self.group_distance:g}")


def interpolate(a: TrackBox, b: TrackBox) -> list[TrackBox]:
    """The boxes of the frames strictly between ``a`` and ``b``, linearly interpolated."""
    gap = b.frame - a.frame
    out = []
    for frame in range(a.frame + 1, b.frame):
        t = (frame - a.frame) / gap
        box = tuple(float(x + (y - x) * t) for x, y in zip(a.box, b.box))
        out.append(TrackBox(frame, (box[0], box[1], box[2], box[3]), min(a.confidence, b.confidence), BoxSource.INTERPOLATED))
    return out


def fill(boxes: list[TrackBox]) -> tuple[TrackBox, ...]:
    """``boxes`` (sorted by frame) with the frames between them interpolated."""
    out: list[TrackBox] = []
    for prev, nxt in zip(boxes, boxes[1:]):
        out.append(prev)
        out.extend(interpolate(prev, nxt))
    out.extend(boxes[-1:])
    return tuple(out)
