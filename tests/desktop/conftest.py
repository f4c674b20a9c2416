"""Fixtures of the desktop tests: a private config folder and a guard against leaked threads."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _config_dir(tmp_path, monkeypatch):
    """Every test gets its own settings folder so nothing leaks from the user's real settings."""
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("HHIR_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _no_leaked_worker_threads(qapp):
    """Fail a test that leaves a job's worker thread running."""
    yield
    from desktop.jobs import live_threads

    leaked = live_threads()
    for thread in leaked:  # stop them so one leak does not cascade into the next tests
        thread.quit()
        thread.wait(10000)
    assert not leaked, f"worker threads still running after the test: {[t.objectName() for t in leaked]}"
