"""The ``hhir`` command as a user runs it: doctor, and Ctrl-C during an analysis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hhir.cli import main
from hhir.store import Store


def test_doctor_names_versions_models_and_database(tmp_path: Path, capsys) -> None:
    db = tmp_path / "p.sqlite"
    assert main(["doctor", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "torch 2.13.0" in out and "ffmpeg: " in out and "NOT FOUND" not in out
    assert "offline: ready" in out
    assert "paper: missing models" in out and "bert-base-uncased" in out  # no network here: says how to provide it
    assert f"database: {db} (not created yet)" in out


def _wait_for_transcript(db: Path, proc: subprocess.Popen, limit_s: float = 300) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        if db.exists():
            with Store(db) as store:
                videos = store.videos()
                if videos and store.transcript(videos[0].id):
                    return
        time.sleep(0.2)
    raise AssertionError("the analysis never reached its transcript")


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_keeps_finished_stages_and_the_next_run_resumes(tmp_path: Path, scene_video: Path) -> None:
    db = tmp_path / "p.sqlite"
    command = [sys.executable, "-m", "hhir.cli", "analyze", str(scene_video), "--db", str(db)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_transcript(db, proc)
        os.kill(proc.pid, signal.SIGINT)  # what Ctrl-C sends
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "cancelled" in err and "Traceback" not in err
    with Store(db) as store:
        (video,) = store.videos()
        assert len(store.shots(video.id)) == 5 and store.transcript(video.id)
        assert store.integrity_problems() == []
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert "predictions: starter model" in rerun.stderr
