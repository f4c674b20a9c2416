"""AVA-style action CSV with a label map.

``ava.csv`` rows: ``video_id, middle_frame_timestamp, x1, y1, x2, y2, action_id, person_id``,
one per clip and present label. We have no person boxes, so the box is the whole frame
(0, 0, 1, 1, normalised as in AVA) and ``person_id`` is -1; the timestamp is the middle of the
clip in seconds. ``label_map.pbtxt`` numbers the label set from 1 as AVA does.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hhir.exchange.model import ExportData
from hhir.exchange.safety import write_text
from hhir.types import AnnotationState


def label_map(labels: tuple[str, ...]) -> str:
    """AVA's protobuf-text label map."""
    return "".join(f"label {{\n  name: {json.dumps(n)}\n  label_id: {i}\n}}\n" for i, n in enumerate(labels, start=1))


def export_ava(data: ExportData, out: Path) -> tuple[list[Path], int]:
    """Write ``ava.csv`` and ``label_map.pbtxt``; returns the files and the row count."""
    ids = {n: i for i, n in enumerate(data.label_names, start=1)}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    seen: set[tuple[int, int, str]] = set()
    for video in data.videos:
        clips = {c.id: c for c in video.clips}
        for a in video.annotations:
            clip = clips.get(a.target.clip_id) if a.target.clip_id is not None else None
            key = (video.video.id, a.target.clip_id or 0, a.label)
            if clip is None or a.state is not AnnotationState.PRESENT or a.label not in ids or key in seen:
                continue  # one row per clip and label, whichever annotators agree on it
            seen.add(key)
            middle = (clip.start_s + clip.end_s) / 2
            writer.writerow([video.name, f"{middle:.3f}", "0.000", "0.000", "1.000", "1.000", ids[a.label], -1])
    files = [write_text(out / "ava.csv", buffer.getvalue()), write_text(out / "label_map.pbtxt", label_map(data.label_names))]
    return files, len(seen)
