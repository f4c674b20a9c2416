"""Shot detection finds the cuts that were encoded, and shot edits keep the shots tiling the video."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hhir.errors import MediaError
from hhir.jobs import CancelToken, Cancelled
from hhir.media.probe import probe
from hhir.segment.shots import (detect_shots, merge_shots, move_boundary, shots_from_cuts, split_shot,
                                validate_shots)
from media_factory import cut_frames, make_video

SHOTS = [(60, "red"), (45, "green"), (80, "blue"), (30, "yellow"), (70, "magenta")]


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("shots") / "five shots.mp4", SHOTS, audio=False)


@pytest.mark.parametrize("detector", ["adaptive", "content", "histogram"])
def test_known_cuts_found_within_one_frame(five: Path, detector: str) -> None:
    info = probe(five)
    shots = detect_shots(five, info, detector=detector)
    validate_shots(shots)
    starts = [s.start_frame for s in shots[1:]]
    assert len(starts) == len(cut_frames(SHOTS))
    for found, truth in zip(starts, cut_frames(SHOTS)):
        assert abs(found - truth) <= 1
    assert shots[-1].end_frame == info.frame_count == 285
    assert shots[2].start_s == pytest.approx(shots[2].start_frame / 25)


def test_no_cut_gives_one_shot(tmp_path: Path) -> None:
    path = make_video(tmp_path / "one.mp4", [(90, "cyan")], audio=False)
    shots = detect_shots(path, probe(path))
    assert [(s.start_frame, s.end_frame) for s in shots] == [(0, 90)]
    assert shots[0].end_s == pytest.approx(3.6)


def test_threshold_detector_only_sees_fades(five: Path) -> None:
    # Hard cuts between bright scenes are not fades to black: one shot.
    assert len(detect_shots(five, probe(five), detector="threshold")) == 1


def test_progress_and_explicit_downscale(five: Path) -> None:
    seen: list[float] = []
    shots = detect_shots(five, probe(five), downscale=2, progress=lambda f, m: seen.append(f))
    assert len(shots) == 5 and seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 3


def test_cancel_stops_and_joins(five: Path) -> None:
    token = CancelToken()

    def cancel_early(fraction: float, message: str) -> None:
        token.cancel()

    before = threading.active_count()
    with pytest.raises(Cancelled):
        detect_shots(five, probe(five), progress=cancel_early, cancel=token)
    assert threading.active_count() == before


def test_bad_detector_and_bad_file(five: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown shot detector"):
        detect_shots(five, probe(five), detector="magic")
    info = probe(five)
    bad = tmp_path / "bad.mp4"
    bad.write_text("x")
    with pytest.raises(MediaError, match="bad.mp4"):
        detect_shots(bad, info)


def _bounds(shots):
    return [(s.index, s.start_frame, s.end_frame) for s in shots]


def test_split_merge_move() -> None:
    shots = shots_from_cuts([10, 30], 50, 25.0)
    assert _bounds(shots) == [(0, 0, 10), (1, 10, 30), (2, 30, 50)]
    split = split_shot(shots, 20, 25.0)
    assert _bounds(split) == [(0, 0, 10), (1, 10, 20), (2, 20, 30), (3, 30, 50)]
    assert split[2].start_s == pytest.approx(0.8)
    merged = merge_shots(split, 1)
    assert _bounds(merged) == _bounds(shots) and merged == shots
    moved = move_boundary(shots, 2, 25, 25.0)
    assert _bounds(moved) == [(0, 0, 10), (1, 10, 25), (2, 25, 50)]
    assert moved[1].end_s == pytest.approx(1.0)
    for edited in (split, merged, moved):
        validate_shots(edited)
    assert _bounds(shots) == [(0, 0, 10), (1, 10, 30), (2, 30, 50)]  # inputs untouched


@pytest.mark.parametrize("edit", [
    lambda s: split_shot(s, 10, 25.0),      # already a boundary
    lambda s: split_shot(s, 50, 25.0),      # outside
    lambda s: merge_shots(s, 2),            # last shot has no successor
    lambda s: merge_shots(s, -1),
    lambda s: move_boundary(s, 0, 5, 25.0),  # first shot has no start boundary
    lambda s: move_boundary(s, 1, 0, 25.0),  # would empty shot 0
    lambda s: move_boundary(s, 2, 50, 25.0),  # would empty shot 2
])
def test_invalid_edits_are_refused(edit) -> None:
    with pytest.raises(ValueError):
        edit(shots_from_cuts([10, 30], 50, 25.0))


def test_validate_rejects_gaps() -> None:
    shots = shots_from_cuts([10], 20, 25.0)
    gap = [shots[0], shots[1].__class__(1, 11, 20, 0.44, 0.8)]
    with pytest.raises(ValueError, match="expected 10"):
        validate_shots(gap)
