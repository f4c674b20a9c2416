"""The seed's training layout, so its notebook trains on our data unchanged.

For every clip, with ``<scene>`` the sanitised video name, ``<sub>`` the clip window id
(``w0003``) and ``<clip>`` = ``<scene>_clip0003`` (the seed keys clips by file stem across a
whole split, so stems are unique)::

    clip_<split>/<scene>/<sub>/<clip>.mp4      frame-exact H.264/AAC cut of the original
    dialogue_<split>/<scene>/<sub>/<clip>.srt  the transcript inside the clip, clip-relative times
    audio_<split>/<scene>/<sub>/<clip>.mp3     the clip's audio (silence for a video without audio)
    <split>_labels/<scene>.csv                 columns Clip, Interaction: one row per present label

``<split>`` is ``train`` or ``test``, assigned per scene. A label counts as present when any
exported annotator marked it present (filter by annotator to export one person's view); labels
of the whole video are not part of this layout.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from hhir.errors import HHIRError, ImportFormatError
from hhir.exchange.model import ClipRef, ExportData, ImportData, LabelRecord, VideoData, VideoRef
from hhir.exchange.naming import clip_name, clip_window, parse_clip_name
from hhir.exchange.safety import atomic_output, read_import_text, safe_join, write_text
from hhir.jobs import CancelToken, ProgressFn
from hhir.types import AnnotationState, Clip, TranscriptSegment

SAMPLE_RATE = 16000
DEFAULT_ANNOTATOR = "imported"


def clip_paths(out: Path, video: VideoData, clip: Clip) -> tuple[Path, Path, Path]:
    """The ``.mp4``, ``.srt`` and ``.mp3`` paths of one clip."""
    rel = Path(video.name) / clip_window(clip.index) / clip_name(video.name, clip.index)
    return tuple(out / f"{kind}_{video.split}" / rel.with_suffix(ext) for kind, ext in
                 (("clip", ".mp4"), ("dialogue", ".srt"), ("audio", ".mp3")))  # type: ignore[return-value]


def clip_segments(clip: Clip, segments: tuple[TranscriptSegment, ...]) -> list[TranscriptSegment]:
    """Transcript segments overlapping ``clip``, in clip-relative time, clamped to the clip."""
    length = clip.end_s - clip.start_s
    return [
        TranscriptSegment(max(s.start_s - clip.start_s, 0.0), min(s.end_s - clip.start_s, length), s.text)
        for s in sorted(segments, key=lambda s: s.start_s)
        if s.start_s < clip.end_s and s.end_s > clip.start_s
    ]


def label_rows(video: VideoData) -> list[tuple[str, str]]:
    """``(Clip, Interaction)`` rows of one scene, in clip order."""
    present = {(a.target.clip_id, a.label) for a in video.annotations if a.state is AnnotationState.PRESENT}
    return [(clip_name(video.name, c.index), label) for c in video.clips for label in sorted({l for cid, l in present if cid == c.id})]


def export_seed(data: ExportData, out: Path, progress: ProgressFn, cancel: CancelToken) -> tuple[list[Path], int]:
    """Write the layout; returns the files written and the number of label rows."""
    missing = [v.video.path for v in data.videos if not Path(v.video.path).is_file()]
    if missing:
        raise HHIRError(f"{missing[0]}: the original video is missing, so its clips cannot be cut")
    total = max(sum(len(v.clips) for v in data.videos), 1)
    files: list[Path] = []
    rows = done = 0
    for video in data.videos:
        for path in _video_files(out, video, cancel):
            files.append(path)
            if path.suffix == ".mp3":
                done += 1
                progress(done / total, f"{video.name}: clip {done} of {total}")
        table = label_rows(video)
        files.append(write_text(out / f"{video.split}_labels" / f"{video.name}.csv", _csv(table)))
        rows += len(table)
    return files, rows


def _video_files(out: Path, video: VideoData, cancel: CancelToken) -> Iterator[Path]:
    from hhir.media.audio import extract_audio
    from hhir.media.ffmpeg import cut_clip, to_mp3
    from hhir.speech.subtitles import to_srt

    audio = extract_audio(video.video.path, SAMPLE_RATE) if video.video.has_audio else np.zeros(0, np.float32)
    for clip in video.clips:
        cancel.check()
        mp4, srt, mp3 = clip_paths(out, video, clip)
        mp4.parent.mkdir(parents=True, exist_ok=True)
        yield cut_clip(video.video.path, clip.start_s, clip.end_s, mp4, cancel=cancel)
        yield write_text(srt, to_srt(clip_segments(clip, video.transcript)))
        with atomic_output(mp3) as tmp:
            to_mp3(_audio_slice(audio, clip), SAMPLE_RATE, tmp)
        yield mp3


def _audio_slice(audio: np.ndarray, clip: Clip) -> np.ndarray:
    start, end = round(clip.start_s * SAMPLE_RATE), round(clip.end_s * SAMPLE_RATE)
    part = audio[start:end]
    return np.pad(part, (0, max(end - start - len(part), 0)))  # silence where the audio ran out


def _csv(rows: list[tuple[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Clip", "Interaction"])
    writer.writerows(rows)
    return buffer.getvalue()


def label_files(root: Path) -> list[Path]:
    """Every ``.csv`` under ``root`` (or ``root`` itself), without following links out of it."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise ImportFormatError(f"{root}: no such file or folder")
    found = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if name.lower().endswith(".csv") and not path.is_symlink():
                found.append(safe_join(root, str(path.relative_to(root))))
    return found


def parse_seed_labels(root: Path, annotator: str | None = None) -> ImportData:
    """Read the seed's label CSVs (``Clip, Interaction``) as present labels on matching clips."""
    files = label_files(root)
    if not files:
        raise ImportFormatError(f"{root}: no label CSV files found")
    records: list[LabelRecord] = []
    for path in files:
        records += _csv_records(path, annotator or DEFAULT_ANNOTATOR)
    return ImportData(labels=tuple(records))


def _csv_records(path: Path, annotator: str) -> list[LabelRecord]:
    reader = csv.reader(io.StringIO(read_import_text(path), newline=""))
    try:
        header = [c.strip() for c in next(reader, [])]
        if "Clip" not in header or "Interaction" not in header:
            raise ImportFormatError(f"{path}: line 1: expected columns Clip, Interaction, got {', '.join(header) or 'nothing'}")
        clip_col, label_col = header.index("Clip"), header.index("Interaction")
        records = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            where = f"{path}: line {reader.line_num}"
            if len(row) != len(header):
                raise ImportFormatError(f"{where}: {len(row)} fields, expected {len(header)}")
            parsed = parse_clip_name(row[clip_col].strip())
            if parsed is None:
                raise ImportFormatError(f"{where}: clip name {row[clip_col]!r} is not <scene>_clip<number>")
            ref = ClipRef(index=parsed[1])
            records.append(LabelRecord(VideoRef(name=parsed[0]), ref, row[label_col].strip(), AnnotationState.PRESENT, annotator, where))
        return records
    except csv.Error as exc:
        raise ImportFormatError(f"{path}: line {reader.line_num}: {exc}") from exc
