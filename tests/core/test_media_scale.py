"""Shrinking decoded frames to analysis size: the plane path agrees with the exact, slow way."""

from __future__ import annotations

import av
import numpy as np
import pytest

from hhir.media.scale import shrink, to_bgr
from media_factory import make_video


def _decoded(path, count: int = 12) -> list:
    with av.open(str(path)) as container:
        frames = []
        for frame in container.decode(video=0):
            frames.append(frame)
            if len(frames) == count:
                return frames
    return frames


def _full_size_then_area(frame, width: int, height: int) -> np.ndarray:
    """The slow exact way: the whole frame to BGR, then one area-average step."""
    import cv2

    return cv2.resize(frame.to_ndarray(format="bgr24"), (width, height), interpolation=cv2.INTER_AREA)


def _ffmpeg_area(frame, width: int, height: int) -> np.ndarray:
    return frame.reformat(width=width, height=height, format="bgr24", interpolation="AREA").to_ndarray()


@pytest.mark.parametrize("size, target", [((640, 360), (128, 128)), ((640, 360), (256, 144)), ((330, 250), (96, 64))])
def test_decoded_frames_match_full_size_area_scaling(tmp_path, size, target):
    path = make_video(tmp_path / "v.mp4", [(6, "red"), (6, "blue")], size=size, audio=False)
    frames = _decoded(path)
    assert frames and frames[0].format.name == "yuv420p"
    for frame in frames:
        ours, reference = to_bgr(frame, *target), _full_size_then_area(frame, *target)
        assert ours.shape == (target[1], target[0], 3) and ours.dtype == np.uint8
        diff = np.abs(ours.astype(int) - reference)
        # hard-edged stripes, the worst case for a two-step average: a few levels of 255 on average
        assert diff.mean() < 3.5, diff.mean()
        assert np.percentile(diff, 99) <= 20


def test_colours_survive_the_plane_path():
    rgb = np.zeros((240, 320, 3), np.uint8)
    rgb[:, :160] = (200, 30, 30)   # red left half
    rgb[:, 160:] = (20, 40, 220)   # blue right half
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    bgr = to_bgr(frame, 32, 24)
    left, right = bgr[:, :12].reshape(-1, 3).mean(0), bgr[:, -12:].reshape(-1, 3).mean(0)
    assert np.allclose(left, (30, 30, 200), atol=6), left     # BGR order
    assert np.allclose(right, (220, 40, 20), atol=6), right


@pytest.mark.parametrize("fmt", ["yuvj420p", "rgb24", "yuv444p"])
def test_other_pixel_formats_take_ffmpegs_scaler(fmt):
    rgb = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format=fmt)
    assert np.array_equal(to_bgr(frame, 64, 48), _ffmpeg_area(frame, 64, 48))


def test_odd_sizes_and_enlarging_take_ffmpegs_scaler():
    rgb = np.random.default_rng(1).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    assert np.array_equal(to_bgr(frame, 63, 47), _ffmpeg_area(frame, 63, 47))
    assert to_bgr(frame, 320, 240).shape == (240, 320, 3)


def test_shrink_averages_areas():
    image = np.arange(20 * 30, dtype=np.float32).reshape(20, 30)
    small = shrink(image, 10, 5)                       # whole factor 3 × 4
    assert small.shape == (5, 10)
    assert small[0, 0] == pytest.approx(image[:4, :3].mean())
    assert shrink(image, 30, 20) is image              # already the size
    odd = shrink(np.ones((721, 1281), np.uint8) * 7, 128, 128)  # factor 5 then the rest
    assert odd.shape == (128, 128) and (odd == 7).all()
