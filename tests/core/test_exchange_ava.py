"""AVA export read the way SlowFast's ava_helper and AVA's own evaluation read their files."""

from __future__ import annotations

from pathlib import Path

import pytest

from hhir.exchange import ExportOptions, export
from hhir.types import AnnotationState, Target
from test_exchange_helpers import make_project


def read_boxes_and_labels(path: Path) -> dict[str, dict[int, list[tuple[list[float], list[int], int]]]]:
    """What slowfast.datasets.ava_helper.load_boxes_and_labels does with a CSV, row by row."""
    boxes: dict[str, dict[int, dict[str, tuple[list[float], list[int], int]]]] = {}
    for line in path.read_text().splitlines():
        row = line.strip().split(",")
        assert len(row) in (7, 8)
        video_name, frame_sec = row[0], int(row[1])
        box_key = ",".join(row[2:6])
        box = list(map(float, row[2:6]))
        label = -1 if row[6] == "" else int(row[6])
        person = int(row[7])
        entry = boxes.setdefault(video_name, {}).setdefault(frame_sec, {}).setdefault(box_key, (box, [], person))
        if label != -1:
            entry[1].append(label)
    return {v: {sec: list(by_box.values()) for sec, by_box in secs.items()} for v, secs in boxes.items()}


def read_labelmap(path: Path) -> list[dict]:
    """What slowfast.utils.ava_eval_helper.read_labelmap does with a label map."""
    labelmap, name = [], ""
    for line in path.read_text().splitlines(keepends=True):
        if line.startswith("  name:"):
            name = line.split('"')[1]
        elif line.startswith(("  id:", "  label_id:")):
            labelmap.append({"id": int(line.strip().split(" ")[-1]), "name": name})
    return labelmap


def test_ava_rows_are_whole_seconds_per_box(tmp_path: Path) -> None:
    store, (video, other) = make_project(tmp_path / "p.sqlite")
    clips = store.clips(video.id)  # 4.8 s clips every 1.6 s
    store.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.PRESENT, "alice")
    store.annotate(Target(video.id, clips[1].id), "asks", AnnotationState.PRESENT, "bob")  # overlaps clip 0
    store.annotate(Target(video.id, clips[1].id), "watches", AnnotationState.PRESENT, "bob")
    store.annotate(Target(other.id, store.clips(other.id)[0].id), "yells at", AnnotationState.ABSENT, "bob")  # no row
    store.annotate(Target(video.id), "talks to", AnnotationState.PRESENT, "bob")  # whole video: no box row
    report = export(store, "ava", tmp_path / "ava", ExportOptions())
    boxes = read_boxes_and_labels(tmp_path / "ava" / "ava.csv")
    names = {e["id"]: e["name"] for e in read_labelmap(tmp_path / "ava" / "label_map.pbtxt")}
    assert names == dict(enumerate((label.name for label in store.labels()), start=1))
    seen = {sec: sorted(names[label] for _, labels, _ in entries for label in labels) for sec, entries in boxes["scene_0"].items()}
    # clip 0 covers 0-4.8 s (seconds 0..4), clip 1 covers 1.6-6.4 s (seconds 2..6)
    assert seen == {0: ["asks"], 1: ["asks"], 2: ["asks", "watches"], 3: ["asks", "watches"], 4: ["asks", "watches"],
                    5: ["asks", "watches"], 6: ["asks", "watches"]}
    assert all(len(entries) == 1 and entries[0][0] == [0.0, 0.0, 1.0, 1.0] and entries[0][2] >= 0
               for entries in boxes["scene_0"].values())
    assert report.rows == sum(len(v) for v in seen.values()) == 12
    assert "label_type: PERSON_INTERACTION" in (tmp_path / "ava" / "label_map.pbtxt").read_text()
    store.close()


@pytest.mark.parametrize("start, end, expected", [(0.3, 0.8, [1]), (1.0, 2.0, [1]), (1.2, 3.0, [2]), (0.0, 0.4, [0])])
def test_keyframes_of_short_and_aligned_clips(start: float, end: float, expected: list[int]) -> None:
    from hhir.exchange.ava import keyframes
    from hhir.types import Clip

    assert list(keyframes(Clip(0, 0, 0, start, end, 0, 1))) == expected
