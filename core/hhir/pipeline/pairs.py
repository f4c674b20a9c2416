"""The pair suggestions stage: who does what to whom (:mod:`hhir.scoring.pairs`), from the stored
people, speech turns and transcript, after the voices stage.

It runs on every analysis, like the clip texts: the untouched suggestions of the last analysis are
replaced, and no decision is overwritten (an annotator's record, or a judged suggestion, on the same
actor, label and target over an overlapping span wins: :meth:`hhir.store.Store.replace_suggestions`).
Most cues read only what is stored; ``walks with`` needs the background's motion where two people
are on screen together for a while (:func:`hhir.scoring.pairs.walk_pairs`): those frames, and the
frame :data:`STEP` after each, are decoded (one pass up to the last of them, 320 px wide), corners
outside everyone's box are followed to the later frame (OpenCV's pyramidal Lucas-Kanade), and their
median displacement is the background's motion there.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from hhir.jobs import CancelToken
from hhir.store import Store
from hhir.types import PersonTrack, Shot, Video

log = logging.getLogger(__name__)
STEP = 2  # frames between the two frames whose background is compared
WIDTH = 320  # pixels: the frames are shrunk to this width for it
MIN_CORNERS = 12  # fewer corners followed on the background: its motion there is not known


def camera_motion(path: str | Path, frames: set[int], tracks: Sequence[PersonTrack], shots: Sequence[Shot], fps: float,
                  cancel: CancelToken | None = None) -> dict[int, tuple[float, float]]:
    """The background's velocity on the picture at each of ``frames`` (picture widths and heights
    per second, from the frame to the one :data:`STEP` later, or :data:`STEP` earlier at a shot's
    end), where enough of it can be followed; the people's boxes (``tracks``) are left out of it.
    Frames are decoded indices (display order)."""
    import cv2

    from hhir.media.frames import decoded_frames, shrunk_size
    from hhir.media.scale import to_bgr

    if not frames:
        return {}
    cancel = cancel or CancelToken()
    ends = sorted(s.end_frame for s in shots)
    later = {}  # each frame's partner: STEP later inside its shot, else STEP earlier
    for f in frames:
        end = next((e for e in ends if e > f), f + STEP + 1)
        later[f] = f + STEP if f + STEP < end else f - STEP
    need = frames | set(later.values())
    grey: dict[int, np.ndarray] = {}
    for index, frame in decoded_frames(path, need, cancel):
        grey[index] = cv2.cvtColor(to_bgr(frame, *shrunk_size(frame, WIDTH)), cv2.COLOR_BGR2GRAY)
    found: dict[int, tuple[float, float]] = {}
    for f in sorted(frames):
        if f not in grey or later[f] not in grey:
            continue
        first, second = grey[f], grey[later[f]]
        h, w = first.shape
        mask = np.full((h, w), 255, np.uint8)
        for t in tracks:
            box = t.box_at(f)
            if box is not None:
                x0, y0, x1, y1 = box
                mask[max(0, int(y0 * h)):int(np.ceil(y1 * h)), max(0, int(x0 * w)):int(np.ceil(x1 * w))] = 0
        corners = cv2.goodFeaturesToTrack(first, maxCorners=200, qualityLevel=0.01, minDistance=5, mask=mask)
        if corners is None or len(corners) < MIN_CORNERS:
            continue
        moved, status, _err = cv2.calcOpticalFlowPyrLK(first, second, corners, None)
        ok = status.reshape(-1) == 1
        if ok.sum() < MIN_CORNERS:
            continue
        d = np.median((moved - corners).reshape(-1, 2)[ok], axis=0)
        rate = (fps or 25.0) / (later[f] - f)
        found[f] = (float(d[0]) / w * rate, float(d[1]) / h * rate)
    return found


def pairs_stage(store: Store, video: Video, path: str | Path | None = None, cancel: CancelToken | None = None) -> tuple[int, int]:
    """Suggest the video's pairs; returns (stored, left out because a decision covers them).
    ``path``: the video file, for the background's motion (without it, ``walks with`` compares the
    boxes' motion on the picture only)."""
    from hhir.scoring.pairs import pair_cues, suggestions, walk_pairs

    characters = store.characters(video.id)
    if len(characters) < 2:
        added, skipped = store.replace_suggestions(video.id, [])
        return added, skipped
    tracks = store.person_tracks(video.id)
    camera: dict[int, tuple[float, float]] = {}
    wanted = {int(f) for _a, _b, frames in walk_pairs(tracks, video.fps) for f in frames}
    if path is not None and wanted:
        camera = camera_motion(path, wanted, tracks, store.shots(video.id), video.fps, cancel)
    cues = pair_cues(characters, tracks, store.shots(video.id), store.speech_turns(video.id), store.transcript(video.id),
                     video.fps, video.frame_count, video.width / video.height if video.height else 1.0, camera)
    labels = [label.name for label in store.labels()]
    added, skipped = store.replace_suggestions(video.id, suggestions(cues, video.id, labels))
    log.info("video %s: %d pair suggestions from %d cues (%d left out: decided already)", video.id, added, len(cues), skipped)
    return added, skipped
