"""Transcripts as SRT or WebVTT: ``<scene>.srt`` / ``<scene>.vtt`` per video."""

from __future__ import annotations

from pathlib import Path

from hhir.errors import ImportFormatError
from hhir.exchange.model import ExportData, ImportData, VideoRef
from hhir.exchange.naming import video_stem
from hhir.exchange.safety import read_import_text, write_text


def export_transcripts(data: ExportData, out: Path, fmt: str) -> list[Path]:
    """Write one subtitle file per video that has a transcript; ``fmt`` is ``srt`` or ``vtt``."""
    from hhir.speech.subtitles import to_srt, to_vtt

    writer = to_srt if fmt == "srt" else to_vtt
    return [write_text(out / f"{v.name}.{fmt}", writer(list(v.transcript))) for v in data.videos if v.transcript]


def parse_transcript(path: Path, fmt: str, video: VideoRef | None = None) -> ImportData:
    """Read a subtitle file; the video is the one named like the file unless given."""
    from hhir.speech.subtitles import parse_srt, parse_vtt

    parser = parse_srt if fmt == "srt" else parse_vtt
    try:
        segments = parser(read_import_text(path), str(path))
    except ValueError as exc:  # e.g. int() refusing a time field of thousands of digits
        raise ImportFormatError(f"{path}: unreadable subtitle file ({exc})") from exc
    return ImportData(transcripts=((video or VideoRef(name=video_stem(str(path))), tuple(segments)),))
