"""Shots as PySceneDetect's scene-list CSV (what ``scenedetect list-scenes`` writes).

Line 1 is ``Timecode List:`` followed by the cut timecodes; line 2 the header; then one row per
shot. PySceneDetect numbers frames from 1 in ``Start Frame`` and writes the exclusive 0-based
end as ``End Frame``, so our ``[start_frame, end_frame)`` is ``Start Frame - 1`` .. ``End Frame``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hhir.errors import ImportFormatError
from hhir.exchange.model import ExportData, ImportData, VideoData, VideoRef
from hhir.exchange.safety import read_import_text, write_text
from hhir.types import Shot

HEADER = (
    "Scene Number", "Start Frame", "Start Timecode", "Start Time (seconds)", "End Frame", "End Timecode",
    "End Time (seconds)", "Length (frames)", "Length (timecode)", "Length (seconds)",
)


def timecode(seconds: float) -> str:
    """``HH:MM:SS.nnn`` as PySceneDetect writes it."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def scene_list_csv(shots: tuple[Shot, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Timecode List:", *(timecode(s.start_s) for s in shots[1:])])
    writer.writerow(HEADER)
    for number, s in enumerate(shots, start=1):
        writer.writerow([
            number, s.start_frame + 1, timecode(s.start_s), f"{s.start_s:.3f}", s.end_frame, timecode(s.end_s),
            f"{s.end_s:.3f}", s.end_frame - s.start_frame, timecode(s.end_s - s.start_s), f"{s.end_s - s.start_s:.3f}",
        ])
    return out.getvalue()


def export_scenes(data: ExportData, out: Path) -> list[Path]:
    """``<scene>-Scenes.csv`` per video (PySceneDetect's own file name pattern)."""
    return [write_text(out / f"{v.name}-Scenes.csv", scene_list_csv(v.shots)) for v in data.videos if v.shots]


def parse_scene_list(path: Path, video: VideoRef | None = None) -> ImportData:
    """Shots from a scene-list CSV; times come from the frame numbers once the video is known."""
    reader = csv.reader(io.StringIO(read_import_text(path), newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:  # e.g. a field over csv's size limit
        raise ImportFormatError(f"{path}: line {reader.line_num}: {exc}") from None
    start = 1 if rows and rows[0] and rows[0][0].strip() != HEADER[0] else 0
    if len(rows) <= start or tuple(c.strip() for c in rows[start][:5]) != HEADER[:5]:
        raise ImportFormatError(f"{path}: line {start + 1}: expected the header {', '.join(HEADER[:5])}, …")
    shots = [_shot(path, start + 2 + i, row, i) for i, row in enumerate(r for r in rows[start + 1:] if r)]
    for prev, cur in zip(shots, shots[1:]):
        if cur.start_frame < prev.end_frame:
            raise ImportFormatError(f"{path}: scene {cur.index + 1} starts before scene {prev.index} ends")
    ref = video or VideoRef(name=path.name.removesuffix(".csv").removesuffix("-Scenes"))
    return ImportData(shots=((ref, tuple(shots)),))


def _shot(path: Path, line: int, row: list[str], index: int) -> Shot:
    try:
        first, end = int(row[1]), int(row[4])
        start_s, end_s = float(row[3]), float(row[6])
    except (IndexError, ValueError):
        raise ImportFormatError(f"{path}: line {line}: expected frame numbers and seconds") from None
    if first < 1 or end < first:
        raise ImportFormatError(f"{path}: line {line}: bad frame range {first}..{end}")
    return Shot(index=index, start_frame=first - 1, end_frame=end, start_s=start_s, end_s=end_s)
