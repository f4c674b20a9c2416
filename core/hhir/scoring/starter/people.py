"""The starter's people counts from the tracks of the people stage, where a video has them.

OpenCV's HOG and Haar counts on a few 128 px frames were wrong both ways (many "people" on a
static close-up, nobody in a two-shot; docs/people.md gives the measured figures), so when the
people stage has run, a clip's ``people_max``, ``people_mean`` and ``faces_max`` are counted from
the tracks instead, at read time, so an edit of the people is seen at the next prediction without
recomputing any cue.

``movers`` and ``mover_pairs`` (figures walking, and pairs of them side by side) keep the larger of
two measures: the figure-sized blobs that travel against the camera-aligned background in the
clip's frames (:mod:`hhir.scoring.starter.movers`), and the tracks whose boxes travel through the
clip. Tracks count as moving only while the camera stands still (``camera_travel`` under a tenth
of the frame's width): a box that moves in a panning picture may stand still in the world, and a
camera that follows walkers is the "walks with" rule's other cue. The blobs are kept because the
people detectors, made for people near the camera, find almost no one in a wide shot of small
pedestrians (docs/people.md: recall 0.00 on vtest.avi at whole-frame detection), where the moving
blobs do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hhir.scoring.starter.cues import CUE_NAMES
from hhir.types import Clip, PersonTrack

if TYPE_CHECKING:
    from hhir.store import Store

_GRID = 16  # frames looked at per clip, evenly spaced
_MOVES = 0.5  # a track whose centre travels this many of its box widths in the clip is a moving figure
_STILL_CAMERA = 0.1  # camera travel (of the frame's width) under which a track's motion is its own
_COLUMNS = {name: CUE_NAMES.index(name) for name in ("people_max", "people_mean", "faces_max", "movers", "mover_pairs")}


def _face_at(track: PersonTrack, frame: int) -> bool:
    nearest = min(track.boxes, key=lambda b: abs(b.frame - frame))
    return nearest.face is not None


def _centre(box: tuple[float, float, float, float]) -> np.ndarray:
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])


def _moving(track: PersonTrack, start: int, end: int) -> np.ndarray | None:
    """The track's centre at the middle of the clip, if it moves within the clip; else None."""
    a, b = track.box_at(max(start, track.start_frame)), track.box_at(min(end - 1, track.end_frame))
    if a is None or b is None:
        return None
    width = max(1e-3, a[2] - a[0])
    return (_centre(a) + _centre(b)) / 2 if np.linalg.norm(_centre(b) - _centre(a)) / width >= _MOVES else None


def clip_counts(clip: Clip, tracks: list[PersonTrack]) -> dict[str, float]:
    """The five people cues of one clip from the video's tracks."""
    inside = [t for t in tracks if t.start_frame < clip.end_frame and t.end_frame >= clip.start_frame]
    frames = np.unique(np.linspace(clip.start_frame, max(clip.start_frame, clip.end_frame - 1), _GRID).astype(int))
    seen = np.array([sum(1 for t in inside if t.box_at(int(f)) is not None) for f in frames], np.float32)
    faces = np.array([sum(1 for t in inside if t.box_at(int(f)) is not None and _face_at(t, int(f))) for f in frames], np.float32)
    movers = [c for c in (_moving(t, clip.start_frame, clip.end_frame) for t in inside) if c is not None]
    pairs = sum(1 for i in range(len(movers)) for j in range(i + 1, len(movers)) if np.linalg.norm(movers[i] - movers[j]) < 0.35)
    return {"people_max": float(seen.max(initial=0)), "people_mean": float(seen.mean()) if len(seen) else 0.0,
            "faces_max": float(faces.max(initial=0)), "movers": float(len(movers)), "mover_pairs": float(pairs)}


def with_people(cues: np.ndarray, clips: list[Clip], tracks: list[PersonTrack] | None) -> np.ndarray:
    """``cues`` (one row per clip) with the people cues counted from ``tracks``; unchanged when the
    video has no people stage (``tracks`` None)."""
    if tracks is None or len(clips) == 0:
        return cues
    out = np.array(cues, dtype=np.float32, copy=True).reshape(len(clips), len(CUE_NAMES))
    travel = CUE_NAMES.index("camera_travel")
    for row, clip in zip(out, clips):
        counts = clip_counts(clip, tracks)
        for name in ("people_max", "people_mean", "faces_max"):
            row[_COLUMNS[name]] = counts[name]
        if row[travel] < _STILL_CAMERA:
            for name in ("movers", "mover_pairs"):
                row[_COLUMNS[name]] = max(row[_COLUMNS[name]], counts[name])
    return out


def video_tracks(store: Store, video_id: int) -> list[PersonTrack] | None:
    """The video's tracks when its people stage ran (an empty list: it ran and saw nobody)."""
    if not store.stage_params("people").get(video_id):
        return None
    tracks: list[PersonTrack] = store.person_tracks(video_id)
    return tracks
