"""The ``ava-slowfast`` flavour: AVA files SlowFast's AVA loader (``slowfast/datasets/ava_helper.py``)
takes as they are, under the names of its default config.

SlowFast reads only AVA's keyframe seconds 902-1798 (``AVA_VALID_FRAMES``; any other second is a
``KeyError``) and finds a keyframe's frames at index ``(second - 900) * 30`` of the video's frame
list. So a video's seconds are moved into that window, and a video longer than the window's 897
seconds is cut into parts ``<scene>``, ``<scene>_part2``…, each its own AVA video::

    annotations/ava_train_v2.2.csv                 train split: video, second, box, action, person
    annotations/ava_val_v2.2.csv                   test split, the same (the evaluator's ground truth)
    annotations/ava_val_predicted_boxes.csv        test split boxes with score 1.0 (SlowFast tests on these)
    annotations/ava_val_excluded_timestamps_v2.2.csv   empty
    annotations/ava_action_list_v2.2_for_activitynet_2019.pbtxt   the label map
    frame_lists/train.csv, frame_lists/val.csv     one row per frame at 30 fps

Our second ``s`` of part ``k`` is AVA second ``902 + s - 897 k``; frame-list row ``j`` of that part
is the frame shown at ``897 k - 2 + j / 30`` s on the stream's own clock, i.e. the JPEG
``<scene>/<scene>_<n>.jpg`` with ``n = 1 + floor(30 t)`` (the first frame before the video
starts, the last after it ends) that this FFmpeg command writes from the original video::

    ffmpeg -i VIDEO -vf fps=30:start_time=0 -q:v 1 FRAMES/<scene>/<scene>_%06d.jpg

The export's notes give that command per video. Boxes are the whole frame with person id 0, as in
``ava``.
"""

from __future__ import annotations

import csv
import io
import math
import shlex
from pathlib import Path

from hhir.exchange.ava import PERSON_ID, WHOLE_FRAME, label_map, label_rows
from hhir.exchange.model import ExportData, VideoData
from hhir.exchange.safety import write_text

FRAME_RATE = 30  # SlowFast's ava_helper.FPS
FIRST_SECOND, LAST_SECOND = 902, 1798  # SlowFast's AVA_VALID_FRAMES
WINDOW = LAST_SECOND - FIRST_SECOND + 1  # seconds of one part
LEAD = FIRST_SECOND - 900  # seconds of the frame list before the first keyframe
FRAME_LIST_HEADER = "original_vido_id video_id frame_id path labels"  # AVA's own spelling
SPLIT_FILES = {"train": "train", "test": "val"}


def part_name(name: str, part: int) -> str:
    return name if part == 0 else f"{name}_part{part + 1}"


def ava_second(second: int) -> tuple[int, int]:
    """``(part, AVA second)`` of our keyframe second."""
    part = second // WINDOW
    return part, FIRST_SECOND + second - part * WINDOW


def frame_file(name: str, number: int) -> str:
    return f"{name}/{name}_{number:06d}.jpg"


def _end(video: VideoData) -> float:
    """Where the video ends on the stream's own clock (a late start ends it later than its duration)."""
    return max(video.video.duration_s, video.clock.end_s if video.clock is not None else 0.0)


def _parts(video: VideoData) -> int:
    return max(math.ceil(_end(video) / WINDOW), 1)


def frame_list_rows(video: VideoData, first_index: int) -> list[str]:
    """The frame-list rows of every part of ``video``; parts are numbered from ``first_index``."""
    duration = _end(video)
    last = max(math.floor(duration * FRAME_RATE), 1)  # the frames fps=30 writes for [0, duration)
    rows = []
    for part in range(_parts(video)):
        start = part * WINDOW - LEAD
        stop = min(duration, (part + 1) * WINDOW + 1)
        name = part_name(video.name, part)
        for j in range(math.ceil((stop - start) * FRAME_RATE)):
            number = min(max(math.floor((start * FRAME_RATE + j) + 1e-6), 0), last - 1) + 1
            rows.append(f'{name} {first_index + part} {j} {frame_file(video.name, number)} ""')
    return rows


def _csv(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def export_ava_slowfast(data: ExportData, out: Path) -> tuple[list[Path], int, list[str]]:
    """Write the files above; returns them, the label row count and notes (the frame commands)."""
    ids = {n: i for i, n in enumerate(data.label_names, start=1)}
    boxes: dict[str, list[list[object]]] = {"train": [], "test": []}
    predicted: list[list[object]] = []
    frames: dict[str, list[str]] = {"train": [], "test": []}
    for video in data.videos:
        split = "test" if video.split == "test" else "train"
        rows = sorted((*ava_second(second), action) for second, action in label_rows(video, ids))
        boxes[split] += [[part_name(video.name, part), sec, *WHOLE_FRAME, action, PERSON_ID] for part, sec, action in rows]
        if split == "test":
            predicted += [[part_name(video.name, part), sec, *WHOLE_FRAME, "", "1.0"]
                          for part, sec in sorted({(part, sec) for part, sec, _ in rows})]
        frames[split] += frame_list_rows(video, sum(1 for line in frames[split] if line.split(" ")[2] == "0"))
    ann, lists = out / "annotations", out / "frame_lists"
    files = [
        write_text(ann / "ava_train_v2.2.csv", _csv(boxes["train"])),
        write_text(ann / "ava_val_v2.2.csv", _csv(boxes["test"])),
        write_text(ann / "ava_val_predicted_boxes.csv", _csv(predicted)),
        write_text(ann / "ava_val_excluded_timestamps_v2.2.csv", ""),
        write_text(ann / "ava_action_list_v2.2_for_activitynet_2019.pbtxt", label_map(data.label_names)),
        *(write_text(lists / f"{SPLIT_FILES[s]}.csv", "\n".join([FRAME_LIST_HEADER, *frames[s]]) + "\n") for s in ("train", "test")),
    ]
    notes = [f"frames for SlowFast: ffmpeg -i {shlex.quote(video.video.path)} -vf fps=30:start_time=0 -q:v 1 "
             f"FRAMES/{video.name}/{video.name}_%06d.jpg" for video in data.videos]
    long = [v.name for v in data.videos if _parts(v) > 1]
    if long:
        notes.append(f"{', '.join(long)}: longer than SlowFast's {WINDOW} s AVA window, so cut into parts <scene>_part2, …")
    return files, sum(len(b) for b in boxes.values()), notes
