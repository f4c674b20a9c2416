"""Nothing lost, nothing silent: every added video is stored at once with its analysis state and
resumes after a restart; closing during an analysis says so and stops the child within 2 s."""

from __future__ import annotations

import shutil
import threading
import time

from hhir.store import Store
from hhir_studio.jobs import JobSpec, JobState
from hhir_studio.videos import queue_book


def _hold_the_queue(window):
    """A model job that runs until released, so analyses queued after it wait."""
    release = threading.Event()
    window.runner.submit(JobSpec("Busy", lambda p, c: release.wait(30)))
    return release


def test_a_queued_video_is_stored_at_once_and_resumes_after_a_restart(tmp_path, scene_video, open_window, qtbot):
    db = tmp_path / "project.sqlite3"
    second = tmp_path / "second scene.mp4"
    shutil.copy(scene_video, second)
    with open(second, "ab") as handle:  # same frames, another file: another fingerprint
        handle.write(b"\0" * 4096)
    window = open_window(db)
    release = _hold_the_queue(window)
    jobs = window.analyze([str(scene_video), str(second)])
    assert [j.state for j in jobs] == [JobState.QUEUED, JobState.QUEUED]
    with Store(db) as other:  # on disk before any analysis ran
        videos = other.videos()
        assert sorted(v.path for v in videos) == sorted([str(scene_video), str(second)])
        assert set(other.stage_params(queue_book.STAGE).values()) == {queue_book.QUEUED}
    assert set(window.videos.rows) == {str(scene_video), str(second)}
    jobs[1].cancel()  # the user cancels one: it stays cancelled, it is not resumed
    release.set()
    window.close()  # the other is still queued: it stays so
    states = window.analysis.book.states()
    assert sorted(states.values()) == [queue_book.CANCELLED, queue_book.QUEUED]
    window.store.close()

    again = open_window(db)
    resumed = again.analysis.book.to_resume()
    assert [v.path for v in resumed] == [str(scene_video)]
    release = _hold_the_queue(again)
    [job] = again.resume_unfinished()
    assert job.spec.key == str(scene_video) and job.state is JobState.QUEUED
    release.set()


def test_a_file_that_is_not_a_video_is_named_at_once_and_not_stored(tmp_path, open_window):
    db = tmp_path / "project.sqlite3"
    window = open_window(db)
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video")
    assert window.analyze([str(notes)]) == []
    assert "notes.mp4" in window.statusBar().currentMessage()
    assert window.store.videos() == []


def test_closing_during_analysis_says_so_and_stops_the_child_within_2_s(tmp_path, scene_video, open_window, qtbot):
    db = tmp_path / "project.sqlite3"
    window = open_window(db)
    [job] = window.analyze([str(scene_video)])
    qtbot.waitUntil(lambda: job.state is JobState.RUNNING and job.fraction > 0.0, timeout=120_000)  # the child works
    shown = []
    original = window.status.update_state

    def spy():
        original()
        shown.append(window.status.state.text())

    window.status.update_state = spy
    started = time.monotonic()
    window.close()
    took = time.monotonic() - started
    assert job.state is JobState.CANCELLED
    assert took < 2.0, f"closing took {took:.2f} s"
    assert any(text.startswith("Stopping analysis") for text in shown)
    assert window.analysis.book.states() == {window.store.videos()[0].id: queue_book.ANALYZING}  # resumes next start
