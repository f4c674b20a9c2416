"""The command line reads the settings file the app writes; flags override it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hhir.settings import Settings, save

HHIR = [sys.executable, "-m", "hhir.cli"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*HHIR, *args], capture_output=True, text=True, timeout=300, env=os.environ.copy(),
                          stdin=subprocess.DEVNULL)


def test_the_cli_works_on_the_project_the_settings_name(tmp_path: Path) -> None:
    project = tmp_path / "team project.sqlite3"
    save(Settings(database=str(project)))
    proc = _run("queue")
    assert proc.returncode == 0, proc.stderr
    assert project.exists()  # the app's project, not the default one
    other = tmp_path / "other.sqlite3"
    assert _run("queue", "--db", str(other)).returncode == 0
    assert other.exists()  # a flag wins over the setting


def test_the_settings_profile_and_clip_window_are_used(tmp_path: Path) -> None:
    save(Settings(profile=str(tmp_path / "no such profile"), clip_size=4, database=str(tmp_path / "p.sqlite3")))
    video = tmp_path / "v.mp4"
    video.write_bytes(b"")
    proc = _run("analyze", str(video))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "no such profile" in proc.stderr  # the settings' profile was the one tried


def test_a_broken_settings_file_is_one_line_naming_it(tmp_path: Path) -> None:
    folder = Path(os.environ["HHIR_CONFIG_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.json").write_text('{"clip_size": "three"}', encoding="utf-8")
    proc = _run("queue")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "settings.json" in lines[0] and "clip_size" in lines[0]
