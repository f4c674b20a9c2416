"""Focus after dialogs, menus and errors, under a real X server and window manager (Xvfb and
openbox, as ``make sysdeps`` installs them, keys typed on the X keyboard with xdotool): offscreen Qt has no window manager to move the
activation around, so the window is run in a child process on its own virtual screen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("openbox") and shutil.which("xdotool")),
                                reason="needs Xvfb, openbox and xdotool (make sysdeps)")


@pytest.fixture
def x_display(tmp_path):
    """A virtual X screen of 1280x800 with openbox managing its windows."""
    for number in range(140, 200):
        if not Path(f"/tmp/.X{number}-lock").exists():  # noqa: S108 - where X servers keep their display locks
            break
    display = f":{number}"
    xvfb = subprocess.Popen([shutil.which("Xvfb"), display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    env = {**os.environ, "DISPLAY": display}
    wm = subprocess.Popen([shutil.which("openbox")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    try:
        yield display
    finally:
        for proc in (wm, xvfb):
            proc.terminate()
            proc.wait(10)


def test_keys_work_after_every_dialog_menu_and_error_at_1024x640(filled_db, x_display):
    db, video_id = filled_db
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb",
           "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, str(HERE / "x11_focus_child.py"), str(db), str(video_id)], env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["size"] == [1024, 640] and seen["min_width"] <= 1024, seen
    for step in ("after_menu", "after_file_dialog", "while_error_shown", "after_error", "after_settings"):
        assert seen[step]["active"], (step, seen)
        assert seen[step]["focus"] == "TimelineView", (step, seen)
        assert seen[step]["label_changed"], (step, seen)  # the label key reached the window
    assert not seen["error_took_keys"]  # a background failure is shown without taking the keyboard
    assert seen["second_error_text"] == "second: another file is missing"  # not the one already read
