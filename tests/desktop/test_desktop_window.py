"""The real main window on a real project database and a real generated video."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from hhir.store import Store
from hhir.types import AnnotationState


OPEN_SCRIPT = """
import sys
from pathlib import Path
from hhir_studio.app import Arguments, _application, create_window
app = _application([])
window = create_window(Arguments(Path(sys.argv[1]), []))
window.show()
window.open_video(int(sys.argv[2]))
app.processEvents()
heavy = [m for m in ("torch", "transformers", "faster_whisper", "cv2", "scenedetect", "ctranslate2") if m in sys.modules]
print("heavy:" + ",".join(heavy), window.session.data.video.id)
window.close()
"""


def test_window_opens_without_heavy_libraries(filled_db, tmp_path):
    """In a fresh process (other tests load torch into this one): the window and a video open
    without any heavy library."""
    db, video_id = filled_db
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", OPEN_SCRIPT, str(db), str(video_id)], capture_output=True,
                         text=True, timeout=120, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["heavy:", str(video_id)]


def test_timeline_and_actions_of_the_opened_video(filled_db, open_window):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    assert window.session.data.video.id == video_id
    assert len(window.timeline.layout_data.clips) == 3 and window.timeline.layout_data.lanes == 3
    assert not window.registry.shortcut_conflicts()


def test_label_keys_undo_redo_and_restart(filled_db, open_window, qtbot):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    first = window.session.selected
    assert first.clip_id is not None
    annotator = window.session.annotator
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.timeline.setFocus()
    for key in (Qt.Key.Key_1, Qt.Key.Key_3, Qt.Key.Key_3):  # asks: present; talks to: present, absent
        qtbot.keyClick(window.timeline, key)
    assert window.session.state("asks") is AnnotationState.PRESENT
    assert window.session.state("talks to") is AnnotationState.ABSENT
    assert window.labels.buttons["talks to"].text().endswith("absent")
    assert window.registry.trigger("edit.undo")
    assert window.session.state("talks to") is AnnotationState.PRESENT
    assert window.registry.trigger("edit.redo")
    assert window.session.state("talks to") is AnnotationState.ABSENT
    window.registry.trigger("review.reviewed_next")
    assert window.session.selected != first and window.session.selected.clip_id is not None
    window.close()
    window.store.close()

    again = open_window(db)
    again.open_video(video_id)
    states = {(a.target, a.label): a.state for a in again.store.annotations(video_id, annotator=annotator)}
    assert states == {(first, "asks"): AnnotationState.PRESENT, (first, "talks to"): AnnotationState.ABSENT}
    assert first in again.store.reviewed(video_id, annotator=annotator)
    assert again.session.selected != first  # opens on the first unreviewed clip
    assert again.registry.trigger("edit.undo")  # the undo history survived the restart
    assert first not in Store(db).reviewed(video_id, annotator=annotator)


def test_a_file_that_is_not_a_project_is_refused_by_name(tmp_path, qapp):
    import pytest

    from hhir.errors import HHIRError
    from hhir_studio.app import Arguments, create_window, parse_args

    bad = tmp_path / "notes.sqlite3"
    bad.write_text("just some notes, not a database")
    with pytest.raises(HHIRError) as info:
        create_window(Arguments(bad, []))
    assert str(bad) in str(info.value)
    args = parse_args(["--db", str(bad), "a.mp4", "b.mkv"])
    assert args.db == bad and [p.name for p in args.videos] == ["a.mp4", "b.mkv"]
