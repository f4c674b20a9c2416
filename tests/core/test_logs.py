"""The log file: details a one-line message leaves out, kept in the user data folder, rotated."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from hhir.logs import BACKUPS, MAX_BYTES, log_dir, log_file, setup_logging


def test_the_file_keeps_details_and_rotates(tmp_path):
    path = setup_logging("unit")
    try:
        assert path == log_file("unit") and path.parent == log_dir()
        try:
            raise ValueError("the detail a user would send")
        except ValueError:
            logging.getLogger("hhir.test").exception("it failed")
        for _ in range(3 * MAX_BYTES // 1000):
            logging.getLogger("hhir.test").info("x" * 1000)
        files = sorted(path.parent.glob("unit.log*"))
        assert 2 <= len(files) <= BACKUPS + 1 and all(f.stat().st_size <= MAX_BYTES + 2000 for f in files)
        text = "".join(f.read_text(encoding="utf-8") for f in files)
        assert "Traceback" in text and "the detail a user would send" in text
    finally:
        setup_logging("unit")  # handlers replaced, not stacked
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_hhir_handler", False)]
    assert len(ours) == 2


def test_an_unwritable_folder_logs_to_stderr_only(tmp_path, monkeypatch):
    blocked = tmp_path / "data"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setenv("HHIR_DATA_DIR", str(blocked))
    assert setup_logging("unit") is None
    logging.getLogger("hhir.test").warning("still said")


def test_the_command_line_writes_its_log(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "hhir.cli", "-v", "queue", "--db", str(tmp_path / "p.sqlite3")],
                          capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr
    assert log_file("hhir").is_file() and log_file("hhir").stat().st_size > 0
