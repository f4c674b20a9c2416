"""Wall time and peak memory of one stage at a time.

Peak resident memory per stage comes from the kernel: writing ``5`` to ``/proc/self/clear_refs``
resets the process's high-water mark (``VmHWM``), so each stage's peak is its own, not the peak of
everything before it. Where that file is not writable (not Linux, or a locked-down kernel) the
figure falls back to ``getrusage``'s lifetime peak and is marked so.
"""

from __future__ import annotations

import resource
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

_STATUS = Path("/proc/self/status")
_CLEAR = Path("/proc/self/clear_refs")


@dataclass
class StageTime:
    """One measured stage: seconds, resident memory at its start and its peak (MiB)."""

    name: str
    seconds: float = 0.0
    cpu_s: float = 0.0  # CPU seconds of this process and of the subprocesses it waited for
    rss_start_mb: float = 0.0
    peak_rss_mb: float = 0.0
    peak_is_lifetime: bool = False

    @property
    def growth_mb(self) -> float:
        return max(0.0, self.peak_rss_mb - self.rss_start_mb)

    def to_json(self) -> dict:
        return {**asdict(self), "growth_mb": round(self.growth_mb, 1)}


def _status_mb(key: str) -> float | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        _CLEAR.write_text("5")
        return True
    except OSError:
        return False


def cpu_seconds() -> float:
    """CPU time used so far by this process (all threads) and its finished children (ffmpeg).

    On a machine shared with other work, wall time depends on the neighbours; CPU time much less.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def rss_mb() -> float:
    """Resident memory of this process now (MiB)."""
    now = _status_mb("VmRSS")
    return now if now is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@dataclass
class Recorder:
    """Collects :class:`StageTime` rows in the order stages ran."""

    stages: list[StageTime] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[StageTime]:
        row = StageTime(name, rss_start_mb=rss_mb())
        row.peak_is_lifetime = not _reset_peak()
        start, cpu_start = time.perf_counter(), cpu_seconds()
        try:
            yield row
        finally:
            row.seconds += time.perf_counter() - start
            row.cpu_s += cpu_seconds() - cpu_start
            peak = None if row.peak_is_lifetime else _status_mb("VmHWM")
            row.peak_rss_mb = peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
            self.stages.append(row)

    def add(self, name: str, seconds: float, cpu_s: float = 0.0) -> StageTime:
        """A part timed elsewhere (e.g. inference summed inside another stage); no memory figure.

        Its name starts with two spaces: it is part of the stage before it, not added to the total.
        """
        row = StageTime(name, seconds=seconds, cpu_s=cpu_s)
        self.stages.append(row)
        return row

    def seconds(self, name: str) -> float:
        return sum(s.seconds for s in self.stages if s.name == name)

    def cpu(self, name: str) -> float:
        return sum(s.cpu_s for s in self.stages if s.name == name)

    def total(self) -> float:
        return sum(s.seconds for s in self.stages if not s.name.startswith("  "))

    def total_cpu(self) -> float:
        return sum(s.cpu_s for s in self.stages if not s.name.startswith("  "))

    def to_json(self) -> list[dict]:
        return [s.to_json() for s in self.stages]


class TimedEncoder:
    """An encoder that adds the wall time of each ``encode`` call to ``seconds``.

    Instrumentation only: every call goes to the real encoder, and id, dim and modality are its own,
    so cached features and predictions are exactly what the pipeline would produce.
    """

    def __init__(self, encoder) -> None:
        self.inner = encoder
        self.id, self.dim, self.modality = encoder.id, encoder.dim, encoder.modality
        self.seconds = 0.0
        self.cpu_s = 0.0
        self.items = 0

    def encode(self, batch):
        start, cpu_start = time.perf_counter(), cpu_seconds()
        try:
            return self.inner.encode(batch)
        finally:
            self.seconds += time.perf_counter() - start
            self.cpu_s += cpu_seconds() - cpu_start
            self.items += len(batch)
