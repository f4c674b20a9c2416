"""Speech recognition with the offline Whisper model on spoken sentences of known words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hhir.errors import ModelError
from hhir.jobs import CancelToken, Cancelled
from hhir.media.audio import extract_audio
from hhir.speech.asr import Transcriber, default_offline_model
from media_factory import make_video, make_waveform


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber(default_offline_model(), cpu_threads=2)


def _words(segments) -> str:
    return " ".join(s.text for s in segments).lower()


def test_recognises_speech_in_a_video_at_the_right_time(transcriber: Transcriber, tmp_path: Path) -> None:
    path = make_video(tmp_path / "talk.mp4", [(300, None)], speech=[(4.0, "where is the station")])
    seen: list[float] = []
    segments = transcriber.transcribe(extract_audio(path), progress=lambda f, m: seen.append(f))
    text = _words(segments)
    assert "where" in text and "station" in text
    assert 3.0 <= segments[0].start_s <= 4.8 and segments[-1].end_s <= 12.0
    assert seen[-1] == 1.0


def test_two_sentences(transcriber: Transcriber) -> None:
    audio = make_waveform(10.0, [(1.0, "where is the station"), (5.5, "give me the book please")])
    text = _words(transcriber.transcribe(audio))
    for word in ("where", "station", "give", "book", "please"):
        assert word in text


def test_empty_and_silent_audio(transcriber: Transcriber) -> None:
    assert transcriber.transcribe(np.zeros(0, np.float32)) == []
    assert transcriber.transcribe(make_waveform(3.0)) == []  # low noise only: VAD finds no speech


def test_cancel_between_segments(transcriber: Transcriber) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        transcriber.transcribe(make_waveform(4.0, [(0.5, "good morning")]), cancel=token)


def test_missing_model_folder(tmp_path: Path) -> None:
    empty = tmp_path / "no model here"
    empty.mkdir()
    with pytest.raises(ModelError, match="no model here"):
        Transcriber(str(empty)).transcribe(make_waveform(2.0, [(0.1, "hi")]))
