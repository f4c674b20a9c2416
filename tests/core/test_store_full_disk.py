"""A full disk is said to be one: the project is intact, an edit that did not fit is refused by
name, exports and the pre-upgrade backup leave nothing half-written.

The disk is real: a small tmpfs mounted in a private user and mount namespace (tests/full_disk.py),
filled until the kernel answers ENOSPC. Each scenario runs inside that namespace and prints JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from full_disk import available, run_on_full_disk

pytestmark = pytest.mark.skipif(not available(), reason="needs unprivileged user and mount namespaces (unshare)")

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"

# A project on the small disk, the disk filled; then the CLI as a user runs it.
CLI_SCENARIO = """
import hashlib, json, subprocess, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from full_disk import fill
from hhir.store import Store
from hhir.types import AnnotationState, Clip, Target, VideoInfo

disk = Path(sys.argv[1])
db = disk / "p.sqlite"
with Store(db) as s:
    vid = s.add_video(VideoInfo("/f/a.mp4", 8.0, 25.0, 200, 160, 120, True, fingerprint="fp")).id
    s.set_clips(vid, [Clip(i, i, i + 2, float(i), i + 3.0, i * 25, (i + 3) * 25) for i in range(4)])
    s.annotate(Target(vid, s.clips(vid)[0].id), "asks", AnnotationState.PRESENT, "me")
fill(disk)
digest = hashlib.sha256(db.read_bytes()).hexdigest()
runs = {}
for name, args in {"labels": ["labels", "list", "--db", str(db)], "check": ["doctor", "--check", "--db", str(db)],
                   "export": ["export", "--format", "ava", "--db", str(db), str(disk / "out")]}.items():
    done = subprocess.run([sys.executable, "-m", "hhir", *args], capture_output=True, text=True)
    runs[name] = [done.returncode, done.stdout + done.stderr]
print(json.dumps({"runs": runs, "unchanged": hashlib.sha256(db.read_bytes()).hexdigest() == digest,
                  "left": sorted(p.name for p in disk.iterdir())}))
"""

# The project is open (its -wal and -shm exist) when the disk fills: an edit is refused, the
# pre-upgrade backup and an export onto that disk leave nothing; once space is freed, all works.
OPEN_SCENARIO = """
import json, os, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from full_disk import fill
from hhir.errors import HHIRError, StoreError
from hhir.exchange import ExportOptions, export
from hhir.store import Store, migrate
from hhir.types import AnnotationState, Clip, Target, VideoInfo

disk = Path(sys.argv[1])
db = disk / "p.sqlite"
found = {}
with Store(db) as s:
    vid = s.add_video(VideoInfo("/f/a.mp4", 8.0, 25.0, 200, 160, 120, True, fingerprint="fp")).id
    s.set_clips(vid, [Clip(i, i, i + 2, float(i), i + 3.0, i * 25, (i + 3) * 25) for i in range(40)])
    clips = s.clips(vid)
    s.annotate(Target(vid, clips[0].id), "asks", AnnotationState.PRESENT, "me")
    fill(disk)
    try:  # enough edits to need new pages of the -wal
        for i, clip in enumerate(clips):
            s.annotate_many([(Target(vid, clip.id), label.name, AnnotationState.ABSENT) for label in s.labels()], f"a{i}")
        found["edit"] = "saved"
    except StoreError as exc:
        found["edit"] = str(exc)
    try:
        migrate.backup(s._engine, db, "0004")
        found["backup"] = "written"
    except StoreError as exc:
        found["backup"] = str(exc)
    try:
        export(s, "ava", disk / "exports" / "ava")
        found["export"] = "written"
    except HHIRError as exc:
        found["export"] = str(exc)
    found["left"] = sorted(p.name for p in disk.iterdir())
    os.unlink(disk / "filler")
    s.annotate(Target(vid, clips[1].id), "asks", AnnotationState.PRESENT, "me")
    found["after"] = sorted((a.target.clip_id, a.label) for a in s.annotations(vid) if a.annotator == "me")
    found["first"], found["second"] = clips[0].id, clips[1].id
    found["integrity"] = s.integrity_problems()
print(json.dumps(found))
"""


def _run(tmp_path: Path, scenario: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "core"), str(ROOT / "desktop"), str(TESTS)]))
    done = run_on_full_disk(tmp_path / "disk", scenario, str(tmp_path / "disk"), str(TESTS), size="1m", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX namespaces")
def test_the_cli_on_a_full_disk_says_so_and_the_project_is_intact(tmp_path: Path) -> None:
    found = _run(tmp_path, CLI_SCENARIO)
    for name in ("labels", "check", "export"):
        code, text = found["runs"][name]
        assert "the disk is full" in text and "damaged" not in text and "unexpected" not in text, (name, text)
        assert "p.sqlite" in text and len(text.strip().splitlines()) == 1, (name, text)
    assert found["runs"]["check"][0] == 0 and "the project is intact (integrity check ok" in found["runs"]["check"][1]
    assert found["runs"]["labels"][0] == 2
    assert found["unchanged"]
    # no export folder, staging folder or backup left behind (SQLite may leave an empty -wal and -shm)
    assert set(found["left"]) <= {"filler", "p.sqlite", "p.sqlite-shm", "p.sqlite-wal"}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX namespaces")
def test_an_open_project_on_a_disk_that_fills_refuses_by_name_and_leaves_nothing_half_written(tmp_path: Path) -> None:
    found = _run(tmp_path, OPEN_SCENARIO)
    assert "the disk is full" in found["edit"] and "not saved" in found["edit"] and "intact" in found["edit"]
    assert "the disk is full" in found["backup"] and "nothing was upgraded" in found["backup"]
    assert "the disk is full" in found["export"] and "nothing was exported" in found["export"]
    # no backup that looks like one, no temporary copy, no export folder or staging folder
    assert found["left"] == ["filler", "p.sqlite", "p.sqlite-shm", "p.sqlite-wal"]
    assert found["after"] == [[found["first"], "asks"], [found["second"], "asks"]]  # before and after the full disk
    assert found["integrity"] == []
