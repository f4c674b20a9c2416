"""The job runner: results, errors, cancellation, one model job at a time, no leaked threads."""

from __future__ import annotations

import threading
import time

import pytest

from hhir.errors import MediaError
from hhir.jobs import CancelToken
from hhir_studio.jobs import JobRunner, JobSpec, JobState, live_threads


def _wait(qtbot, job, timeout=10000):
    with qtbot.waitSignal(job.ended, timeout=timeout):
        pass


def test_result_and_progress_arrive_on_the_ui_thread(qtbot):
    runner = JobRunner()
    seen = []
    ui_thread = threading.get_ident()

    def work(progress, cancel):
        for i in range(5):
            progress((i + 1) / 5, f"step {i}")
            time.sleep(0.06)
        return threading.get_ident()

    job = runner.submit(JobSpec("count", work))
    job.progressed.connect(lambda f, m: seen.append((f, m, threading.get_ident())))
    with qtbot.waitSignal(job.finished, timeout=5000) as blocker:
        pass
    assert blocker.args[0] != ui_thread  # the work ran on the worker thread
    assert seen and all(tid == ui_thread for _, _, tid in seen)
    assert seen[-1][0] == pytest.approx(1.0)
    assert job.state is JobState.DONE and not live_threads()


def test_user_error_reaches_failed_with_its_message(qtbot):
    runner = JobRunner()
    errors = []
    runner.job_failed.connect(lambda job, msg: errors.append(msg))

    def work(progress, cancel):
        raise MediaError("/videos/broken.mp4", "no video stream")

    job = runner.submit(JobSpec("analyze", work))
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        pass
    assert blocker.args == ["/videos/broken.mp4: no video stream"]
    assert errors == ["/videos/broken.mp4: no video stream"]
    assert job.state is JobState.FAILED


def test_cancel_stops_a_running_job_at_its_next_check(qtbot):
    runner = JobRunner()
    started = threading.Event()
    steps = []

    def work(progress, cancel: CancelToken):
        started.set()
        for i in range(500):
            cancel.check()
            steps.append(i)
            time.sleep(0.01)
        return "completed"

    job = runner.submit(JobSpec("long", work))
    assert started.wait(5)
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        job.cancel()
    assert job.state is JobState.CANCELLED and job.result is None
    assert len(steps) < 500


def test_model_jobs_run_one_at_a_time_in_order(qtbot):
    runner = JobRunner()
    running = []
    overlap = []
    order = []
    lock = threading.Lock()

    def make(name):
        def work(progress, cancel):
            with lock:
                running.append(name)
                overlap.append(len(running))
            time.sleep(0.1)
            with lock:
                running.remove(name)
                order.append(name)
            return name
        return work

    jobs = [runner.submit(JobSpec(f"job {n}", make(n))) for n in "abc"]
    assert [j.state for j in jobs] == [JobState.RUNNING, JobState.QUEUED, JobState.QUEUED]
    _wait(qtbot, jobs[-1])
    assert order == ["a", "b", "c"] and max(overlap) == 1


def test_cancelling_a_queued_job_drops_it(qtbot):
    runner = JobRunner()
    gate = threading.Event()
    ran = []
    first = runner.submit(JobSpec("first", lambda p, c: gate.wait(5)))
    second = runner.submit(JobSpec("second", lambda p, c: ran.append(1)))
    with qtbot.waitSignal(second.cancelled, timeout=1000):
        second.cancel()
    gate.set()
    _wait(qtbot, first)
    assert second.state is JobState.CANCELLED and ran == []


def test_light_jobs_do_not_wait_for_a_model_job(qtbot):
    runner = JobRunner()
    gate = threading.Event()
    model = runner.submit(JobSpec("model", lambda p, c: gate.wait(5)))
    light = runner.submit(JobSpec("export", lambda p, c: "exported", model=False))
    with qtbot.waitSignal(light.finished, timeout=3000):
        pass
    assert model.state is JobState.RUNNING
    gate.set()
    _wait(qtbot, model)


def test_shutdown_joins_running_threads(qtbot):
    runner = JobRunner()
    started = threading.Event()

    def work(progress, cancel):
        started.set()
        while True:
            cancel.check()
            time.sleep(0.01)

    runner.submit(JobSpec("forever", work))
    queued = runner.submit(JobSpec("never", lambda p, c: None))
    assert started.wait(5)
    assert runner.shutdown(timeout_ms=5000)
    assert not live_threads() and queued.state is JobState.CANCELLED
