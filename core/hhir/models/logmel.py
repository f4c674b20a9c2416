"""A weight-free audio encoder: log-mel statistics, loudness, spectral shape and pitch.

Why not a learned audio model offline: no registry package ships AST or another audio transformer
whose weights load without a download, and the one that does ship a YAMNet (``sead``) states no
license, so it cannot be redistributed in an installer. These hand-made descriptors need no
weights, are deterministic, fast, and carry what the labels depend on: is anyone speaking
(voiced fraction, pitch), how loud and how agitated (loudness level, dynamics, pitch range —
yelling), and the broad sound scene (mel spectrum statistics).

Input: 16 kHz mono float32 in [-1, 1]. Frames of 25 ms every 10 ms; 64 mel bands (60–7600 Hz).
The vector (``DIM`` values) is, in order: log-mel mean, std and max per band (3 × 64); loudness
RMS in dBFS mean, max, std; fraction of loud frames (> -40 dBFS); mean absolute RMS change;
spectral centroid mean, std; spectral flatness mean, std; zero-crossing rate mean, std; voiced
fraction; pitch mean, std, range (over voiced frames); log duration. Values are scaled to roughly
unit range (dB / 20, Hz / 1000) so the classifier sees comparable magnitudes. Empty or silent
audio gives the silence vector (floor loudness, no voicing, zero pitch).
"""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000
N_MELS = 64
DIM = 3 * N_MELS + 3 + 2 + 2 + 2 + 2 + 1 + 3 + 1
_WIN, _HOP, _NFFT = 400, 160, 512
_PITCH_WIN = 640  # 40 ms: two periods of the lowest pitch considered
_FMIN, _FMAX = 60.0, 400.0
_FLOOR_DB = -100.0
_EPS = 1e-10


def mel_filterbank(n_mels: int = N_MELS, n_fft: int = _NFFT, sr: int = SAMPLE_RATE,
                   fmin: float = 60.0, fmax: float = 7600.0) -> np.ndarray:
    """Triangular HTK-mel filters, ``(n_mels, n_fft // 2 + 1)``."""
    to_mel = lambda f: 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)  # noqa: E731
    to_hz = lambda m: 700.0 * (10.0 ** (np.asarray(m) / 2595.0) - 1.0)  # noqa: E731
    edges = to_hz(np.linspace(to_mel(fmin), to_mel(fmax), n_mels + 2))
    bins = np.linspace(0.0, sr / 2.0, n_fft // 2 + 1)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lower) / (centre - lower)
    falling = (upper - bins[None, :]) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling)).astype(np.float32)


_MEL = mel_filterbank()


def encode_logmel(audio: np.ndarray) -> np.ndarray:
    """One clip's descriptor vector, ``(DIM,)`` float32."""
    x = np.asarray(audio, dtype=np.float32).reshape(-1)
    x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
    duration = len(x) / SAMPLE_RATE
    if len(x) < _PITCH_WIN:
        x = np.pad(x, (0, _PITCH_WIN - len(x)))
    frames = _frames(x, _WIN)
    power = np.abs(np.fft.rfft(frames * np.hanning(_WIN).astype(np.float32), n=_NFFT)) ** 2
    logmel = np.log(power @ _MEL.T + _EPS)
    rms_db = np.maximum(_FLOOR_DB, 10.0 * np.log10(np.mean(frames**2, axis=1) + _EPS))
    parts = [
        logmel.mean(0) / 10.0, logmel.std(0) / 10.0, logmel.max(0) / 10.0,
        _stats(rms_db / 20.0, ("mean", "max", "std")),
        [np.mean(rms_db > -40.0), np.mean(np.abs(np.diff(rms_db))) / 20.0 if len(rms_db) > 1 else 0.0],
        _stats(_centroid(power) / 1000.0, ("mean", "std")),
        _stats(_flatness(power), ("mean", "std")),
        _stats(_zcr(frames), ("mean", "std")),
        _pitch_features(x),
        [np.log1p(duration)],
    ]
    return np.concatenate([np.asarray(p, dtype=np.float32).reshape(-1) for p in parts])


def _frames(x: np.ndarray, win: int) -> np.ndarray:
    n = 1 + max(0, (len(x) - win) // _HOP)
    return np.lib.stride_tricks.sliding_window_view(x, win)[::_HOP][:n]


def _stats(values: np.ndarray, which: tuple[str, ...]) -> list[float]:
    fns = {"mean": np.mean, "max": np.max, "std": np.std}
    return [float(fns[w](values)) for w in which]


def _centroid(power: np.ndarray) -> np.ndarray:
    freqs = np.linspace(0.0, SAMPLE_RATE / 2.0, power.shape[1])
    return (power @ freqs) / (power.sum(axis=1) + _EPS)


def _flatness(power: np.ndarray) -> np.ndarray:
    geometric = np.exp(np.mean(np.log(power + _EPS), axis=1))
    return geometric / (np.mean(power, axis=1) + _EPS)


def _zcr(frames: np.ndarray) -> np.ndarray:
    return np.mean(np.abs(np.diff(np.signbit(frames), axis=1)), axis=1)


def _pitch_features(x: np.ndarray) -> list[float]:
    """Voiced fraction and pitch mean/std/range (kHz) from the normalised autocorrelation peak."""
    frames = _frames(x, _PITCH_WIN)
    frames = frames - frames.mean(axis=1, keepdims=True)
    spec = np.fft.rfft(frames, n=2 * _PITCH_WIN)
    ac = np.fft.irfft(np.abs(spec) ** 2)[:, :_PITCH_WIN]
    lo, hi = int(SAMPLE_RATE / _FMAX), int(SAMPLE_RATE / _FMIN)
    lag = lo + np.argmax(ac[:, lo:hi], axis=1)
    peak = ac[np.arange(len(ac)), lag] / (ac[:, 0] + _EPS)
    loud = 10.0 * np.log10(np.mean(frames**2, axis=1) + _EPS) > -50.0
    voiced = (peak > 0.5) & loud
    if not voiced.any():
        return [0.0, 0.0, 0.0, 0.0]
    f0 = SAMPLE_RATE / lag[voiced] / 1000.0
    return [float(voiced.mean()), float(f0.mean()), float(f0.std()), float(f0.max() - f0.min())]
