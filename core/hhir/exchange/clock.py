"""Exported times on the stream's own clock: the presentation time of the frame a time names.

Shots and clips store frame numbers (the ``n``-th decoded frame) and frame-clock seconds
(``frame / fps``). A player, ELAN or Label Studio counts time from the container's start in the
stream's own timestamps instead, and the two differ wherever the video stream starts late (audio
first, as in most real files) or the frame rate varies. Every time an export writes for a shot or
a clip is therefore where its first frame is shown (start) and where the frame after its last is
shown (end), read from the file's packets by :mod:`hhir.media.timebase`; an import accepts a time
within half a frame of that.
"""

from __future__ import annotations

import logging
from pathlib import Path

from hhir.media.timebase import TimeBase, constant_timebase
from hhir.types import Clip, Shot, Video

log = logging.getLogger(__name__)


def video_clock(video: Video) -> TimeBase:
    """The player's clock of ``video``: every frame's presentation time, read once per file.

    A video whose file is not here (a project moved without its media) keeps the frame clock,
    ``frame / fps`` from 0, the only one known without it.
    """
    from hhir.media.timebase import file_timebase

    if Path(video.path).is_file():
        try:
            return file_timebase(video.path)
        except Exception as exc:  # noqa: BLE001 - av's errors are imported lazily; the frame clock is the fallback
            log.info("%s: no frame timestamps (%s); times follow frame / fps", video.path, exc)
    return constant_timebase(video.fps or 25.0, video.frame_count)


def frame_span(clock: TimeBase | None, start_frame: int, end_frame: int, fps: float) -> tuple[float, float]:
    """Player seconds of frames ``[start_frame, end_frame)``: where the first is shown and where the
    next after the last would be (``frame / fps`` without a clock)."""
    if clock is None:
        rate = fps or 25.0
        return start_frame / rate, end_frame / rate
    return clock.frame_start(start_frame), clock.frame_start(end_frame)


def clip_span(clock: TimeBase | None, clip: Clip | Shot, fps: float) -> tuple[float, float]:
    """:func:`frame_span` of a clip or shot."""
    return frame_span(clock, clip.start_frame, clip.end_frame, fps)


def half_frame(clock: TimeBase | None, frame: int, fps: float) -> float:
    """Half the display time of ``frame`` (what an import may be off by), at least 2 ms."""
    if clock is None:
        return max(0.5 / (fps or 25.0), 0.002)
    return max((clock.frame_start(frame + 1) - clock.frame_start(frame)) / 2.0, 0.002)
