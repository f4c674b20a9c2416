"""Frames for many (overlapping) ranges of one video, in a single sequential decode pass.

Frame index = the number of frames decoded before it, in presentation order. That is the time base
used by shots and clips everywhere; for a variable-frame-rate file index ``i`` is the ``i``-th frame
shown, whatever its timestamp, and seconds relate to it only through the average rate.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from pathlib import Path

import numpy as np

from hhir.errors import MediaError
from hhir.jobs import CancelToken, ProgressFn, no_progress
from hhir.media.probe import av_path

log = logging.getLogger(__name__)
_CHECK_EVERY = 32  # frames between progress reports / cancel checks


@dataclass
class _Open:
    """A range whose frames are being collected (buffer allocated at its first wanted frame)."""

    frames: np.ndarray | None = None
    filled: int = 0


@dataclass
class _Plan:
    picks: list[np.ndarray]
    wanted: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # frame -> (range, slot)
    last: int = -1

    @classmethod
    def build(cls, ranges: Sequence[tuple[int, int]], n_frames: int) -> _Plan:
        picks = []
        for i, (start, end) in enumerate(ranges):
            if end <= start or start < 0:
                raise ValueError(f"frame range {i} ({start}, {end}) is empty or negative")
            picks.append(np.linspace(start, end - 1, n_frames).astype(int))
        plan = cls(picks)
        for i, idx in enumerate(picks):
            for slot, frame in enumerate(idx):
                plan.wanted.setdefault(int(frame), []).append((i, slot))
        plan.last = max(plan.wanted, default=-1)
        return plan


def _to_bgr(frame, size: int) -> np.ndarray:
    """The frame as shown: scaled, then turned by its display matrix (a phone video held upright)."""
    from hhir.media.probe import quarter_turns
    from hhir.media.scale import to_bgr

    image = to_bgr(frame, size, size)
    turns = quarter_turns(frame)
    return np.ascontiguousarray(np.rot90(image, turns)) if turns else image


class _Sampler:
    def __init__(self, plan: _Plan, n_frames: int, size: int) -> None:
        self.plan, self.n_frames, self.size = plan, n_frames, size
        self.open: dict[int, _Open] = {}
        self.next_out = 0
        self.last_frame = None  # the last decoded frame (an av.VideoFrame), converted only if needed

    def take(self, index: int, image: np.ndarray) -> None:
        for i, slot in self.plan.wanted.get(index, ()):
            entry = self.open.setdefault(i, _Open())
            if entry.frames is None:
                entry.frames = np.empty((self.n_frames, self.size, self.size, 3), np.uint8)
            entry.frames[slot] = image
            entry.filled += 1

    def ready(self) -> Iterator[tuple[int, np.ndarray]]:
        """Completed ranges, strictly in range order; each buffer is released once yielded."""
        while self.next_out < len(self.plan.picks):
            entry = self.open.get(self.next_out)
            if entry is None or entry.filled < self.n_frames:
                return
            del self.open[self.next_out]
            self.next_out += 1
            yield self.next_out - 1, entry.frames

    def finish(self, path: Path) -> Iterator[tuple[int, np.ndarray]]:
        """Ranges reaching past the last decoded frame get that frame repeated (counts can be estimates)."""
        if self.last_frame is None:
            raise MediaError(path, "no video frame could be decoded")
        last_image = _to_bgr(self.last_frame, self.size)
        for i in range(self.next_out, len(self.plan.picks)):
            entry = self.open.pop(i, _Open())
            frames = entry.frames
            if frames is None:
                frames = np.empty((self.n_frames, self.size, self.size, 3), np.uint8)
            if entry.filled < self.n_frames:
                log.warning("%s: range %d reaches past the last frame; repeating it", path, i)
                frames[entry.filled:] = last_image  # picks are sorted: missing slots trail
            yield i, frames
        self.next_out = len(self.plan.picks)


def sample_frames(path: str | Path, ranges: Sequence[tuple[int, int]], n_frames: int, size: int = 128,
                  progress: ProgressFn = no_progress,
                  cancel: CancelToken | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(i, frames)`` for each ``(start_frame, end_frame)`` range, in range order.

    Frames are picked by ``np.linspace(start, end - 1, n_frames)`` and returned as uint8
    ``(n_frames, size, size, 3)`` BGR, area-filtered (:func:`hhir.media.scale.to_bgr`). The video is decoded once,
    front to back, however much the ranges overlap; a range is yielded as soon as it and every
    range before it are complete, so memory holds only the ranges open at a time.

    Raises:
        ValueError: a range is empty or negative.
        MediaError: the file cannot be decoded.
        Cancelled: ``cancel`` was set.
    """
    import av

    plan = _Plan.build(ranges, n_frames)
    sampler = _Sampler(plan, n_frames, size)
    path = Path(path)
    try:
        with av.open(av_path(path)) as container:
            if not container.streams.video:
                raise MediaError(path, "no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for index, frame in enumerate(container.decode(stream)):
                sampler.last_frame = frame
                if index in plan.wanted:
                    sampler.take(index, _to_bgr(frame, size))
                    yield from sampler.ready()
                if index % _CHECK_EVERY == 0:
                    if cancel is not None:
                        cancel.check()
                    progress(min(index / max(plan.last, 1), 1.0), "Sampling frames")
                if index >= plan.last:
                    break
    except av.FFmpegError as exc:
        raise MediaError(path, f"cannot decode the video ({exc.strerror or exc})") from exc
    yield from sampler.finish(path)
    progress(1.0, "Sampling frames")


def decoded_frames(path: str | Path, wanted: set[int], cancel: CancelToken | None = None) -> Iterator[tuple[int, Any]]:
    """The ``wanted`` decoded frames of ``path`` (display-order indices, as above) as
    ``av.VideoFrame``s, in one sequential pass that stops after the last of them; ``cancel`` is
    checked at every frame. For a few scattered frames (the people's samples, thumbnails, the
    background's motion); many overlapping ranges go through :func:`sample_frames`."""
    import av

    last = max(wanted, default=-1)
    if last < 0:
        return
    with av.open(av_path(Path(path))) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for index, frame in enumerate(container.decode(stream)):
            if index > last:
                break
            if index in wanted:
                yield index, frame
            if cancel is not None:
                cancel.check()


def shrunk_size(frame: Any, width: int) -> tuple[int, int]:
    """``frame``'s size shrunk to ``width`` (never enlarged), both sides even, aspect kept."""
    w = min(width, frame.width) // 2 * 2
    return w, max(2, round(frame.height * w / frame.width) // 2 * 2)
