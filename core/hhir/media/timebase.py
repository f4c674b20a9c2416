"""Frame numbers and player positions: frame ``n`` is the ``n``-th decoded frame, whatever the file.

Shots, clips and the counter number frames by their position in display order among decoded frames
(see :mod:`hhir.media.frames`), and their seconds are ``frame / fps``. A player counts time from the
container's start instead, in the stream's own timestamps. The two agree only for a constant-rate
stream that starts at 0: a video stream starting at 0.036 s (common in real files, where audio
starts first) or a variable frame rate shifts every frame. A :class:`TimeBase` holds where each
frame starts on the player's clock and maps between the two.
"""

from __future__ import annotations

import bisect
import functools
import logging
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from hhir.media.probe import av_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimeBase:
    """Where each frame starts on a player's clock (seconds from the container's start).

    ``starts`` is sorted (display order). Frames past the end are extrapolated at ``fps``, so a
    frame count that was only an estimate never breaks a seek.
    """

    fps: float
    starts: tuple[float, ...]
    end_s: float  # where the last frame stops being shown
    exact: bool  # read from every packet (False: a constant rate from the stream's start)

    @property
    def frame_count(self) -> int:
        return len(self.starts)

    def frame_start(self, frame: int) -> float:
        """Player seconds at which ``frame`` appears."""
        n = len(self.starts)
        if n == 0:
            return max(frame, 0) / self.fps
        if frame < 0:
            return self.starts[0] + frame / self.fps
        if frame < n:
            return self.starts[frame]
        return self.end_s + (frame - n) / self.fps

    def position(self, frame: int) -> float:
        """Player seconds in the middle of ``frame``'s display interval: a millisecond rounding
        or a decoder's "shown after its timestamp" can never land on a neighbour."""
        return (self.frame_start(frame) + self.frame_start(frame + 1)) / 2.0

    def boundary(self, frame: int) -> float:
        """Player seconds half-way between ``frame - 1`` and ``frame`` (a cut in front of ``frame``)."""
        if frame <= 0:
            return max(self.frame_start(0) - 0.5 / self.fps, 0.0)
        return (self.frame_start(frame - 1) + self.frame_start(frame)) / 2.0

    def frame_at(self, seconds: float) -> int:
        """The frame a player shows at ``seconds`` on its clock (0 before the first frame)."""
        n = len(self.starts)
        if n and seconds > self.end_s:
            return n - 1 + int((seconds - self.end_s) * self.fps + 1e-9) + 1
        return max(bisect.bisect_left(self.starts, seconds) - 1, 0) if n else max(int(seconds * self.fps + 1e-6), 0)

    def shifted(self, seconds: float) -> TimeBase:
        """Every frame ``seconds`` later (earlier when negative): the same frames on another clock."""
        return TimeBase(self.fps, tuple(t + seconds for t in self.starts), self.end_s + seconds, self.exact)

    def frame_clock(self, seconds: float) -> float:
        """Player seconds as frame-clock seconds (``frame / fps`` plus the part of the frame shown)."""
        frame = self.frame_at(seconds)
        start, stop = self.frame_start(frame), self.frame_start(frame + 1)
        part = min(max((seconds - start) / (stop - start), 0.0), 1.0) if stop > start else 0.0
        return (frame + part) / self.fps


def constant_timebase(fps: float, frame_count: int, offset_s: float = 0.0) -> TimeBase:
    """Frames every ``1 / fps`` seconds from ``offset_s``."""
    fps = fps or 25.0
    starts = tuple(offset_s + i / fps for i in range(max(frame_count, 0)))
    return TimeBase(fps, starts, offset_s + max(frame_count, 0) / fps, exact=False)


def _container_start(container) -> float:
    return container.start_time / 1_000_000 if container.start_time is not None else 0.0  # AV_TIME_BASE


def _stream_offset(container, stream) -> float:
    """Where the video stream starts on the player's clock (its start minus the container's)."""
    if stream.start_time is None or not stream.time_base:
        return 0.0
    return max(float(stream.start_time * stream.time_base) - _container_start(container), 0.0)


def quick_timebase(path: str | Path, fps: float, frame_count: int) -> TimeBase:
    """A constant-rate time base from the stream's start (reads only the header; exact for
    constant-rate files, which most are). Falls back to a start at 0 when the file cannot be read."""
    import av

    try:
        with av.open(av_path(path)) as container:
            stream = container.streams.video[0]
            return constant_timebase(fps, frame_count, _stream_offset(container, stream))
    except (av.FFmpegError, IndexError, OSError) as exc:
        log.info("%s: no time base from the header (%s); frames counted from 0", path, exc)
        return constant_timebase(fps, frame_count)


def read_timebase(path: str | Path, fps: float | None = None) -> TimeBase:
    """The exact time base of ``path``'s first video stream, from every packet's timestamp.

    Reads packets only (no decoding): sorted presentation timestamps are the display order the
    decoder produces. Packets the demuxer marks as discarded (before an edit list's start) are not
    shown, so they are not counted. Streams without timestamps get :func:`quick_timebase`.
    """
    import av

    with av.open(av_path(path)) as container:
        stream = container.streams.video[0]
        rate = fps or float(stream.average_rate or stream.guessed_rate or 25)
        origin = _container_start(container)
        pts: list[int] = []
        durations: list[int] = []
        for packet in container.demux(stream):
            if packet.size == 0 or getattr(packet, "is_discard", False):
                continue
            if packet.pts is None:
                return quick_timebase(path, rate, stream.frames)
            pts.append(packet.pts)
            durations.append(packet.duration or 0)
        if not pts:
            return constant_timebase(rate, 0)
        order = sorted(range(len(pts)), key=pts.__getitem__)
        unit = Fraction(stream.time_base)
        starts = tuple(float(pts[i] * unit) - origin for i in order)
        last = durations[order[-1]]
        end = starts[-1] + (float(last * unit) if last else 1.0 / rate)
    return TimeBase(rate, starts, end, exact=True)


def file_timebase(path: str | Path) -> TimeBase:
    """:func:`read_timebase` of ``path``, read once per file version (an export cuts many clips
    from one film; each would otherwise read every packet again)."""
    path = Path(av_path(path))
    stat = path.stat()
    return _cached(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _cached(path: str, _mtime_ns: int, _size: int) -> TimeBase:
    return read_timebase(path)
