"""Video with real people in it for the people tests: a photograph of a person, placed in scenes.

The photograph is Grace Hopper's portrait that matplotlib ships as sample data (a US Navy photo in
the public domain; a dev dependency of the project, so nothing is read from this machine). Person
"A" is the photo as it is; person "B" is the same photo mirrored, with the hue of every pixel turned
by a third of the circle and a lighter tone, so the two look apart to a colour histogram while the
detectors still see a face and shoulders. Each shot sets who is where; the people drift a pixel a
frame so no shot is a still picture, and the backgrounds differ, so the cuts are real cuts.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from media_factory import make_video

SIZE = (640, 360)
HEIGHT = 300  # a person's height in pixels


@functools.lru_cache(maxsize=1)
def _people() -> dict[str, np.ndarray]:
    import cv2
    import matplotlib.cbook as cbook

    bgr = cv2.imread(str(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))
    bgr = cv2.resize(bgr, (round(bgr.shape[1] * HEIGHT / bgr.shape[0]), HEIGHT), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(bgr[:, ::-1], cv2.COLOR_BGR2HSV).astype(np.int32)
    hsv[..., 0] = (hsv[..., 0] + 60) % 180
    hsv[..., 2] = np.clip(hsv[..., 2] * 0.8 + 50, 0, 255)
    other = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2BGR)
    return {"A": bgr[:, :, ::-1].copy(), "B": other[:, :, ::-1].copy()}


def scene(placed: list[tuple[str, float]], background: tuple[int, int, int]):
    """A shot spec for ``make_video``: people ``(name, left edge as a frame fraction)`` on a plain
    ``background`` with a faint texture."""
    def frame(_g: int, local: int, height: int, width: int) -> np.ndarray:
        rng = np.random.default_rng(sum(background))
        out = np.clip(np.array(background, np.float32) + rng.normal(0, 6, (height, width, 3)), 0, 255).astype(np.uint8)
        for name, left in placed:
            person = _people()[name]
            x = int(left * width) + local
            w = min(person.shape[1], width - x)
            out[height - person.shape[0]:, x : x + w] = person[:, :w]
        return out
    return frame


# (frames, who is where, background) per shot: two people, then each alone, then both again.
SHOTS = [
    (30, [("A", 0.02), ("B", 0.52)], (90, 110, 140)),
    (30, [("B", 0.3)], (150, 120, 90)),
    (30, [("A", 0.3)], (80, 140, 90)),
    (30, [("B", 0.05), ("A", 0.55)], (130, 130, 130)),
]


def make_people_video(path: str | Path, fps: float = 10.0) -> Path:
    """The four shots of ``SHOTS`` at ``fps`` (12 s at 10 fps), with no sound."""
    return make_video(path, [(n, scene(placed, bg)) for n, placed, bg in SHOTS], fps=fps, size=SIZE, audio=False)


def truth() -> list[list[tuple[str, float]]]:
    """Who is in each shot, and where (left edge, frame fraction at the shot's first frame)."""
    return [placed for _, placed, _ in SHOTS]


# Two voices for the two people: espeak-ng's voices that the voice analysis tells apart.
VOICES = [("en-us+m3", 25), ("en-gb+f4", 80)]
LINES = ["Where were you last night?", "I told you, I was at the station until late.",
         "That is not what your brother said.", "My brother says a lot of things.",
         "Then tell us where the car is.", "It is behind the old mill, by the river."]


def speak(text: str, voice: str, pitch: int) -> np.ndarray:
    """A sentence spoken by espeak-ng with ``voice`` at ``pitch``, as 16 kHz float32 at half scale."""
    import subprocess
    import tempfile
    import wave
    from fractions import Fraction

    from scipy.signal import resample_poly

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speech.wav"
        # The sentence goes in on stdin, never as an argument.
        subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", "150", "-w", str(path), "--stdin"],
                       input=text.encode(), check=True, capture_output=True, timeout=60)
        with wave.open(str(path)) as w:
            rate = w.getframerate()
            x = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768
    ratio = Fraction(16000, rate)
    x = resample_poly(x, ratio.numerator, ratio.denominator).astype(np.float32)
    return x / np.abs(x).max() * 0.5


def dialogue(gap_s: float = 0.5) -> tuple[np.ndarray, list[tuple[float, float, int]]]:
    """``LINES`` spoken by the two ``VOICES`` in turn: a 16 kHz track from 0.5 s, and each line's
    ``(start_s, end_s, voice index)``."""
    parts, spoken, t = [np.zeros(8000, np.float32)], [], 0.5
    for i, line in enumerate(LINES):
        x = speak(line, *VOICES[i % 2])
        spoken.append((t, t + len(x) / 16000, i % 2))
        parts += [x, np.zeros(int(gap_s * 16000), np.float32)]
        t += len(x) / 16000 + gap_s
    return np.concatenate(parts), spoken


def make_talking_people_video(path: str | Path, fps: float = 10.0, frames_per_shot: int = 50) -> tuple[Path, list[tuple[float, float, int]]]:
    """The shots of ``SHOTS`` (``frames_per_shot`` each: 20 s at the defaults) with ``dialogue()`` as
    the sound track; returns the file and the spoken lines."""
    track, spoken = dialogue()
    if spoken[-1][1] > len(SHOTS) * frames_per_shot / fps:
        raise ValueError("the dialogue is longer than the video")
    path = make_video(path, [(frames_per_shot, scene(placed, bg)) for _, placed, bg in SHOTS], fps=fps, size=SIZE,
                      waveform=track)
    return Path(path), spoken
