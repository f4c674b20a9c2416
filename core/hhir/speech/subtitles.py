"""SRT and WebVTT: writing a transcript, and reading one with errors that name the file and line."""

from __future__ import annotations

import re

from hhir.errors import ImportFormatError
from hhir.types import TranscriptSegment

_TIME = r"(?:(\d{1,6}):)?(\d{1,2}):(\d{2})[,.](\d{3})"  # bounded hours: a huge number is a bad line, not a crash
_CUE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")


def _stamp(seconds: float, sep: str) -> str:
    ms = int(round(max(seconds, 0.0) * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{ms:03d}"


def _one_line_block(text: str) -> str:
    # A blank line would end the cue early; keep line breaks but drop empty lines.
    return "\n".join(line for line in text.strip().splitlines() if line.strip())


def to_srt(segments: list[TranscriptSegment]) -> str:
    """The segments as SubRip text, numbered from 1."""
    blocks = [f"{n}\n{_stamp(s.start_s, ',')} --> {_stamp(s.end_s, ',')}\n{_one_line_block(s.text)}\n"
              for n, s in enumerate(segments, start=1)]
    return "\n".join(blocks)


def to_vtt(segments: list[TranscriptSegment]) -> str:
    """The segments as WebVTT text."""
    blocks = [f"{_stamp(s.start_s, '.')} --> {_stamp(s.end_s, '.')}\n{_one_line_block(s.text)}\n"
              for s in segments]
    return "\n".join(["WEBVTT\n", *blocks])


def _seconds(groups: tuple[str | None, ...]) -> float:
    hours, minutes, secs, ms = (int(g) if g else 0 for g in groups)
    return hours * 3600 + minutes * 60 + secs + ms / 1000


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks as (first line number, lines)."""
    blocks, current, start = [], [], 0
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _cue(source: str, number: int, timing: str, text_lines: list[str]) -> TranscriptSegment:
    match = _CUE.match(timing)
    if match is None:
        raise ImportFormatError(f"{source}, line {number}: expected 'start --> end', got {timing!r}")
    start, end = _seconds(match.groups()[:4]), _seconds(match.groups()[4:])
    if end < start:
        raise ImportFormatError(f"{source}, line {number}: the cue ends before it starts")
    return TranscriptSegment(start_s=start, end_s=end, text="\n".join(text_lines))


def parse_srt(text: str, source_name: str) -> list[TranscriptSegment]:
    """Read SubRip text.

    Raises:
        ImportFormatError: a block lacks its number or timing line; names ``source_name`` and the line.
    """
    segments = []
    for start, lines in _blocks(text):
        if not lines[0].strip().isdigit():
            raise ImportFormatError(f"{source_name}, line {start}: expected a cue number, got {lines[0]!r}")
        if len(lines) < 2:
            raise ImportFormatError(f"{source_name}, line {start}: cue {lines[0].strip()} has no timing line")
        segments.append(_cue(source_name, start + 1, lines[1], lines[2:]))
    return segments


def parse_vtt(text: str, source_name: str) -> list[TranscriptSegment]:
    """Read WebVTT text (cue identifiers, settings, NOTE/STYLE/REGION blocks are accepted and ignored).

    Raises:
        ImportFormatError: no ``WEBVTT`` header or a malformed cue; names ``source_name`` and the line.
    """
    blocks = _blocks(text)
    if not blocks or not blocks[0][1][0].startswith("WEBVTT"):
        raise ImportFormatError(f"{source_name}, line 1: a WebVTT file must start with 'WEBVTT'")
    segments = []
    for start, lines in blocks[1:]:
        if lines[0].split(" ")[0] in ("NOTE", "STYLE", "REGION"):
            continue
        timing_at = 0 if "-->" in lines[0] else 1  # an optional cue identifier comes first
        if timing_at >= len(lines):
            raise ImportFormatError(f"{source_name}, line {start}: cue {lines[0]!r} has no timing line")
        segments.append(_cue(source_name, start + timing_at, lines[timing_at], lines[timing_at + 1:]))
    return segments
