"""SRT and WebVTT: writing a transcript, and reading one with errors that name the file and line.

Writing goes through the ``srt`` and ``webvtt-py`` libraries. Reading stays hand-written: neither
library's parser says on which line a file goes wrong, and an import error must name the line.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

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
    """The segments as SubRip text, numbered from 1 (SubRip has no escapes: text goes as it is).

    A segment without text is left out: an empty cue would read as the end of the file.
    """
    import srt

    spoken = [s for s in segments if _one_line_block(s.text)]
    subs = [srt.Subtitle(n, _delta(s.start_s), _delta(s.end_s), _one_line_block(s.text))
            for n, s in enumerate(spoken, start=1)]
    return srt.compose(subs, reindex=False)


def to_vtt(segments: list[TranscriptSegment]) -> str:
    """The segments as WebVTT text, cue text escaped where the WebVTT spec requires (:func:`_vtt_escape`).

    A segment without text is left out, as in :func:`to_srt`.
    """
    from webvtt import Caption, WebVTT

    vtt = WebVTT()
    for s in segments:
        lines = [_vtt_escape(line) for line in _one_line_block(s.text).splitlines()]
        if lines:
            vtt.captions.append(Caption(_stamp(s.start_s, "."), _stamp(s.end_s, "."), lines))
    return vtt.content


def _delta(seconds: float) -> timedelta:
    return timedelta(milliseconds=round(max(seconds, 0.0) * 1000))


_REFERENCE_START = re.compile(r"&(?=[A-Za-z0-9#])")


def _vtt_escape(line: str) -> str:
    """Only what WebVTT requires, so a reader that does not decode entities still gets the words:
    ``<`` (it opens a tag), ``&`` where it could start a character reference (``&amp``, ``&#38``;
    ``Tom & Jerry`` stays as it is), and the ``>`` of ``-->``, which cue text must not hold. ``&``
    first, so the entities written are not escaped again."""
    return _REFERENCE_START.sub("&amp;", line).replace("<", "&lt;").replace("-->", "--&gt;")


def _seconds(groups: tuple[str | None, ...]) -> float:
    hours, minutes, secs, ms = (int(g) if g else 0 for g in groups)
    return hours * 3600 + minutes * 60 + secs + ms / 1000


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks as (first line number, lines)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
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


def _vtt_unescape(segment: TranscriptSegment) -> TranscriptSegment:
    # WebVTT cue text carries "&", "<" and ">" as character references; tags such as <v Ann> stay.
    return TranscriptSegment(segment.start_s, segment.end_s, html.unescape(segment.text))


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
        segments.append(_vtt_unescape(_cue(source_name, start + timing_at, lines[timing_at], lines[timing_at + 1:])))
    return segments
