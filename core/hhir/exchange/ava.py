"""AVA v2-style action CSV with its label map.

``ava.csv`` rows: ``video_id, middle_frame_timestamp, x1, y1, x2, y2, action_id, person_id``, as
AVA's keyframes are: one row per whole second (written ``0007``, as AVA does) inside a clip with
a present label, per box and label. We have no person boxes, so the one box is the whole frame
(0, 0, 1, 1, normalised as in AVA) with ``person_id`` 0. A second that several overlapping clips
cover gets its label once; a clip too short to hold a whole second goes to the second nearest
its middle. Seconds are on the stream's own clock, as a player seeks. ``label_map.pbtxt`` is in the form of AVA's ``ava_action_list`` (ids from 1,
``label_type: PERSON_INTERACTION``).

These are the video's own seconds (0 on). SlowFast's AVA loader accepts only AVA's keyframe seconds
902-1798 and reads frames through frame lists: the ``ava-slowfast`` flavour
(:mod:`hhir.exchange.ava_slowfast`) writes both as it needs them.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from hhir.exchange.model import ExportData, VideoData
from hhir.exchange.safety import write_text
from hhir.types import AnnotationState, Clip

WHOLE_FRAME = ("0.000", "0.000", "1.000", "1.000")
PERSON_ID = 0


def label_map(labels: tuple[str, ...]) -> str:
    """AVA's ``ava_action_list`` protobuf text (a JSON string is a valid protobuf-text string).

    Written by hand: AVA ships no schema for the file to hand to protobuf's text_format, and its
    readers (SlowFast's ``read_labelmap``) go line by line, so the layout itself is the contract.
    """
    return "".join(f"label {{\n  name: {json.dumps(n)}\n  label_id: {i}\n  label_type: PERSON_INTERACTION\n}}\n"
                   for i, n in enumerate(labels, start=1))


def keyframes(clip: Clip, span: tuple[float, float] | None = None) -> range:
    """The whole seconds an AVA reader sees the clip at; ``span`` is the clip on the stream's own
    clock (:meth:`VideoData.span`), else its frame-clock seconds."""
    start, end = span or (clip.start_s, clip.end_s)
    seconds = range(math.ceil(start), math.ceil(end))
    if not seconds:
        middle = round((start + end) / 2)
        seconds = range(middle, middle + 1)
    return seconds


def label_rows(video: VideoData, ids: dict[str, int]) -> set[tuple[int, int]]:
    """``(keyframe second, action id)`` of one video: one per second and present label, whichever
    annotators agree on it."""
    clips = {c.id: c for c in video.clips}
    rows: set[tuple[int, int]] = set()
    for a in video.annotations:
        clip = clips.get(a.target.clip_id) if a.target.clip_id is not None else None
        if clip is None or a.state is not AnnotationState.PRESENT or a.label not in ids:
            continue
        rows.update((second, ids[a.label]) for second in keyframes(clip, video.span(clip)))
    return rows


def export_ava(data: ExportData, out: Path) -> tuple[list[Path], int]:
    """Write ``ava.csv`` and ``label_map.pbtxt``; returns the files and the row count."""
    ids = {n: i for i, n in enumerate(data.label_names, start=1)}
    rows = {(video.name, second, action) for video in data.videos for second, action in label_rows(video, ids)}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for name, second, action in sorted(rows):
        writer.writerow([name, f"{second:04d}", *WHOLE_FRAME, action, PERSON_ID])
    files = [write_text(out / "ava.csv", buffer.getvalue()), write_text(out / "label_map.pbtxt", label_map(data.label_names))]
    return files, len(rows)
