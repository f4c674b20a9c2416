"""Audio extraction: one waveform per video, aligned with the frames, tolerant of damaged packets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hhir.errors import MediaError
from hhir.media.audio import audio_slice, extract_audio
from media_factory import make_audio_only, make_video, speak


def _loud(audio: np.ndarray, rate: int, window_s: float = 0.05) -> np.ndarray:
    """Start times (s) of windows well above the background noise."""
    n = int(window_s * rate)
    rms = np.sqrt((audio[: len(audio) // n * n].reshape(-1, n) ** 2).mean(axis=1))
    return np.flatnonzero(rms > 0.02) * window_s


@pytest.mark.parametrize("rate", [16000, 44100])
def test_length_rate_and_speech_position(tmp_path: Path, rate: int) -> None:
    path = make_video(tmp_path / "talk.mp4", [(100, None)], fps=25, speech=[(1.5, "hello there")],
                      sample_rate=rate)
    for out_rate in (16000, 22050):
        audio = extract_audio(path, sample_rate=out_rate)
        assert audio.dtype == np.float32 and audio.ndim == 1
        assert len(audio) / out_rate == pytest.approx(4.0, abs=0.08)
        loud = _loud(audio, out_rate)
        speech_s = len(speak("hello there")) / 16000
        assert loud.min() == pytest.approx(1.5, abs=0.25)  # espeak starts with a short lead-in
        assert loud.max() <= 1.5 + speech_s


def test_no_audio_stream_gives_empty(tmp_path: Path) -> None:
    audio = extract_audio(make_video(tmp_path / "mute.mp4", [(10, None)], audio=False))
    assert audio.shape == (0,) and audio.dtype == np.float32


def test_audio_only_file(tmp_path: Path) -> None:
    audio = extract_audio(make_audio_only(tmp_path / "a.wav", 2.0))
    assert len(audio) == 32000


def test_damaged_packets_are_skipped(tmp_path: Path) -> None:
    import av

    good = make_video(tmp_path / "good.mp4", [(100, None)], speech=[(0.5, "one two three")])
    with av.open(str(good)) as container:
        packets = [p for p in container.demux(container.streams.audio[0]) if p.size > 0]
        victim = packets[len(packets) // 2]
        offset, size = victim.pos, victim.size
    data = bytearray(good.read_bytes())
    data[offset: offset + size] = b"\xff" * size  # garbage where one AAC packet was
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(bytes(data))
    clean, damaged = extract_audio(good), extract_audio(broken)
    assert abs(len(damaged) - len(clean)) <= 2048  # at most the damaged packet's samples
    assert np.abs(damaged).max() > 0.05


def test_not_media(tmp_path: Path) -> None:
    path = tmp_path / "x.mp4"
    path.write_text("nope")
    with pytest.raises(MediaError, match="x.mp4"):
        extract_audio(path)


def test_audio_slice() -> None:
    audio = np.arange(16000 * 3, dtype=np.float32)
    part = audio_slice(audio, 1.0, 1.5)
    assert len(part) == 8000 and part[0] == 16000
    assert len(audio_slice(audio, 2.5, 9.0)) == 8000
    assert len(audio_slice(audio, 5.0, 6.0)) == 0
    assert len(audio_slice(audio, -1.0, 0.5)) == 8000
    with pytest.raises(ValueError):
        audio_slice(audio, 2.0, 1.0)
