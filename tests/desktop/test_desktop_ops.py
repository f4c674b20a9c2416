"""Heavy operations run in a child process: training reports its epochs from there, and a crash
there fails the job with a message and a dialog; the window stays up."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from hhir.jobs import CancelToken
from hhir.pipeline import analyze
from hhir.store import Store
from hhir.types import AnnotationState, Target
from hhir_studio.dialogs.training import TrainingDialog
from hhir_studio.jobs import JobState
from hhir_studio.ops.child import run_in_child


def _children_running_ops() -> list[int]:
    """Our child processes started with --op-child (read from /proc: no extra dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat[1]) == os.getpid() and b"--op-child" in argv:
            found.append(int(entry.name))
    return found


@pytest.fixture
def annotated_db(tmp_path, scene_video):
    db = tmp_path / "project.sqlite3"
    store = Store(db)
    video_id = analyze(store, scene_video)
    names = [label.name for label in store.labels()]
    for clip in store.clips(video_id):
        target = Target(video_id, clip.id)
        present = "asks" if clip.index == 0 else "talks to"
        store.annotate_many([(target, n, AnnotationState.PRESENT if n == present else AnnotationState.ABSENT)
                             for n in names], "ann")
        store.set_reviewed(target, "ann")
    store.close()
    return db, video_id


@pytest.mark.slow
def test_training_runs_in_a_child_and_its_epochs_reach_the_curves(annotated_db, open_window, qtbot):
    db, video_id = annotated_db
    window = open_window(db)
    dialog = TrainingDialog(window, window.runner)
    dialog.epochs.setValue(3)
    seen: list[list[int]] = []
    job = dialog.begin()
    job.progressed.connect(lambda *_: seen.append(_children_running_ops()))
    with qtbot.waitSignal(job.ended, timeout=300_000):
        pass
    assert job.state is JobState.DONE, dialog.status.text()
    assert any(seen), "training ran in the window's own process"
    points = dialog.plot.series["train loss"].points
    assert [epoch for epoch, _ in points] == list(range(1, len(points) + 1)) and points
    model = dialog.result_.model
    assert window.store.model(model.id) is not None and Path(dialog.result_.path).is_dir()
    activation = dialog.activate_new()
    with qtbot.waitSignal(activation.ended, timeout=300_000):
        pass
    assert activation.state is JobState.DONE and window.store.active_model().id == model.id


def test_a_child_that_dies_fails_the_job_with_a_message_and_a_dialog(filled_db, open_window, qtbot, scene_video):
    db, _ = filled_db
    window = open_window(db)
    killed: list[int] = []

    def kill_on_first_progress(*_):
        for pid in _children_running_ops():
            if pid not in killed:
                os.kill(pid, signal.SIGKILL)  # what a segfault in native code looks like from outside
                killed.append(pid)

    (job,) = window.analysis.analyze([str(scene_video)])
    job.progressed.connect(kill_on_first_progress)
    with qtbot.waitSignal(job.ended, timeout=300_000):
        pass
    assert killed and job.state is JobState.FAILED
    notice = window._failures
    assert notice is not None and notice.isVisible()
    assert "stopped unexpectedly" in notice.text() and str(-signal.SIGKILL) in notice.text()
    assert window.isVisible() and window.store.videos()  # the window and the project are fine


def test_an_unknown_operation_is_an_error_not_a_hang(tmp_path):
    from hhir.errors import HHIRError

    with pytest.raises(HHIRError, match="KeyError"):
        run_in_child("no-such-op", {}, lambda *_: None, CancelToken())


def test_the_request_reaches_the_child_on_stdin_never_on_its_command_line(tmp_path, scene_video):
    """A request names the project, and a postgresql:// URL may hold a password: anyone on the
    machine can read a process's command line (``ps``), so it must not be there."""
    from hhir.pipeline import AnalysisOptions
    from hhir_studio.operations import AnalyzeRequest, run_op

    marker = "pw-Zq81-not-in-argv"
    request = AnalyzeRequest(str(tmp_path / f"{marker}.sqlite3"), str(scene_video), AnalysisOptions())
    command_lines: list[bytes] = []

    def read_command_lines(*_):
        for pid in _children_running_ops():
            try:
                command_lines.append((Path("/proc") / str(pid) / "cmdline").read_bytes())
            except OSError:
                pass

    outcome = run_op("analyze", request, read_command_lines, CancelToken())
    assert command_lines, "no child was seen while it worked"
    assert all(b"--op-child" in line and b"analyze" in line for line in command_lines)
    assert not any(marker.encode() in line or b"video_path" in line for line in command_lines), command_lines
    assert outcome.changes.analyzed == (outcome.value,)  # the child got the request and ran it
    store = Store(tmp_path / f"{marker}.sqlite3")
    try:
        assert [v.id for v in store.videos()] == [outcome.value]
    finally:
        store.close()
