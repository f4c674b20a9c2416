"""The frame index: how many frames a video decodes to and each one's timestamp, built once.

Frame ``n`` is the ``n``-th decoded frame (see :mod:`hhir.media.frames`). A player needs where
each one is shown on its clock, and the counter needs how many there are: the header only
estimates the count, and packets can differ from what the decoder gives (a stream starting on
a frame it cannot decode, an edit list). So the index is taken from a decode: the analysis
records it while shot detection decodes every frame (:class:`TimestampLog`), and
:func:`build_frame_index` decodes a video nobody analysed yet. The project keeps it
(``Store.set_frame_index``) with the file's size, modification time and fingerprint, so a
changed file is decoded again rather than shown with another file's times (:func:`index_matches`).

Stored form (:meth:`FrameIndex.pack`): the ``int64`` timestamps as little-endian deltas (the
first is the first timestamp), zlib-compressed: a constant rate packs to a few bytes per
thousand frames. No pickle; :meth:`FrameIndex.unpack` checks the length.
"""

from __future__ import annotations

import logging
import os
import zlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from hhir.errors import MediaError
from hhir.jobs import CancelToken, ProgressFn, no_progress
from hhir.media.probe import av_path, fingerprint
from hhir.media.timebase import TimeBase

log = logging.getLogger(__name__)
_REPORT_EVERY = 200  # frames between progress reports and cancel checks
_DTYPE = np.dtype("<i8")


@dataclass(frozen=True)
class FrameIndex:
    """Every decoded frame's presentation timestamp, in display order.

    ``pts`` are in ``time_base`` units of the stream; ``origin_us`` is the container's start in
    microseconds (a player's clock counts from it); ``last_duration`` is how long the last frame is
    shown, in ``time_base`` units (0: unknown, one average frame is used).
    """

    time_base: Fraction
    pts: np.ndarray  # int64, one per decoded frame
    origin_us: int = 0
    last_duration: int = 0

    @property
    def frame_count(self) -> int:
        return int(self.pts.size)

    def seconds(self) -> np.ndarray:
        """Each frame's start in seconds from the container's start (a player's clock)."""
        return self.pts.astype(np.float64) * float(self.time_base) - self.origin_us / 1_000_000

    def timebase(self, fps: float, shift_s: float = 0.0) -> TimeBase:
        """The player's :class:`TimeBase`; ``shift_s`` moves every frame (a playback copy whose
        stream starts elsewhere on its own clock)."""
        fps = fps or 25.0
        starts = np.sort(self.seconds()) + shift_s
        if not starts.size:
            return TimeBase(fps, (), 0.0, exact=True)
        last = float(self.last_duration * self.time_base) if self.last_duration > 0 else 1.0 / fps
        return TimeBase(fps, tuple(starts.tolist()), float(starts[-1]) + last, exact=True)

    def pack(self) -> bytes:
        """The timestamps as zlib-compressed little-endian int64 deltas."""
        deltas = np.diff(self.pts.astype(_DTYPE), prepend=np.int64(0)).astype(_DTYPE)
        return zlib.compress(deltas.tobytes(), 6)

    @classmethod
    def unpack(cls, data: bytes, frame_count: int, time_base: Fraction, origin_us: int = 0,
               last_duration: int = 0) -> FrameIndex:
        """The index stored by :meth:`pack`. Raises ValueError when ``data`` does not hold
        ``frame_count`` timestamps."""
        raw = zlib.decompress(data)
        if len(raw) != frame_count * _DTYPE.itemsize:
            raise ValueError(f"frame index holds {len(raw)} bytes, expected {frame_count} timestamps")
        pts = np.cumsum(np.frombuffer(raw, dtype=_DTYPE), dtype=np.int64)
        return cls(time_base, pts, origin_us, last_duration)


@dataclass(frozen=True)
class FileState:
    """What the index was built from: the file's size, modification time and content fingerprint."""

    size: int
    mtime_ns: int
    fingerprint: str

    @classmethod
    def of(cls, path: str | Path, known_fingerprint: str | None = None) -> FileState:
        """Raises MediaError when the file cannot be read."""
        path = Path(av_path(path))
        try:
            stat = os.stat(path)
        except OSError as exc:
            raise MediaError(path, f"cannot read the file ({exc.strerror or exc})") from exc
        return cls(stat.st_size, stat.st_mtime_ns, known_fingerprint or fingerprint(path))


def index_matches(state: FileState, path: str | Path) -> bool:
    """Whether ``path`` is still the file the index was built from: same size and time (a stat),
    or, when only the time differs (a copy, a touch), the same content fingerprint."""
    try:
        stat = os.stat(av_path(path))
    except OSError:
        return False
    if stat.st_size != state.size:
        return False
    if stat.st_mtime_ns == state.mtime_ns:
        return True
    try:
        return fingerprint(path) == state.fingerprint
    except MediaError:
        return False


class TimestampLog:
    """Collects the timestamps of frames as a decode loop hands them over (:meth:`add`)."""

    def __init__(self, container: Any, stream: Any) -> None:  # av's InputContainer and VideoStream
        self.time_base = Fraction(stream.time_base) if stream.time_base else Fraction(1, 1_000_000)
        self.origin_us = int(container.start_time) if container.start_time is not None else 0
        rate = stream.average_rate or stream.guessed_rate or 25
        self._step = max(int(round(1 / (float(rate) * self.time_base))), 1)  # one frame, for missing pts
        self._pts: list[int] = []
        self._last_duration = 0

    def add(self, frame: Any) -> None:  # an av.VideoFrame
        pts = frame.pts if frame.pts is not None else frame.dts
        if pts is None:  # no timestamp at all: one average frame after the one before
            pts = self._pts[-1] + self._step if self._pts else 0
        self._pts.append(int(pts))
        self._last_duration = int(getattr(frame, "duration", 0) or 0)

    def index(self) -> FrameIndex:
        return FrameIndex(self.time_base, np.asarray(self._pts, dtype=np.int64), self.origin_us, self._last_duration)


def build_frame_index(path: str | Path, expected_frames: int = 0, progress: ProgressFn = no_progress,
                      cancel: CancelToken | None = None) -> FrameIndex:
    """Decode every frame of ``path``'s first video stream and return their timestamps.

    Pixels are not converted, only decoded (the count is what the decoder gives).
    ``expected_frames`` (the header's estimate) only scales the progress.

    Raises:
        MediaError: the file cannot be decoded, or holds no video frame.
        Cancelled: ``cancel`` was set.
    """
    import av

    try:
        with av.open(av_path(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            log_ = TimestampLog(container, stream)
            for count, frame in enumerate(container.decode(stream), 1):
                log_.add(frame)
                if count % _REPORT_EVERY == 0:
                    if cancel is not None:
                        cancel.check()
                    progress(min(count / max(expected_frames, 1), 0.99), "Counting frames")
    except (av.FFmpegError, IndexError) as exc:
        raise MediaError(path, f"cannot decode the video to count its frames ({exc or 'no video stream'})") from exc
    index = log_.index()
    if not index.frame_count:
        raise MediaError(path, "no video frame could be decoded")
    progress(1.0, "Counting frames")
    log.info("%s: %d frames decoded for the frame index", Path(path).name, index.frame_count)
    return index
