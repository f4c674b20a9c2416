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
