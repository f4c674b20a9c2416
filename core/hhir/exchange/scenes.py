"""Shots as PySceneDetect's scene-list CSV, written by PySceneDetect's own ``write_scene_list``.

Line 1 is ``Timecode List:`` followed by the cut timecodes; line 2 the header; then one row per
shot. PySceneDetect numbers frames from 1 in ``Start Frame`` and writes the exclusive 0-based
end as ``End Frame``, so our ``[start_frame, end_frame)`` is ``Start Frame - 1`` .. ``End Frame``.
Times are frame numbers at the video's frame rate, as PySceneDetect computes them.

The last shot ends at the video's decoded frame count, the one truth on frame numbers here:
``scenedetect load-scenes`` reads only the starts and ends the last scene where it estimates the
end of the video, which can be one frame past the last decoded frame (a length from the duration).
An imported last scene ending within one frame past the decoded count is read as ending there, so
a list PySceneDetect wrote and ours import alike. Times are presentation times on the stream's own
clock (:mod:`hhir.exchange.clock`); an import reads only the frame numbers.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from hhir.errors import ImportFormatError
from hhir.exchange.clock import frame_span
from hhir.exchange.model import ExportData, ImportData, VideoData, VideoRef
from hhir.exchange.safety import read_import_text, write_text
from hhir.types import Shot

if TYPE_CHECKING:
    from hhir.media.timebase import TimeBase

log = logging.getLogger(__name__)

HEADER = (
    "Scene Number", "Start Frame", "Start Timecode", "Start Time (seconds)", "End Frame", "End Timecode",
    "End Time (seconds)", "Length (frames)", "Length (timecode)", "Length (seconds)",
)


def _timecode(seconds: float) -> str:
    """``HH:MM:SS.mmm`` as PySceneDetect writes it."""
    ms = round(max(seconds, 0.0) * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def scene_list_csv(shots: tuple[Shot, ...], fps: float, end_frame: int | None = None, clock: TimeBase | None = None) -> str:
    """The scene list of ``shots``; ``end_frame`` replaces the last shot's end.

    PySceneDetect's writer lays the file out (frame columns, header, cut list); the time columns are
    then replaced by the frames' presentation times on ``clock`` (the stream's own clock), which
    PySceneDetect's ``frame / fps`` is not for a late-starting or variable-rate stream.
    """
    from scenedetect import FrameTimecode
    from scenedetect.output import write_scene_list

    ends = [s.end_frame for s in shots]
    if end_frame is not None and shots and end_frame > shots[-1].start_frame:
        ends[-1] = end_frame
    scenes = [(FrameTimecode(s.start_frame, fps), FrameTimecode(end, fps)) for s, end in zip(shots, ends)]
    out = io.StringIO()
    # The cut list passed as the CLI passes it: without it the writer drops the "Timecode List:" cell.
    write_scene_list(out, scenes, include_cut_list=True, cut_list=[start for start, _ in scenes[1:]])
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    spans = [frame_span(clock, s.start_frame, end, fps) for s, end in zip(shots, ends)]
    rows[0][1:] = [_timecode(start) for start, _ in spans[1:]]
    for row, (start, end) in zip((r for r in rows[2:] if r), spans):
        row[2], row[3], row[5], row[6] = _timecode(start), f"{start:.3f}", _timecode(end), f"{end:.3f}"
        row[8], row[9] = _timecode(end - start), f"{end - start:.3f}"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue()


def export_scenes(data: ExportData, out: Path) -> list[Path]:
    """``<scene>-Scenes.csv`` per video (PySceneDetect's own file name pattern)."""
    return [_write(v, out) for v in data.videos if v.shots]


def _write(video: VideoData, out: Path) -> Path:
    fps = video.video.fps or 25.0
    text = scene_list_csv(video.shots, fps, video.video.frame_count or None, video.clock)
    return write_text(out / f"{video.name}-Scenes.csv", text)


def parse_scene_list(path: Path, video: VideoRef | None = None) -> ImportData:
    """Shots from a scene-list CSV; times come from the frame numbers once the video is known."""
    # Read by hand: PySceneDetect reads scene lists only inside its CLI (a private function that
    # needs the video open), and an import error must name the file and line.
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
