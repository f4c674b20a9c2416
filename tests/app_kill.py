"""The whole app under SIGKILL: the real main window, labelling while an analysis and a training run
in child processes and an export runs in the window's own process, killed at a random moment while
another process opens and closes the project in a loop.

``python app_kill.py DB VIDEO OUT RUN`` is one life of the app (offscreen): it opens the project
``DB``, resumes what the last life left unfinished, queues ``VIDEO`` for analysis, starts a training
run and an export into ``OUT`` (each started again when it ends), and labels as a person does with
the number keys (``ReviewSession.cycle_label``), as annotator ``RUN``. It prints ``ready`` once the
window is up, then for each edit ``begin CLIP LABEL STATE`` (tab-separated) before the call and ``ok`` after it
returned (the edit is confirmed).

:func:`run_kills` is the harness shared by the suite's short test and ``bench/reliability.py``'s
long run: after each kill, ``PRAGMA integrity_check`` must say ok and every confirmed edit must be in
the file; while the app lives, its ``/proc/<pid>/fd`` is read every 20 ms for a ``-wal``
shown as ``(deleted)``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LABEL_EVERY_MS = 30

# What another process does to the project in a loop: open, read, close (a plain sqlite3 reader,
# the same as `hhir labels list` does to the file).
OUTSIDE_READER = """
import sqlite3, sys, time
while True:
    try:
        c = sqlite3.connect(sys.argv[1], timeout=10)
        c.execute("SELECT count(*) FROM annotations").fetchone()
        c.close()
    except sqlite3.Error:
        pass
    time.sleep(0.02)
"""


def drive(db: str, video: str, out: str, run: str) -> int:
    """One life of the app (the child side); never returns on its own: it is killed."""
    from dataclasses import replace

    from PySide6.QtCore import QTimer

    from hhir import settings as settings_file
    from hhir.types import Target
    from hhir_studio.app import Arguments, _application, create_window
    from hhir_studio.dialogs.export import ExportDialog
    from hhir_studio.dialogs.training import TrainingDialog
    from hhir_studio.labels import logic

    settings_file.save(replace(settings_file.load(), annotator=run))
    app = _application([])
    window = create_window(Arguments(Path(db), []))
    window.show()
    store = window.store
    labelled = store.videos()[0].id
    window.open_video(labelled)
    window.resume_unfinished()
    rng = random.Random(run)
    exports = [0]

    def analyze() -> None:  # again when it ends: a re-analysis rewrites features and suggestions
        for job in window.analyze([video]):
            job.ended.connect(lambda: QTimer.singleShot(500, analyze))

    def export() -> None:
        dialog = ExportDialog(window, window.runner)
        exports[0] += 1
        dialog.folder.setText(str(Path(out) / f"{run}-{exports[0]}"))
        job = dialog.begin()
        if job is not None:
            job.ended.connect(lambda: QTimer.singleShot(500, export))

    def train() -> None:
        dialog = TrainingDialog(window, window.runner)
        dialog.epochs.setValue(2)
        dialog.begin().ended.connect(lambda: QTimer.singleShot(500, train))

    def label() -> None:
        session = window.session
        if session.data is None or session.data.video.id != labelled:
            window.open_video(labelled)
            return
        clip = rng.choice(session.data.clips)
        session.select(Target(labelled, clip.id))
        number = rng.randint(1, 9)
        chosen = logic.label_for_key(session.labels, number)
        if chosen is None:
            return
        after = logic.next_state(session.state(chosen.name))
        print(f"begin\t{clip.id}\t{chosen.name}\t{'none' if after is None else after.value}", flush=True)
        try:
            session.cycle_label(number)
        except Exception as exc:  # noqa: BLE001 - a refused edit is reported, not confirmed
            print(f"refused {' '.join(str(exc).split())}", flush=True)
            return
        print("ok", flush=True)

    analyze()
    export()
    train()
    timer = QTimer(window)
    timer.timeout.connect(label)
    timer.start(LABEL_EVERY_MS)
    print("ready", flush=True)
    return app.exec()


# --- the harness (the test's side) ----------------------------------------------------------------


@dataclass
class Figures:
    kills: int = 0
    confirmed: int = 0
    lost: int = 0
    deleted_wal_sightings: int = 0
    fd_samples: int = 0
    refused: int = 0
    integrity_failures: int = 0
    lives_up: int = 0  # lives whose window was up when killed; the others died starting
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"kills": self.kills, "confirmed_edits": self.confirmed, "edits_lost": self.lost,
                "deleted_wal_sightings": self.deleted_wal_sightings, "fd_samples": self.fd_samples,
                "refused_edits": self.refused, "integrity_failures": self.integrity_failures,
                "lives_up_when_killed": self.lives_up,
                "problems": self.problems[:20]}


def make_project(folder: Path) -> tuple[Path, Path]:
    """A project as a person leaves it: one generated film analysed for real and labelled (every
    label decided on every clip, reviewed), so training has data; and a second film to analyse."""
    from media_factory import make_video

    from hhir.pipeline import analyze
    from hhir.store import Store
    from hhir.types import AnnotationState, Target

    folder.mkdir(parents=True, exist_ok=True)
    speech = [(0.3, "Where is the train station?"), (3.6, "It is next to the old bridge.")]
    first = make_video(folder / "first.mp4", [(40, "red"), (35, "green"), (45, "blue"), (30, "yellow"), (50, "magenta")], speech=speech)
    second = make_video(folder / "second.mp4", [(30, "blue"), (40, "red"), (30, "green")], speech=speech[:1])
    db = folder / "project.sqlite3"
    with Store(db) as store:
        video_id = analyze(store, first)
        names = [label.name for label in store.labels()]
        for clip in store.clips(video_id):
            target = Target(video_id, clip.id)
            present = "asks" if clip.index == 0 else "talks to"
            store.annotate_many([(target, n, AnnotationState.PRESENT if n == present else AnnotationState.ABSENT)
                                 for n in names], "ann")
            store.set_reviewed(target, "ann")
    return db, second


def deleted_wal(pid: int, db: Path) -> list[str]:
    """The descriptors of process ``pid`` that point at ``db``'s -wal after it was deleted."""
    found = []
    try:
        entries = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:  # the process is gone
        return found
    for fd in entries:
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith(str(db) + "-wal") and target.endswith("(deleted)"):
            found.append(target)
    return found


