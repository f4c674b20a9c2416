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


def test_each_segment_carries_its_words_on_the_films_clock(transcriber: Transcriber) -> None:
    """Word times (for cutting a segment where the voice changes) add up to the segment's text and
    fall inside it, in order, near where each sentence is said."""
    audio = make_waveform(10.0, [(1.0, "where is the station"), (5.5, "give me the book please")])
    segments = transcriber.transcribe(audio)
    assert segments and all(s.words for s in segments)
    for s in segments:
        assert "".join(w.text for w in s.words).strip() == s.text
        starts = [w.start_s for w in s.words]
        assert starts == sorted(starts) and all(s.start_s - 0.05 <= w.start_s <= w.end_s <= s.end_s + 0.05 for w in s.words)
    words = {w.text.strip(" .,").lower(): w for s in segments for w in s.words}
    assert 0.5 <= words["where"].start_s <= 2.0 and 5.0 <= words["give"].start_s <= 6.5


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


def test_a_model_name_is_looked_up_locally_only_and_says_how_to_provide_it(tmp_path: Path, monkeypatch) -> None:
    """A Whisper model name ("tiny.en") obeys "nothing downloads unless allowed" as the text model
    does: no network lookup, and a message that says which folder to copy here."""
    import socket

    import huggingface_hub.constants

    monkeypatch.delenv("HHIR_ALLOW_DOWNLOAD", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty cache"))
    # The suite runs the hub offline; here it is online, as a user's machine is, so only the
    # project's own rule can keep the lookup off the network (the guards below record any try).
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    looked_up: list[object] = []

    def refuse(*args, **kwargs):
        looked_up.append(args[:1])
        raise OSError("network used")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    with pytest.raises(ModelError) as raised:
        Transcriber("tiny.en").transcribe(make_waveform(2.0, [(0.1, "hi")]))
    assert looked_up == []
    message = str(raised.value)
    assert "speech model 'tiny.en' is not available" in message
    assert "huggingface-cli download Systran/faster-whisper-tiny.en --local-dir" in message
    assert "copy the folder here" in message and "\n" not in message


def test_a_missing_model_path_is_named() -> None:
    with pytest.raises(ModelError, match="/no/such/whisper: speech model folder does not exist"):
        Transcriber("/no/such/whisper").transcribe(make_waveform(2.0, [(0.1, "hi")]))


def test_long_audio_is_transcribed_in_windows_cut_between_words(transcriber: Transcriber, monkeypatch) -> None:
    """Whisper gets one window at a time (its features for a whole film would need gigabytes); a cut
    falls in the pause between sentences, and segment times stay on the film's clock."""
    import hhir.speech.asr as asr

    audio = make_waveform(12.0, [(1.0, "where is the station"), (6.5, "give me the book please")])
    whole = transcriber.transcribe(audio)
    monkeypatch.setattr(asr, "WINDOW_S", 8.0)
    monkeypatch.setattr(asr, "QUIET_SEARCH_S", 4.0)
    ((_, cut), (_, end)) = asr.windows(audio.size, audio)
    assert 4.0 * 16000 <= cut <= 6.4 * 16000 and end == audio.size  # in the pause between the sentences
    windowed = transcriber.transcribe(audio)
    for word in ("where", "station", "give", "please"):  # tiny.en may hear a word differently from another start
        assert word in _words(windowed), _words(windowed)
    assert 0.5 <= windowed[0].start_s <= 2.0 and 0.5 <= whole[0].start_s <= 2.0
    assert 6.0 <= windowed[-1].start_s <= 7.5  # the second window's segment, on the film's clock


def test_windows_cover_every_sample_once() -> None:
    from hhir.speech.asr import windows

    n = int(3 * 3600 * 16000)
    bounds = windows(n)
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    assert len(bounds) == 18 and max(e - s for s, e in bounds) <= int(1.1 * 600 * 16000)
