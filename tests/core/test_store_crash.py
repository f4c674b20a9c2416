"""Crash safety: a writer killed with SIGKILL at random moments loses no committed edit."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hhir.store import Store
from hhir.types import Clip, VideoInfo

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 20

# Annotates in a loop, printing each edit's number only after annotate() (its commit) returned.
WRITER = """
import sys
from hhir.store import Store
from hhir.types import AnnotationState, Target
db = Store(sys.argv[1])
vid, i = int(sys.argv[2]), int(sys.argv[3])
clips = [c.id for c in db.clips(vid)]
while True:
    state = AnnotationState.PRESENT if i % 2 else AnnotationState.ABSENT
    if i % 7 == 0:
        db.annotate_many([(Target(vid, c), "watches", state) for c in clips], f"w{i}")
    else:
        db.annotate(Target(vid, clips[i % len(clips)]), "asks", state, f"w{i}")
    print(i, flush=True)
    i += 1
"""


def committed(path: Path) -> set[int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return {int(who[1:]) for (who,) in conn.execute("SELECT DISTINCT annotator FROM annotations")}
    finally:
        conn.close()


def run_and_kill(path: Path, vid: int, start: int, delay_s: float) -> list[int]:
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(vid), str(start)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )
    try:
        first = child.stdout.readline()  # the writer is in its loop
        assert first, child.stderr.read().decode()
        time.sleep(delay_s)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    lines = (first + out).decode().split("\n")
    return [int(x) for x in lines[:-1]]  # the last piece may be a half-written line


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_during_writes_loses_no_committed_edit(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    db = Store(path)
    vid = db.add_video(VideoInfo("/f/a.mp4", 8.0, 25.0, 200, 160, 120, True, fingerprint="fp")).id
    db.set_clips(vid, [Clip(i, i, i + 2, float(i), i + 3.0, i * 25, (i + 3) * 25) for i in range(4)])
    db.close()
    rng = random.Random(20240501)
    printed: set[int] = set()
    for round_ in range(ROUNDS):
        printed |= set(run_and_kill(path, vid, round_ * 100_000, rng.uniform(0.0, 0.12)))
        lost = printed - committed(path)
        assert not lost, f"round {round_}: edits {sorted(lost)[:10]} were reported committed but are gone"
    assert len(printed) > ROUNDS  # the kills really landed among many writes
    db = Store(path)  # still opens (quick_check), and its undo log is intact
    before = len(db.annotations(vid))
    assert db.undo(vid) is not None and len(db.annotations(vid)) <= before
    db.close()