def _watch_fds(pid: int, db: Path, stop: threading.Event, figures: Figures) -> None:
    while not stop.is_set():
        if deleted_wal(pid, db):
            figures.deleted_wal_sightings += 1
        figures.fd_samples += 1
        stop.wait(0.02)


def expected_states(lines: list[str]) -> tuple[dict[tuple[int, str], set[str]], int, int]:
    """From one life's output: for each (clip, label) the states the file may hold (the last
    confirmed one, and any begun after it that the kill may or may not have let commit), the number
    of confirmed edits, and of refused ones."""
    allowed: dict[tuple[int, str], set[str]] = {}
    pending: tuple[tuple[int, str], str] | None = None
    confirmed = refused = 0
    for line in lines:
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 4 and parts[0] == "begin":
            key = (int(parts[1]), parts[2])
            pending = (key, parts[3])
            allowed.setdefault(key, {"none"}).add(parts[3])  # may have committed just before the kill
        elif parts == ["ok"] and pending is not None:
            key, state = pending
            allowed[key] = {state}
            pending = None
            confirmed += 1
        elif parts[0].startswith("refused") and pending is not None:
            refused += 1
            pending = None
    if pending is not None:  # the edit under way at the kill: before or after, both are right
        key, state = pending
        allowed[key] = allowed[key] | {state}
    # keys never confirmed may hold "none" (never written) or a state begun before the kill
    return allowed, confirmed, refused


