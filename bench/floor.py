"""The decoding floor: one PyAV pass over every frame, and what our non-model stages cost beside it."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Floor:
    """One full decode of a video. ``fps`` figures are frames per wall-clock second."""

    frames: int
    decode_s: float           # decode only (frames stay in the decoder's format)
    analysis_res_s: float     # decode + convert every frame to 128×128 BGR, the analysis resolution
    decode_cpu_s: float = 0.0
    analysis_res_cpu_s: float = 0.0

    @property
    def decode_fps(self) -> float:
        return self.frames / self.decode_s if self.decode_s else 0.0

    @property
    def analysis_fps(self) -> float:
        return self.frames / self.analysis_res_s if self.analysis_res_s else 0.0

    def to_json(self) -> dict:
        return {**asdict(self), "decode_fps": round(self.decode_fps, 1), "analysis_fps": round(self.analysis_fps, 1)}


def _pass(path: Path, size: int | None) -> tuple[int, float, float]:
    import av

    from hhir.media.scale import to_bgr
    from measure import cpu_seconds

    start, cpu = time.perf_counter(), cpu_seconds()
    count = 0
    with av.open(str(path.absolute())) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # as our decoders (frames, shots) run it
        for frame in container.decode(stream):
            if size is not None:  # the cheapest way there we have, the one our stages use
                to_bgr(frame, size, size)
            count += 1
    return count, time.perf_counter() - start, cpu_seconds() - cpu


def decode_floor(path: Path, size: int = 128) -> Floor:
    """Time a decode-only pass and a decode-at-analysis-resolution pass of ``path``."""
    frames, decode_s, decode_cpu = _pass(path, None)
    _, analysis_s, analysis_cpu = _pass(path, size)
    return Floor(frames, decode_s, analysis_s, decode_cpu, analysis_cpu)
