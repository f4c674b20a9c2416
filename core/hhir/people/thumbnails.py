"""Face thumbnails of person tracks: crops of their stored boxes from the decoded frames (the
app's people gallery shows them).

One crop per track: the stored box of the track's most confident sample that saw a face, around
that face (widened to show the head), else the top of its body box (where the head is). Frames are
decoded once, in display order, up to the last one wanted; the window runs this in the background.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hhir.jobs import CancelToken
from hhir.types import PersonBox, PersonTrack

Box = tuple[float, float, float, float]
SIZE = 72  # pixels of a square thumbnail
_DECODE_WIDTH = 640


def face_region(box: PersonBox) -> Box:
    """The region (normalised) a thumbnail is centred on for ``box``: its face widened to the
    head, else the top of the body box."""
    if box.face is not None and len(box.face) >= 4:
        x0, y0, x1, y1 = box.face[:4]
        cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) * 0.8, (y1 - y0) * 0.8
        return (cx - hw, cy - hh, cx + hw, cy + hh)
    return (box.x0, box.y0, box.x1, box.y0 + (box.y1 - box.y0) / 4)


def chosen_box(track: PersonTrack) -> PersonBox:
    """The box a track's thumbnail is cut from: the most confident one with a face, else the middle one."""
    with_face = [b for b in track.boxes if b.face is not None]
    if with_face:
        return max(with_face, key=lambda b: (b.confidence, -b.frame))
    return track.boxes[len(track.boxes) // 2]


def crop(image: np.ndarray, region: Box, size: int = SIZE) -> np.ndarray:
    """The square around ``region`` (normalised, may reach past the frame) of an RGB ``image`` as a
    ``size``² RGB thumbnail (the part outside the frame is black)."""
    h, w = image.shape[:2]
    side = max(int(round((region[2] - region[0]) * w)), int(round((region[3] - region[1]) * h)), 1)
    x0 = int(round((region[0] + region[2]) / 2 * w)) - side // 2
    y0 = int(round((region[1] + region[3]) / 2 * h)) - side // 2
    canvas = np.zeros((side, side, 3), np.uint8)
    sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x0 + side, w), min(y0 + side, h)
    if sx1 > sx0 and sy1 > sy0:
        canvas[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = image[sy0:sy1, sx0:sx1]
    picks = (np.arange(size) * side / size).astype(np.int64)  # nearest-pixel shrink: no extra dependency
    return np.ascontiguousarray(canvas[picks][:, picks])


def track_thumbnails(path: str | Path, tracks: list[PersonTrack], cancel: CancelToken | None = None,
                     size: int = SIZE) -> dict[int, np.ndarray]:
    """A ``size``² RGB thumbnail per track id, cut from ``path``'s decoded frames."""
    from hhir.media.frames import decoded_frames, shrunk_size

    wanted: dict[int, list[tuple[int, Box]]] = {}
    for track in tracks:
        if track.boxes:
            box = chosen_box(track)
            wanted.setdefault(box.frame, []).append((track.id, face_region(box)))
    out: dict[int, np.ndarray] = {}
    if not wanted:
        return out
    for index, frame in decoded_frames(path, set(wanted), cancel):
        width, height = shrunk_size(frame, _DECODE_WIDTH)
        image = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
        for track_id, region in wanted[index]:
            out[track_id] = crop(image, region, size)
    return out
