"""The bundled ffmpeg: exact clip cuts, mp3 export, argument-list safety and cancel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hhir.errors import MediaError
from hhir.jobs import CancelToken, Cancelled
from hhir.media.audio import extract_audio
from hhir.media.ffmpeg import cut_clip, run_ffmpeg, to_mp3
from hhir.media.frames import sample_frames
from hhir.media.probe import probe
from media_factory import make_video, read_frame_code


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("ff") / "-coded video.mp4", [(150, "code")])


@pytest.mark.parametrize("start, end", [(37, 88), (0, 25), (101, 150)])
def test_cut_clip_is_frame_exact(coded: Path, tmp_path: Path, start: int, end: int) -> None:
    out = cut_clip(coded, start / 25, end / 25, tmp_path / "-clip out.mp4")
    info = probe(out)
    assert info.frame_count == end - start
    assert info.has_audio
    (_, frames), = sample_frames(out, [(0, info.frame_count)], 2, size=64)
    assert [read_frame_code(f) for f in frames] == [start, end - 1]
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]


def test_cut_clip_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_text("text")
    with pytest.raises(MediaError) as caught:
        cut_clip(bad, 0.0, 1.0, tmp_path / "out.mp4")
    assert "bad.mp4" in str(caught.value) and "ffmpeg failed" in str(caught.value)
    assert not (tmp_path / "out.mp4").exists()
    with pytest.raises(ValueError):
        cut_clip(bad, 1.0, 1.0, tmp_path / "out.mp4")


def test_to_mp3_round_trip(tmp_path: Path) -> None:
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(16000 * 2) / 16000)).astype(np.float32)
    out = to_mp3(tone, 16000, tmp_path / "-tone.mp3")
    back = extract_audio(out)
    assert len(back) == pytest.approx(len(tone), abs=1200)
    spectrum = np.abs(np.fft.rfft(back[4000:12000]))
    assert np.fft.rfftfreq(8000, 1 / 16000)[spectrum.argmax()] == pytest.approx(440, abs=5)


def test_cancel_kills_ffmpeg(tmp_path: Path) -> None:
    token = CancelToken()
    token.cancel()
    # An endless synthetic source: only cancel can end it.
    with pytest.raises(Cancelled):
        run_ffmpeg(["-f", "lavfi", "-i", "anullsrc", "-f", "null", "-"], cancel=token)


def test_timeout(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="longer than"):
        run_ffmpeg(["-re", "-f", "lavfi", "-i", "anullsrc", "-f", "null", "-"], timeout=0.3)


def _codes(path: Path) -> list[int]:
    import av

    with av.open(str(path)) as container:
        return [read_frame_code(f.to_ndarray(format="rgb24")) for f in container.decode(container.streams.video[0])]


LATE = [0.036 + i / 25 for i in range(120)]  # the video stream starts 36 ms after the audio
_GAPS = np.random.default_rng(3).choice([0.02, 0.04, 0.08, 0.03], 119)
VARIABLE = list(0.036 + np.concatenate([[0.0], np.cumsum(_GAPS)]))


@pytest.mark.parametrize("times, bframes", [(LATE, 2), (LATE, 0), (VARIABLE, 3)], ids=["late-start", "late-no-b", "vfr"])
def test_exported_clip_frame_k_is_source_frame_start_plus_k(tmp_path: Path, times, bframes) -> None:
    """Cuts at frame-clock seconds (frame / fps, what clips store) hold exactly those decoded frames."""
    from media_factory import make_timed_video

    src = make_timed_video(tmp_path / "timed.mp4", times, bframes=bframes)
    fps = probe(src).fps
    assert _codes(src) == list(range(120))
    for start, end in ((0, 33), (33, 71), (71, 120)):
        out = cut_clip(src, start / fps, end / fps, tmp_path / f"clip {start}.mp4")
        assert _codes(out) == list(range(start, end)), (start, end)
