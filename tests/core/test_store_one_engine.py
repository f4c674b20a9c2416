"""One engine per project file per process: a second Store, a backup or a check in the same process
never closes a descriptor of the file behind the first Store's back.

SQLite's locks are POSIX advisory locks, which belong to the process: closing *any* descriptor of
the file releases all of them ("How To Corrupt An SQLite Database File", 2.2). Another process
that then opens and closes the project believes it is the last user, checkpoints and deletes the
``-wal`` the first Store still writes to, and every edit confirmed afterwards is gone after a kill.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app_kill import deleted_wal
from hhir.store import Store
from hhir.store.engine import held_engines
from hhir.types import Clip, VideoInfo

ROOT = Path(__file__).resolve().parents[2]
EDITS = 5

# Opens the project twice (and a third time, closed at once), waits for the test to open and close
# the file from another process, then confirms EDITS labels, printing each after annotate() returned.
WRITER = """
import sys
from hhir.store import Store
from hhir.types import AnnotationState, Target
first = Store(sys.argv[1])
second = Store(sys.argv[1])
Store(sys.argv[1]).close()
vid = int(sys.argv[2])
clips = [c.id for c in first.clips(vid)]
print("ready", flush=True)
sys.stdin.readline()
for i in range(int(sys.argv[3])):
    first.annotate(Target(vid, clips[i % len(clips)]), "asks", AnnotationState.PRESENT, f"w{i}")
    print(i, flush=True)
second.labels()
print("done", flush=True)
sys.stdin.readline()
"""


def make_project(path: Path) -> int:
    with Store(path) as db:
        vid = db.add_video(VideoInfo("/f/a.mp4", 8.0, 25.0, 200, 160, 120, True, fingerprint="fp")).id
        db.set_clips(vid, [Clip(i, i, i + 2, float(i), i + 3.0, i * 25, (i + 3) * 25) for i in range(4)])
    return vid


def open_and_close_elsewhere(path: Path) -> None:
    """What `hhir labels list` or a plain sqlite3 reader does: open, read, close (here, in this process)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("SELECT count(*) FROM annotations").fetchone()
    finally:
        conn.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/fd")
def test_a_second_store_in_the_process_keeps_the_wal_and_every_confirmed_edit(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    vid = make_project(path)
    with subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(vid), str(EDITS)], cwd=ROOT,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        assert child.stdout.readline() == "ready\n", child.stderr.read()
        open_and_close_elsewhere(path)
        child.stdin.write("go\n")
        child.stdin.flush()
        confirmed = [int(child.stdout.readline()) for _ in range(EDITS)]
        assert child.stdout.readline() == "done\n", child.stderr.read()
        open_and_close_elsewhere(path)  # again, while the child holds both Stores open
        sightings = deleted_wal(child.pid, path)
        child.send_signal(signal.SIGKILL)  # Popen's exit waits for it
    assert sightings == []
    assert confirmed == list(range(EDITS))
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        kept = {who for (who,) in conn.execute("SELECT DISTINCT annotator FROM annotations")}
    finally:
        conn.close()
    assert kept == {f"w{i}" for i in confirmed}


def test_stores_on_one_file_share_one_engine_until_the_last_closes(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    make_project(path)
    first = Store(path)
    second = Store(tmp_path / "." / "p.sqlite")  # the same file, spelled differently
    assert first._engine is second._engine
    key = str(path.resolve())  # only this file's entry: other tests' projects may still be held
    assert held_engines().get(key) == 2
    second.close()
    second.close()  # closing twice releases once
    assert held_engines().get(key) == 1
    assert first.labels()  # the first Store still works after the second closed
    first.close()
    assert key not in held_engines()


OUTSIDE_READER = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT 1 FROM labels').fetchall(); c.close()"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/fd")
def test_checks_in_the_process_that_holds_the_project_keep_its_locks(tmp_path: Path) -> None:
    from hhir.doctor import check_lines, report
    from hhir.errors import StoreError
    from hhir.store.repair import integrity_problems, repair

    path = tmp_path / "p.sqlite"
    make_project(path)
    with Store(path) as held:
        held.labels()
        # everything this process may do to the file while it holds it open
        Store(path).close()
        assert integrity_problems(path) == []
        assert check_lines(path)[0]
        assert any("videos: 1" in line for line in report(path))
        with pytest.raises(StoreError, match="open in this program"):
            repair(path)
        subprocess.run([sys.executable, "-c", OUTSIDE_READER, str(path)], check=True)
        assert deleted_wal(os.getpid(), path) == []
        assert path.with_name(path.name + "-wal").exists()  # the outside reader was not the last user
        assert held.labels()
