"""The hand-drawn people fixtures (bench/fixtures/people_*_boxes.json) and the scoring of bench/people_eval.py.

The fixtures are the ground truth of the detection and identity figures in docs/people.md: these
tests keep them well formed (every box inside its frame, ids parallel to boxes, calibration frames
apart from scored ones) and large enough for the issue's measure (200 frames, several scenes with two
or more people), and check the matching and purity rules the figures are computed with.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "bench" / "fixtures").glob("people_*_boxes.json"))
sys.path.insert(0, str(ROOT / "bench"))

import people_eval  # noqa: E402  (bench/ is not a package)


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def _inside(box: list[float], size: list[int]) -> bool:
    x0, y0, x1, y1 = box
    return 0 <= x0 < x1 <= size[0] and 0 <= y0 < y1 <= size[1]


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fixture_is_well_formed(path: Path) -> None:
    spec = _load(path)
    assert spec["how"].startswith("Drawn by hand before any detector ran")
    assert spec["video"].split()[0].rsplit(".", 1)[-1] in {"avi", "webm", "mp4", "mkv"}
    size = spec["frame_size"]
    for key, frame in spec["frames"].items():
        assert int(key) >= 0
        for name in ("people", "ignore", "faces"):
            for box in frame.get(name, []):
                assert _inside(box, size), (path.name, key, name, box)
        if "ids" in frame:
            assert len(frame["ids"]) == len(frame["people"]), (path.name, key)
        if "faces" in frame:
            assert len(frame["face_ids"]) == len(frame["faces"]), (path.name, key)
            assert set(frame["face_ids"]) - {None} <= set(frame.get("ids", [])), (path.name, key)  # a face belongs to a boxed person
        assert set(frame.get("from_behind", [])) <= set(frame.get("ids", [])), (path.name, key)
        ids = [i for i in frame.get("ids", []) if i is not None]
        assert len(ids) == len(set(ids)), (path.name, key)  # one person once per frame
    calibration = spec.get("calibration", {}).get("frames", {})
    assert not set(calibration) & set(spec["frames"])  # frames that set the detector's proportions are never scored


def test_fixtures_cover_the_issue_measure() -> None:
    """At least 200 scored frames from several real scenes, most with two or more people."""
    specs = [_load(p) for p in FIXTURES]
    frames = [f for s in specs for f in s["frames"].values()]
    assert len(frames) >= 200
    assert len({s["video"].split()[0] for s in specs}) >= 3
    assert sum(len(f["people"]) >= 2 for f in frames) >= 150
    people = [{i for f in s["frames"].values() for i in f.get("ids", []) if i is not None} for s in specs]
    assert sum(len(p) >= 2 for p in people) >= 2  # identity is measured on at least two scenes of two people or more


def test_match_is_one_to_one_best_first_and_ignores_ignore_regions() -> None:
    truth = [[0, 0, 10, 20], [8, 0, 18, 20]]
    found = [(1.0, 0.0, 11.0, 20.0), (0.0, 0.0, 10.0, 20.0), (50.0, 50.0, 60.0, 70.0), (100.0, 0.0, 110.0, 20.0)]
    ignore = [[99, 0, 111, 21]]
    # the exact box takes the first person; the near copy cannot take it twice and is too far from the second
    assert people_eval.pairs(found, truth, 0.5) == [(1, 0)]
    tp, fp, missed = people_eval.match(found, truth, ignore, 0.5)
    assert (tp, fp, missed) == (1, 2, 1)  # the box in the ignore region counts neither way
    assert people_eval.match(found, truth, [], 0.5) == (1, 3, 1)
    assert people_eval.match([], truth, ignore, 0.3) == (0, 0, 2)


def test_people_seen_from_behind_become_ignore_regions() -> None:
    frame = {"people": [[0, 0, 10, 10], [20, 0, 30, 10]], "ids": ["a", "b"], "ignore": [[50, 50, 60, 60]], "from_behind": ["b"]}
    kept, ignore = people_eval._split_behind(frame)
    assert kept == [[0, 0, 10, 10]]
    assert ignore == [[50, 50, 60, 60], [20, 0, 30, 10]]


def test_purity_and_inverse_purity() -> None:
    # character 1 holds four boxes of "a" and one of "b"; "a" is also split into character 2
    matched = [("1", "a")] * 4 + [("1", "b"), ("2", "a"), ("2", "a"), ("3", "b")]
    purity, inverse, by_person = people_eval.purities(matched)
    assert purity == pytest.approx((4 + 2 + 1) / 8)
    assert inverse == pytest.approx((4 + 1) / 8)
    assert by_person["a"] == Counter({"1": 4, "2": 2})
    assert people_eval.purities([("1", "a"), ("2", "b")])[:2] == (1.0, 1.0)
    assert people_eval.purities([]) == (0.0, 0.0, {})
