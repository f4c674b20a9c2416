"""How soon the window shows the project's last state: the seconds from the start of a fresh process
to the window's first paint, and to the label panel's first paint of the clip that was selected when
the app last closed.

``python bench/startup_bench.py VIDEO OTHER_VIDEO [--json OUT]`` fills a project with two analysed
films over the two files (each 2,000 shots, ~20,000 clips and a model's scores for every clip, as ``app_bench.fill``),
records the second film's clip 500 as the last selection, then starts the app in a child process
(offscreen Qt) as ``hhir-studio`` starts: window shown, then the last state. Prints one JSON object:
seconds from process start to the window's first paint, to the label panel's first paint of that
clip (read on its own, before the film), and to the timeline's first paint of the whole film (read
on a thread after the window shows); and the machine's load average.

Measured (docs/performance.md, one run each, one session, ``nice -n 10``, 2-core shared machine): the
label panel showed the last clip 21.44 s after the window's first paint before this was read first
(commit d22dfc1, load 7.2), 0.24 s now (load 6.8): 89× sooner; the whole film's timeline 4.42 s after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

CHILD = r"""
import json, sys, time
T0 = time.perf_counter()
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from hhir_studio.app import Arguments, _application, create_window

marks = {}

class Painted(QObject):
    def __init__(self, name, ready):
        super().__init__()
        self.name, self.ready = name, ready
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.name not in marks and self.ready():
            marks[self.name] = time.perf_counter() - T0
        return False

app = _application([])
window = create_window(Arguments(Path(sys.argv[1]), []))
created = time.perf_counter() - T0
frame = Painted("window_painted_s", lambda: True)
window.installEventFilter(frame)
panel = Painted("last_clip_painted_s", lambda: window.labels.title.text().startswith(sys.argv[2]))
window.labels.installEventFilter(panel)
timeline = Painted("timeline_painted_s", lambda: window.timeline.layout_data is not None)
window.timeline.installEventFilter(timeline)
window.show()
app.processEvents()
marks["window_shown_s"] = time.perf_counter() - T0
QTimer.singleShot(0, window.restore_last_state)
QTimer.singleShot(0, window.resume_unfinished)
end = time.perf_counter() + 120
while len(marks) < 4 and time.perf_counter() < end:
    app.processEvents()
    time.sleep(0.005)
marks["window_created_s"] = created
print(json.dumps(marks))
window.close()
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("other", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from PySide6.QtCore import QSettings

    from app_bench import fill
    from hhir.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        config.mkdir()
        os.environ["HHIR_CONFIG_DIR"] = str(config)
        db = Path(tmp) / "two films.sqlite3"
        with Store(db) as store:
            fill(store, args.video)
            second, clips = fill(store, args.other)
            clip = store.clips(second)[499]
        saved = QSettings(str(config / "window.ini"), QSettings.Format.IniFormat)
        saved.setValue("review/video", second)
        saved.setValue("review/clip", clip.id)
        saved.sync()
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        out = subprocess.run([sys.executable, "-c", CHILD, str(db), f"Clip {clip.index + 1} "], capture_output=True,
                             text=True, timeout=300, env=env, check=True)
        marks = json.loads(out.stdout.strip().splitlines()[-1])
    result = {"videos": 2, "clips_per_video": clips, **{k: round(v, 2) for k, v in marks.items()},
              "load_average": [round(x, 2) for x in os.getloadavg()]}
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
