"""The starter's real-footage protocol: the dev set and the locked test set never share footage, and
the test set's files are frozen by their hashes."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import devset  # noqa: E402  (bench/ is not a package)


def _ranges(which: str) -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = {}
    for clip in devset.annotations(which):
        out.setdefault(clip["file"], []).append((clip["start_s"], clip["end_s"]))
    return out


def test_dev_and_test_sets_share_no_footage() -> None:
    dev, test = _ranges("dev"), _ranges("test")
    for name in set(dev) & set(test):  # one file may be split in time (vtest.avi), never overlapping
        assert max(b for _, b in dev[name]) <= min(a for a, _ in test[name]), name
    labels = {label["name"] for label in json.loads((ROOT / "resources/labels/default.json").read_text())["labels"]}
    for clip in devset.annotations("dev") + devset.annotations("test"):
        assert set(clip["labels"]) <= labels and clip["start_s"] < clip["end_s"]


def test_every_test_file_is_frozen_and_a_changed_one_is_refused(tmp_path: Path) -> None:
    files = json.loads(devset.TEST_FILE.read_text())["files"]
    assert set(files) == {clip["file"] for clip in devset.annotations("test")}
    assert all(len(info["sha256"]) == 64 for info in files.values())
    for name in files:
        (tmp_path / name).write_bytes(b"not the locked file")
    with pytest.raises(SystemExit, match="is not the locked test set's"):
        devset.check_locked(tmp_path)
    assert hashlib.sha256(b"not the locked file").hexdigest() not in {i["sha256"] for i in files.values()}


def test_an_unknown_set_is_refused() -> None:
    with pytest.raises(ValueError, match="dev or test"):
        devset.annotations("train")
