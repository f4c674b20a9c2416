"""Clips: sliding windows of consecutive shots, and the transcript text that falls inside each."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from hhir.types import Clip, Shot, TranscriptSegment

_TAG = re.compile(r"<[^>]*>")
_PARENS = re.compile(r"\([^)]*\)")
_BRACKETS = re.compile(r"\[[^\]]*\]")
_SPACE = re.compile(r"\s+")


def _window_starts(n_shots: int, size: int, stride: int) -> list[int]:
    starts = list(range(0, n_shots - size + 1, stride))
    if starts[-1] + size < n_shots:
        starts.append(n_shots - size)  # cover the tail shots the stride stepped over
    return starts


def build_clips(shots: list[Shot], size: int = 3, stride: int = 1) -> list[Clip]:
    """Group shots into windows of ``size`` consecutive shots, moved by ``stride`` (the seed: 3 and 1).

    Fewer than ``size`` shots give one clip of all of them (the seed gave none). When the stride
    would step over the last shots, a final window ending at the last shot is added.

    Raises:
        ValueError: ``size`` or ``stride`` below 1.
    """
    if size < 1 or stride < 1:
        raise ValueError(f"clip size ({size}) and stride ({stride}) must be at least 1")
    if not shots:
        return []
    width = min(size, len(shots))
    clips = []
    for index, first in enumerate(_window_starts(len(shots), width, stride)):
        a, b = shots[first], shots[first + width - 1]
        clips.append(Clip(index=index, first_shot=a.index, last_shot=b.index, start_s=a.start_s,
                          end_s=b.end_s, start_frame=a.start_frame, end_frame=b.end_frame))
    return clips


def clip_window(videos: Iterable[Sequence[Clip]]) -> tuple[int, int] | None:
    """The ``(size, stride)`` the clips of one or more videos were built with (the inverse of
    :func:`build_clips`); ``None`` when there are no clips.

    The size is the widest clip (a video shorter than the window has one narrower clip). The stride is
    the smallest step between consecutive clip starts, leaving out each video's last step, which may be
    the tail window; clips missing from the list only lengthen steps. Videos of one or two clips fall
    back to their steps (or 1).
    """
    widths: list[int] = []
    inner: list[int] = []
    tail: list[int] = []
    for clips in videos:
        starts = sorted(c.first_shot for c in clips)
        widths += [c.last_shot - c.first_shot + 1 for c in clips]
        steps = [b - a for a, b in zip(starts, starts[1:]) if b > a]
        inner += steps[:-1]
        tail += steps[-1:]
    if not widths:
        return None
    size = max(widths)
    stride = min(inner) if inner else max(tail, default=1)
    return size, min(stride, size)


def clean_text(text: str) -> str:
    """Remove ``<tags>``, ``(asides)`` and ``[sounds]`` and squeeze whitespace, as the seed does."""
    for pattern in (_TAG, _PARENS, _BRACKETS):
        text = pattern.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def clip_text(clip: Clip, segments: Iterable[TranscriptSegment]) -> str:
    """The cleaned text of every transcript segment overlapping the clip in time, in time order."""
    inside = [s for s in segments if s.start_s < clip.end_s and s.end_s > clip.start_s]
    inside.sort(key=lambda s: (s.start_s, s.end_s))
    return clean_text(" ".join(s.text for s in inside))
