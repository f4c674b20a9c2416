"""Audio side of the starter: speech presence, loudness and pitch from the waveform itself.

Weight-free on purpose: loudness in dBFS and voicing (periodicity at a speaking pitch) are signals a
reviewer can check by ear, and they need no model that could be missing.
"""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000
_WIN, _HOP = 400, 160  # 25 ms windows every 10 ms
_FLOOR_DB = -100.0
ACTIVE_DB = -45.0  # quieter than this is treated as silence
_MIN_LAG, _MAX_LAG = SAMPLE_RATE // 400, SAMPLE_RATE // 60  # pitch between 60 and 400 Hz
_VOICED_CORR = 0.45
_MAX_FRAMES = 6000  # a minute of audio; longer clips are sampled evenly

AUDIO_CUES = ("has_audio", "speech_fraction", "active_fraction", "level_median_dbfs", "level_p95_dbfs",
              "peak_over_median_db", "pitch_median_hz", "end_rise_semitones")
_GAP = 8  # unvoiced frames (80 ms) that still belong to one utterance
_MIN_RUN, _TAIL, _BODY = 25, 10, 30  # utterances of 250 ms or more: last 100 ms against the 300 ms before


def _frames(audio: np.ndarray) -> np.ndarray:
    if audio.size < _WIN:
        audio = np.pad(audio, (0, _WIN - audio.size))
    starts = np.arange(0, audio.size - _WIN + 1, _HOP)
    if starts.size > _MAX_FRAMES:
        starts = starts[np.linspace(0, starts.size - 1, _MAX_FRAMES).astype(int)]
    return audio[starts[:, None] + np.arange(_WIN)[None, :]]


def _autocorr(x: np.ndarray) -> np.ndarray:
    spectrum = np.fft.rfft(x, n=1024, axis=-1)
    return np.fft.irfft(np.abs(spectrum) ** 2, axis=-1)[..., : _MAX_LAG + 1]


_WINDOW = np.hanning(_WIN)
_WINDOW_CORR = _autocorr(_WINDOW) / _autocorr(_WINDOW)[0]


def _voicing(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Peak normalised autocorrelation in the pitch range, and the pitch (Hz) at that peak."""
    centred = frames - frames.mean(axis=1, keepdims=True)
    corr = _autocorr(centred * _WINDOW)
    # Dividing by the window's own autocorrelation undoes its taper (Boersma 1993), so a periodic
    # frame scores near 1 at its true period instead of favouring short lags.
    corr = corr / np.maximum(corr[:, :1], 1e-12) / _WINDOW_CORR
    search = corr[:, _MIN_LAG:]
    peak = search.max(axis=1, keepdims=True)
    # The shortest lag near the peak, so a multiple of the period (an octave too low) does not win.
    lag = _MIN_LAG + np.argmax(search >= 0.95 * peak, axis=1)
    return peak[:, 0], SAMPLE_RATE / lag


def _utterances(voiced: np.ndarray) -> list[np.ndarray]:
    """Indices of the voiced frames of each utterance (voiced runs joined across short gaps)."""
    idx = np.flatnonzero(voiced)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > _GAP) + 1
    return [run for run in np.split(idx, breaks) if run.size >= _MIN_RUN]


def end_rise(voiced: np.ndarray, pitch: np.ndarray) -> float:
    """The largest rise, in semitones, of an utterance's pitch over its last 100 ms against the 300 ms
    before: the rising end of a yes/no question ("Hello?" rose 8 semitones on the dev set's call, its
    statements fell). Medians, so a stray octave error does not decide."""
    rises = [12 * np.log2(np.median(pitch[run[-_TAIL:]]) / np.median(pitch[run[-_TAIL - _BODY:-_TAIL]]))
             for run in _utterances(voiced)]
    return float(max(rises)) if rises else 0.0


def audio_cues(audio: np.ndarray | None) -> np.ndarray:
    """``AUDIO_CUES`` of one clip's 16 kHz mono float32 slice (all zeros/floors when there is none)."""
    if audio is None or np.asarray(audio).size == 0:
        return np.array([0, 0, 0, _FLOOR_DB, _FLOOR_DB, 0, 0, 0], dtype=np.float32)
    frames = _frames(np.asarray(audio, dtype=np.float32).ravel())
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    db = np.maximum(20 * np.log10(np.maximum(rms, 1e-10)), _FLOOR_DB)
    active = db > ACTIVE_DB
    corr, pitch = _voicing(frames)
    voiced = active & (corr > _VOICED_CORR)
    median_active = float(np.median(db[active])) if active.any() else _FLOOR_DB
    return np.array([
        1.0,
        voiced.mean(),
        active.mean(),
        median_active,
        np.percentile(db, 95),
        np.percentile(db, 99) - np.median(db) if active.any() else 0.0,
        np.median(pitch[voiced]) if voiced.any() else 0.0,
        end_rise(voiced, pitch),
    ], dtype=np.float32)
