"""Frame sampling: the right frames, in range order, from one decode pass."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hhir.errors import MediaError
from hhir.jobs import CancelToken, Cancelled
from hhir.media.frames import sample_frames
from media_factory import make_video, read_frame_code


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 frames, each showing its own index."""
    return make_video(tmp_path_factory.mktemp("frames") / "coded.mp4", [(120, "code")], audio=False)


def _codes(frames: np.ndarray) -> list[int]:
    return [read_frame_code(f) for f in frames]


def test_overlapping_ranges_get_their_linspace_frames(coded: Path) -> None:
    ranges = [(0, 40), (20, 80), (30, 31), (60, 120), (10, 100)]
    got = list(sample_frames(coded, ranges, n_frames=6, size=64))
    assert [i for i, _ in got] == list(range(len(ranges)))
    for (_, frames), (start, end) in zip(got, ranges):
        assert frames.shape == (6, 64, 64, 3) and frames.dtype == np.uint8
        assert _codes(frames) == np.linspace(start, end - 1, 6).astype(int).tolist()


def test_one_decode_pass(coded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import av

    opened = []
    real_open = av.open
    monkeypatch.setattr(av, "open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))
    list(sample_frames(coded, [(0, 50), (10, 60), (40, 120)], n_frames=4))
    assert len(opened) == 1  # one container, read front to back once


def test_ranges_complete_early_are_yielded_before_decoding_ends(coded: Path) -> None:
    seen = []
    for i, _frames in sample_frames(coded, [(0, 10), (100, 120)], 3, progress=lambda f, m: seen.append(f)):
        if i == 0:
            assert max(seen) < 0.5  # the first range came out long before the end of the video
    assert seen[-1] == 1.0


def test_bgr_order(tmp_path: Path) -> None:
    red = make_video(tmp_path / "red.mp4", [(10, (230, 20, 20))], audio=False)
    (_, frames), = sample_frames(red, [(0, 10)], 2, size=32)
    b, g, r = frames[0, 16, 16].astype(int)
    assert r > 150 and b < 100 and g < 100


def test_range_past_the_end_repeats_last_frame(coded: Path) -> None:
    (_, frames), = sample_frames(coded, [(110, 130)], 5)
    assert _codes(frames) == [110, 114, 119, 119, 119]


def test_bad_ranges_and_files(coded: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="range 1"):
        list(sample_frames(coded, [(0, 5), (5, 5)], 2))
    bad = tmp_path / "bad.mp4"
    bad.write_text("no video")
    with pytest.raises(MediaError, match="bad.mp4"):
        list(sample_frames(bad, [(0, 5)], 2))


def test_cancel(coded: Path) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        list(sample_frames(coded, [(0, 120)], 4, cancel=token))
