"""Decode untrusted media in a child process, so a native crash or a hang costs one file, not the app.

FFmpeg is C: a damaged file can, in principle, crash or stall the decoder, and in-process that takes
the whole application (and a user's unsaved view state) with it. This runs the media stages in a
fresh interpreter with a time limit and turns every failure into a :class:`~hhir.errors.MediaError`
naming the file.

Command line (what the parent runs): ``python bench/isolated.py {probe|shots|stages} -- FILE``;
prints one JSON object on stdout.

Library use::

    info = isolated_probe(path, timeout=30)             # VideoInfo, or MediaError
    report = run_isolated("stages", path, timeout=60)   # every stage's outcome
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("probe", "shots", "stages")


@dataclass(frozen=True)
class StageOutcome:
    """What one stage did with the file: ``ok`` with a summary, or the exception it raised."""

    stage: str
    ok: bool
    error_type: str = ""
    message: str = ""
    summary: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class IsolatedResult:
    """A child run: how it ended, how long it took, and each stage's outcome (in order)."""

    path: str
    returncode: int | None  # None: killed at the time limit
    seconds: float
    outcomes: tuple[StageOutcome, ...] = ()
    stderr_tail: str = ""

    @property
    def crashed(self) -> bool:
        return self.returncode is not None and self.returncode < 0

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    def outcome(self, stage: str) -> StageOutcome | None:
        return next((o for o in self.outcomes if o.stage == stage), None)


def run_isolated(kind: str, path: str | Path, timeout: float = 60.0) -> IsolatedResult:
    """Run ``kind`` on ``path`` in a child interpreter; never raises for what the file does."""
    if kind not in KINDS:
        raise ValueError(f"unknown isolated run {kind!r} (expected one of {', '.join(KINDS)})")
    path = Path(path).absolute()  # absolute: a name starting with '-' can never read as an option
    cmd = [sys.executable, str(Path(__file__).resolve()), kind, "--", str(path)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: the decoder's threads go too
        proc.communicate()
        return IsolatedResult(str(path), None, time.perf_counter() - start)
    seconds = time.perf_counter() - start
    tail = err.decode(errors="replace")[-2000:]
    try:
        rows = json.loads(out.decode() or "[]")
    except json.JSONDecodeError:
        rows = []
    return IsolatedResult(str(path), proc.returncode, seconds, tuple(StageOutcome(**r) for r in rows), tail)


def isolated_probe(path: str | Path, timeout: float = 30.0):
    """``hhir.media.probe.probe`` in a child process.

    Raises:
        MediaError: the file is not a readable video, or probing it crashed or took longer than ``timeout``.
    """
    from hhir.errors import MediaError
    from hhir.types import VideoInfo

    result = run_isolated("probe", path, timeout)
    if result.timed_out:
        raise MediaError(path, f"reading the file took longer than {timeout:g} s")
    probe = result.outcome("probe")
    if result.crashed or probe is None:
        raise MediaError(path, f"the media decoder crashed reading this file (exit status {result.returncode})")
    if not probe.ok:
        raise MediaError(path, probe.message if probe.error_type == "MediaError" else f"{probe.error_type}: {probe.message}")
    return VideoInfo(**probe.summary)


# ---- child side -------------------------------------------------------------------------------

def _attempt(stage: str, fn, outcomes: list[StageOutcome]):
    from hhir.errors import MediaError

    try:
        value, summary = fn()
    except MediaError as exc:
        outcomes.append(StageOutcome(stage, False, "MediaError", str(exc)))
        return None
    except Exception as exc:  # noqa: BLE001 - the report must name any other failure, not hide it
        outcomes.append(StageOutcome(stage, False, type(exc).__name__, f"{exc}\n{traceback.format_exc(limit=3)}"))
        return None
    outcomes.append(StageOutcome(stage, True, summary=summary))
    return value


def _child(kind: str, path: Path) -> list[StageOutcome]:
    from dataclasses import asdict

    from hhir.media.audio import extract_audio
    from hhir.media.frames import sample_frames
    from hhir.media.probe import probe
    from hhir.segment.clips import build_clips
    from hhir.segment.shots import detect_shots

    outcomes: list[StageOutcome] = []
    info = _attempt("probe", lambda: (i := probe(path), asdict(i)), outcomes)
    if kind == "probe" or info is None:
        return outcomes
    shots = _attempt("shots", lambda: (s := detect_shots(path, info), {"shots": len(s), "frames": s[-1].end_frame}), outcomes)
    if kind == "shots" or shots is None:
        return outcomes
    clips = build_clips(shots)
    ranges = [(c.start_frame, c.end_frame) for c in clips]
    _attempt("frames", lambda: (n := sum(1 for _ in sample_frames(path, ranges, 8, size=64)), {"ranges": n}), outcomes)
    _attempt("audio", lambda: (a := extract_audio(path), {"samples": int(a.size), "finite": bool(a.size == 0 or abs(a).max() < 1e9)}), outcomes)
    return outcomes


def main(argv: list[str]) -> int:
    from dataclasses import asdict

    if len(argv) != 3 or argv[0] not in KINDS or argv[1] != "--":
        print(f"usage: isolated.py {{{'|'.join(KINDS)}}} -- FILE", file=sys.stderr)
        return 2
    outcomes = _child(argv[0], Path(argv[2]))
    print(json.dumps([asdict(o) for o in outcomes], default=str))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
