"""Benchmark inputs: long generated videos with hard cuts and speech at known places.

Built with the test suite's media factory (real H.264/AAC through PyAV, espeak-ng speech), at a low
resolution so that a 60-minute film takes a minute or two to write. Files are cached under
``bench/out/media`` with a sidecar JSON of their truth (cut frames, speech times).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "bench" / "out" / "media"
FPS = 25
SIZE = (160, 120)
SPEECH_EVERY_S = 10.0
_VERSION = 1
SENTENCES = (
    "Where is the train station?", "It is next to the old bridge.", "Give me the keys, please.",
    "I told you not to come here!", "Shall we walk to the river together?", "Look at that man over there.",
    "Why did you not call me yesterday?", "Here, take this letter with you.", "Stop shouting at me!",
    "We should leave before it gets dark.", "Did you see where she went?", "Thank you for the flowers.",
)


@dataclass(frozen=True)
class BenchVideo:
    """A benchmark input and what is known about it (``cuts`` empty for a user's own video)."""

    path: Path
    minutes: float
    generated: bool
    cuts: tuple[int, ...] = ()
    speech: tuple[tuple[float, str], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.minutes:g} min" if self.generated else f"{self.path.name} ({self.minutes:.2f} min)"


def shot_plan(minutes: float, seed: int = 7) -> list[tuple[int, int]]:
    """Shots of 3–7 s (a film's typical rhythm), palette scene cycling so every cut is a real change."""
    rng = np.random.default_rng(seed)
    total, shots, used = int(round(minutes * 60 * FPS)), [], 0
    while used < total:
        n = min(int(rng.integers(3 * FPS, 7 * FPS + 1)), total - used)
        shots.append((n, len(shots) % 10))
        used += n
    if len(shots) > 1 and shots[-1][0] < FPS:  # a sliver of a last shot is not a shot
        n, _ = shots.pop()
        shots[-1] = (shots[-1][0] + n, shots[-1][1])
    return shots


def speech_plan(minutes: float) -> list[tuple[float, str]]:
    """A sentence every ~10 s, from the second second on, none running past the end."""
    duration = minutes * 60
    times = np.arange(1.0, duration - 4.0, SPEECH_EVERY_S)
    return [(float(t), SENTENCES[i % len(SENTENCES)]) for i, t in enumerate(times)]


def generated(minutes: float) -> BenchVideo:
    """The cached generated video of ``minutes`` length, written on first use."""
    sys.path.insert(0, str(ROOT / "tests"))
    from media_factory import cut_frames, make_video

    MEDIA.mkdir(parents=True, exist_ok=True)
    path = MEDIA / f"generated-{minutes:g}min-v{_VERSION}.mp4"
    truth = path.with_suffix(".json")
    shots, speech = shot_plan(minutes), speech_plan(minutes)
    if not (path.is_file() and truth.is_file()):
        part = path.with_name(path.stem + ".part.mp4")
        make_video(part, shots, fps=FPS, size=SIZE, speech=speech)
        part.replace(path)
        truth.write_text(json.dumps({"cuts": cut_frames(shots), "speech": speech}))
    data = json.loads(truth.read_text())
    return BenchVideo(path, minutes, True, tuple(data["cuts"]), tuple((float(t), s) for t, s in data["speech"]))


def user_video(path: str | Path) -> BenchVideo:
    """A video the user passes; its length comes from probing it."""
    from core.media.probe import probe

    info = probe(path)
    return BenchVideo(Path(info.path), info.duration_s / 60.0, False)


def describe(video: BenchVideo) -> dict:
    data = asdict(video)
    data["path"] = video.path.name  # never a machine path in the published results
    data.pop("speech")
    data["cuts"] = len(video.cuts)
    return data
