"""A real scene annotated with who -> whom from the keyboard alone, out in four formats and back.

Analyses a dev-set video (default ``sophie-7.webm`` from ``$HHIR_DEVSET``) into a new project,
keeps a copy of the analysed project (the "fresh" one), then drives the real window offscreen with
key presses only: at each planned frame Tab selects the first person on the frame, a label's key
starts the interaction, Tab (or G) chooses whom, ``[`` and ``]`` at the planned frames set the span,
Enter records it. The interactions are exported as VidOR, AVA (+ target column), ELAN and Label
Studio with ``hhir interactions export`` and each file is imported into its own copy of the fresh
project; the script prints each format's records and whether actor, label, target, span, state and
annotator came back unchanged (exit status 1 when one did not).

    QT_QPA_PLATFORM=offscreen python bench/interactions_real_scene.py [--video NAME] [--out DIR]

The plan's spans are whole seconds (25 fps), so AVA's one row per second brings them back exactly.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from devset import default_cache

# (frame where the keys are pressed, label key, whom: Tabs or "G", start frame, end frame)
PLAN = [(10, 3, 1, 0, 25), (50, 4, 1, 50, 75), (110, 5, "G", 100, 125), (127, 1, 1, 125, 150)]
FORMATS = (("vidor", "json"), ("ava", "csv"), ("eaf", "eaf"), ("labelstudio", "json"))


def _parts(store, video_id: int) -> list[tuple]:
    number = {c.id: c.number for c in store.characters(video_id)}
    return sorted((number[i.actor_id], i.label, i.target_kind, number.get(i.target_id), i.start_frame, i.end_frame, i.state,
                   i.annotator) for i in store.interactions(video_id))


def annotate(db: Path) -> list[str]:
    """Drive the window on ``db``: the plan, from key presses only; returns the status lines."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from hhir_studio.app import Arguments, create_window

    app = QApplication.instance() or QApplication([])
    w = create_window(Arguments(db, []))
    w.resize(1280, 800)
    w.show()

    def spin(done, timeout: float = 20.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            app.processEvents()
            QTest.qWait(20)
            if done():
                return True
        return False

    def key(k, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        w.activateWindow()
        spin(lambda: QApplication.activeWindow() is w, 5)
        QTest.keyClick(w.focusWidget() or w, k, modifier)
        app.processEvents()

    def at(frame: int) -> None:
        w.player.seek_frame(frame)
        spin(lambda: w.player.current_frame() == frame, 10)
        w.player.setFocus()

    said: list[str] = []
    w.session.status_reported.connect(said.append)
    w.open_video(w.store.videos()[0].id)
    spin(lambda: w.player.player.duration() > 0)
    lines = []
    try:
        for here, label_key, whom, start, end in PLAN:
            at(here)
            key(Qt.Key.Key_Escape)  # nobody selected: Tab starts from the left
            key(Qt.Key.Key_Tab)
            key(getattr(Qt.Key, f"Key_{label_key}"))
            if whom == "G":
                key(Qt.Key.Key_G)
            else:
                for _ in range(int(whom)):
                    key(Qt.Key.Key_Tab)
            at(end - 1)
            key(Qt.Key.Key_BracketRight)
            at(start)
            key(Qt.Key.Key_BracketLeft)
            key(Qt.Key.Key_Return)
            lines.append(f"frame {here}: {said[-1] if said else '(nothing said)'}")
    finally:
        w.close()
        w.store.close()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--video", default="sophie-7.webm")
    parser.add_argument("--out", type=Path, default=Path("interactions-real-scene"))
    args = parser.parse_args()
    from hhir.cli import main as hhir
    from hhir.pipeline import AnalysisOptions, analyze
    from hhir.store import Store

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    db, fresh = out / "scene.hhir", out / "fresh.hhir"
    for old in out.glob("*.hhir*"):
        old.unlink()
    started = time.process_time()
    with Store(db) as store:
        video_id = analyze(store, default_cache() / args.video, AnalysisOptions())
        print(f"analysed {args.video}: {len(store.characters(video_id))} characters, "
              f"{len(store.person_tracks(video_id))} tracks ({time.process_time() - started:.0f} CPU s in this process)")
    shutil.copy(db, fresh)
    for line in annotate(db):
        print(line)
    with Store(db) as store:
        made = _parts(store, video_id)
        annotator = store.interactions(video_id)[0].annotator if made else ""
    print(f"{len(made)} interactions from the keys")
    same = True
    for fmt, suffix in FORMATS:
        file = out / f"scene.{fmt}.{suffix}"
        copy = out / f"fresh-{fmt}.hhir"
        shutil.copy(fresh, copy)
        if hhir(["interactions", "export", str(video_id), str(file), "--format", fmt, "--db", str(db)]) != 0:
            return 1
        if hhir(["interactions", "import", str(video_id), str(file), "--format", fmt, "--annotator", annotator, "--db", str(copy)]) != 0:
            return 1
        with Store(copy) as store:
            back = _parts(store, video_id)
        same = same and back == made
        print(f"{fmt}: {'unchanged' if back == made else 'CHANGED'} ({len(back)} interactions)")
        for record in back:
            print("   ", record)
    return 0 if same and made else 1


if __name__ == "__main__":
    sys.exit(main())