def check_file(db: Path, run: str, lines: list[str], figures: Figures) -> None:
    allowed, confirmed, refused = expected_states(lines)
    figures.confirmed += confirmed
    figures.refused += refused
    conn = sqlite3.connect(db, timeout=30)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchall()
        rows = conn.execute("SELECT clip_id, label, state FROM annotations WHERE annotator = ?", (run,)).fetchall()
    finally:
        conn.close()
    if check != [("ok",)]:
        figures.integrity_failures += 1
        figures.problems.append(f"{run}: integrity_check {check[:3]}")
    held = {(clip, label): state for clip, label, state in rows}
    for key, states in allowed.items():
        if held.get(key, "none") not in states:
            figures.lost += 1
            figures.problems.append(f"{run}: clip {key[0]} {key[1]!r} is {held.get(key, 'none')}, confirmed {sorted(states)}")


def one_life(db: Path, video: Path, out: Path, run: str, delay_s: float, figures: Figures, env: dict,
             after_ready: bool = False) -> None:
    """Start the app, SIGKILL it ``delay_s`` after it was started (while it starts, opens the
    project, labels, analyses, trains or exports) or, ``after_ready``, after its first confirmed
    edit (its window is up and labelling); then check the file."""
    lines: list[str] = []
    out.mkdir(parents=True, exist_ok=True)
    with open(out / f"{run}.stderr", "w", encoding="utf-8") as err, \
            subprocess.Popen([sys.executable, str(HERE / "app_kill.py"), str(db), str(video), str(out), run],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True) as app:
        stop = threading.Event()
        watcher = threading.Thread(target=_watch_fds, args=(app.pid, db, stop, figures), daemon=True)
        reader = threading.Thread(target=lambda: lines.extend(iter(app.stdout.readline, "")), daemon=True)
        watcher.start()
        reader.start()
        if after_ready:  # from the first confirmed edit on: the window is up and labelling
            deadline = time.monotonic() + 300
            while "ok\n" not in lines and app.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
        time.sleep(delay_s)
        if app.poll() is not None:  # it ended by itself: a crash, which is a finding, not a kill
            err.flush()
            tail = (out / f"{run}.stderr").read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            figures.problems.append(f"{run}: the app exited by itself ({app.returncode}): {' | '.join(tail)}")
        else:
            _kill_tree(app.pid)
        app.wait(60)
        stop.set()
        watcher.join(5)
        reader.join(30)
    figures.kills += 1
    figures.lives_up += "ready\n" in lines
    check_file(db, run, lines, figures)


def _kill_tree(pid: int) -> None:
    """SIGKILL the app, then the op children it leaves behind (a real crash leaves them to finish
    and exit on a closed pipe; killing them keeps runs apart)."""
    children = [int(p) for p in _children(pid)]
    os.kill(pid, signal.SIGKILL)
    for child in children:
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _children(pid: int) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(entry.name)
            except (OSError, IndexError, ValueError):
                continue
    return found


def run_kills(db: Path, video: Path, out: Path, kills: int, seed: int, max_delay_s: float,
              env: dict | None = None, after_ready_share: float = 1.0, startup_s: float = 20.0,
              journal: Path | None = None) -> Figures:
    """``kills`` lives of the app on ``db``, each killed ``0..max_delay_s`` seconds after its first
    confirmed edit (a share ``1 - after_ready_share`` of them: ``0..startup_s`` seconds after it
    started, while it starts up), while another process opens and closes ``db`` in a loop."""
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "core"), str(ROOT / "desktop"), env.get("PYTHONPATH", "")])
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    rng = random.Random(seed)
    figures = Figures()
    with subprocess.Popen([sys.executable, "-c", OUTSIDE_READER, str(db)], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL) as reader:
        try:
            for n in range(kills):
                after_ready = rng.random() < after_ready_share
                delay = rng.uniform(0.0, max_delay_s if after_ready else startup_s)
                one_life(db, video, out, f"life{seed}-{n}", delay, figures, env, after_ready)
                if journal is not None:
                    with journal.open("a", encoding="utf-8") as handle:
                        handle.write(json.dumps(figures.as_dict()) + "\n")
        finally:
            reader.kill()
    return figures


if __name__ == "__main__":
    sys.exit(drive(*sys.argv[1:5]))
