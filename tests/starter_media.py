"""Generated media with known content for the starter: figures that walk together or alone, and
speech at a chosen loudness, asked or told.

Figures are dark upright bars (a pedestrian's proportions in a wide shot) moving across a fixed
textured ground, drawn with numpy; speech is espeak-ng's, with the text given on stdin.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np

SPEECH_RATE = 16000


@functools.lru_cache(maxsize=8)
def _ground(height: int, width: int) -> np.ndarray:
    """A fixed grass-green texture (the same every call, so only the figures move)."""
    rng = np.random.default_rng(7)
    base = np.array([70, 150, 60], np.float32)
    return np.clip(base + rng.normal(0, 12, (height, width, 3)), 0, 255).astype(np.uint8)


def figure_layout(kind: str) -> list[tuple[float, float, float]]:
    """``(x, y, direction)`` start positions (frame fractions) of the figures of one ``kind``:
    ``together`` (two side by side, same way), ``apart`` (two far apart, opposite ways), ``alone``,
    ``group`` (three together) or ``empty``."""
    return {
        "together": [(0.30, 0.55, 1.0), (0.36, 0.56, 1.0)],
        "group": [(0.25, 0.5, 1.0), (0.31, 0.52, 1.0), (0.37, 0.5, 1.0)],
        "apart": [(0.15, 0.25, 1.0), (0.85, 0.8, -1.0)],
        "alone": [(0.3, 0.55, 1.0)],
        "empty": [],
    }[kind]


def figures_rgb(kind: str, t: int, height: int, width: int, speed: float = 0.004) -> np.ndarray:
    """Frame ``t`` of a shot of ``kind`` figures walking: uint8 RGB ``(height, width, 3)``."""
    frame = _ground(height, width).copy()
    fw, fh = max(2, int(0.035 * width)), max(6, int(0.12 * height))
    for x, y, way in figure_layout(kind):
        cx = int((x + way * speed * t) * width)
        cy = int(y * height)
        frame[max(0, cy - fh // 2):cy + fh // 2, max(0, cx - fw // 2):cx + fw // 2] = (25, 25, 35)
    return frame


def figures_frames(kind: str, n_frames: int = 64, size: int = 128, step: int = 2) -> np.ndarray:
    """``(n_frames, size, size, 3)`` uint8 BGR frames of one shot, ``step`` video frames apart."""
    return np.stack([figures_rgb(kind, i * step, size, size)[..., ::-1] for i in range(n_frames)])


def voice(text: str, amplitude: int = 100, pitch: int = 50) -> np.ndarray:
    """``text`` spoken by espeak-ng at an amplitude (0-200) and pitch (0-99): 16 kHz mono float32."""
    from scipy.signal import resample_poly

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-a", str(amplitude), "-p", str(pitch), "-w", str(wav), "--stdin"],
                       input=text.encode(), check=True, capture_output=True, timeout=60)
        with wave.open(str(wav)) as w:
            rate, raw = w.getframerate(), w.readframes(w.getnframes())
    x = np.frombuffer(raw, np.int16).astype(np.float32) / 32768
    ratio = Fraction(SPEECH_RATE, rate)
    return resample_poly(x, ratio.numerator, ratio.denominator).astype(np.float32)
