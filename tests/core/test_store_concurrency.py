"""Concurrent writers: threads sharing one Store and another process, with no "database is locked"."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from hhir.store import Store
from hhir.types import AnnotationState, Clip, ModelInfo, Target, VideoInfo

ROOT = Path(__file__).resolve().parents[2]
N = 40

# Another process (an analysis or training job): waits for "go", then interleaves annotations,
# predictions and large feature batches (long write transactions) with the threads' writes.
JOB = """
import sys
import numpy as np
from hhir.store import Store
from hhir.types import AnnotationState, Target
db = Store(sys.argv[1])
vid, n = int(sys.argv[2]), int(sys.argv[3])
clips = [c.id for c in db.clips(vid)]
print("ready", flush=True)
sys.stdin.readline()
for i in range(n):
    db.annotate(Target(vid, clips[i % len(clips)]), "watches", AnnotationState.PRESENT, f"proc{i}")
    db.set_predictions("job", vid, {"asks": i / n}, {c: {"asks": 0.5} for c in clips})
    if i % 10 == 0:
        db.put_features([("fp", j * 0.04, j * 0.04 + 3, f"enc{i}", np.full(384, i, np.float32)) for j in range(300)])
db.close()
print("done", flush=True)
"""


def make_project(path: Path) -> tuple[int, list[int]]:
    db = Store(path)
    vid = db.add_video(VideoInfo("/f/a.mp4", 8.0, 25.0, 200, 160, 120, True, fingerprint="fp")).id
    clips = db.set_clips(vid, [Clip(i, i, i + 2, float(i), i + 3.0, i * 25, (i + 3) * 25) for i in range(4)])
    for model_id in ("job", "thread"):
        db.register_model(ModelInfo(model_id, "starter"))
    db.close()
    return vid, [c.id for c in clips]


def test_two_threads_and_a_process_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    vid, clips = make_project(path)
    job = subprocess.Popen(
        [sys.executable, "-c", JOB, str(path), str(vid), str(N)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True,
    )
    db = Store(path)
    errors: list[BaseException] = []

    def guarded(work) -> None:  # noqa: ANN001 - a callable of no arguments
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread, which fails on it
            errors.append(exc)

    def annotate() -> None:
        for i in range(N):
            db.annotate(Target(vid, clips[i % len(clips)]), "asks", AnnotationState.ABSENT, f"t1-{i}")

    def predict_and_review() -> None:
        for i in range(N):
            db.set_predictions("thread", vid, {"watches": 0.25}, {c: {"watches": i / N} for c in clips})
            db.set_reviewed(Target(vid, clips[i % len(clips)]), f"t2-{i}")
            db.annotations(vid)  # readers run alongside the writers

    try:
        assert job.stdout.readline().strip() == "ready", job.stderr.read()
        threads = [threading.Thread(target=guarded, args=(w,)) for w in (annotate, predict_and_review)]
        job.stdin.write("go\n")
        job.stdin.flush()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        out, err = job.communicate(timeout=120)
    finally:
        if job.poll() is None:
            job.kill()
            job.wait()
    assert not errors, errors
    assert job.returncode == 0 and out.strip() == "done", err
    who = {a.annotator for a in db.annotations(vid)}
    assert {f"t1-{i}" for i in range(N)} | {f"proc{i}" for i in range(N)} == who
    assert len(db.reviewed(vid)) == len(clips)
    assert db.predictions(vid, "job").scene == {"asks": (N - 1) / N}
    assert db.predictions(vid, "thread").clips[clips[0]] == {"watches": (N - 1) / N}
    np.testing.assert_array_equal(db.feature("fp", 0.04, 3.04, "enc30"), np.full(384, 30, np.float32))
    db.close()
