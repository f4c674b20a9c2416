"""Benchmark inputs: long generated videos with hard cuts and speech at known places.

Built with the test suite's media factory (real H.264/AAC through PyAV, espeak-ng speech). The
default size is 1280×720, the smallest size films are distributed in: what a per-clip pipeline
pays for re-encoding and decoding grows with the pixels, so a thumbnail-sized film would hide it.
``--size 160x120`` writes small films quickly (a 10-minute 720p film takes about 10 minutes to
write once). Files are cached under ``bench/out/media`` with a sidecar JSON of their truth (cut
frames, speech times).
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
SIZE = (1280, 720)
SPEECH_EVERY_S = 10.0
_VERSION = 2  # 2: textures scale with the frame (the same picture at every size)
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
    size: tuple[int, int] = (0, 0)
    cuts: tuple[int, ...] = ()
    speech: tuple[tuple[float, str], ...] = ()

    @property
    def label(self) -> str:
        if self.generated:
            return f"{self.minutes:g} min {self.size[0]}×{self.size[1]}"
        return f"{self.path.name} ({self.minutes:.2f} min)"


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


def generated(minutes: float, size: tuple[int, int] = SIZE) -> BenchVideo:
    """The cached generated video of ``minutes`` length and ``size`` (width, height), written on first use."""
    sys.path.insert(0, str(ROOT / "tests"))
    from media_factory import cut_frames, make_video

    MEDIA.mkdir(parents=True, exist_ok=True)
    path = MEDIA / f"generated-{minutes:g}min-{size[0]}x{size[1]}-v{_VERSION}.mp4"
    truth = path.with_suffix(".json")
    shots, speech = shot_plan(minutes), speech_plan(minutes)
    if not (path.is_file() and truth.is_file()):
        part = path.with_name(path.stem + ".part.mp4")
        make_video(part, shots, fps=FPS, size=size, speech=speech)
        part.replace(path)
        truth.write_text(json.dumps({"cuts": cut_frames(shots), "speech": speech}))
    data = json.loads(truth.read_text())
    return BenchVideo(path, minutes, True, size, tuple(data["cuts"]), tuple((float(t), s) for t, s in data["speech"]))


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` → (1280, 720); both even (H.264 with 4:2:0 needs it)."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"size {text!r}: expected WIDTHxHEIGHT, e.g. 1280x720") from None
    if width < 64 or height < 64 or width % 2 or height % 2:
        raise ValueError(f"size {text!r}: width and height must be even and at least 64")
    return width, height


def user_video(path: str | Path) -> BenchVideo:
    """A video the user passes; its length comes from probing it."""
    from hhir.media.probe import probe

    info = probe(path)
    return BenchVideo(Path(info.path), info.duration_s / 60.0, False, (info.width, info.height))


def describe(video: BenchVideo) -> dict:
    data = asdict(video)
    data["path"] = video.path.name  # never a machine path in the published results
    data.pop("speech")
    data["cuts"] = len(video.cuts)
    return data
