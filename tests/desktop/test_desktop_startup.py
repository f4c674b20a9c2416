"""The app starts on the project's last state without waiting for a whole film: the clip that was
selected when the app last closed is in the label panel (with its decisions) when the window is
first shown, and the video, read on a thread, opens with that clip selected."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtWidgets import QApplication

from hhir.types import AnnotationState, Shot, Target

WINDOWS = 27  # clips of 1..27 shots at every one of 200 one-frame shots: 5,049 clips a video


def _project(db, video_path):
    """Two analysed videos of ~5,000 clips each, written through the real Store; the annotator's
    decisions and review mark on one clip of the second. Returns (video id, that clip)."""
    from hhir.media.probe import probe
    from hhir.store import Store
    from hhir.types import Clip, ModelInfo

    store = Store(db)
    try:
        info = probe(video_path)
        labels = [label.name for label in store.labels()]
        store.register_model(ModelInfo("startup-model", "trained"))
        store.activate("startup-model")
        for n in (1, 2):
            video = store.add_video(replace(info, fingerprint=f"{n}" * 64))
            frames = info.frame_count
            shots = [Shot(i, i, i + 1, i / info.fps, (i + 1) / info.fps) for i in range(frames)]
            store.set_shots(video.id, shots)
            clips = store.set_clips(video.id, [
                Clip(k, i, i + w - 1, shots[i].start_s, shots[i + w - 1].end_s, i, i + w)
                for k, (w, i) in enumerate((w, i) for w in range(1, WINDOWS + 1) for i in range(frames - w + 1))])
            scores = {c.id: {name: (c.id * 7 + j * 13) % 100 / 100 for j, name in enumerate(labels)} for c in clips}
            store.set_predictions("startup-model", video.id, {name: 0.5 for name in labels}, scores)
        last = clips[len(clips) * 2 // 3]
        target = Target(video.id, last.id)
        store.annotate_many([(target, labels[0], AnnotationState.PRESENT), (target, labels[1], AnnotationState.ABSENT)], ANNOTATOR)
        store.set_reviewed(target, ANNOTATOR, True)
        return video.id, last, labels
    finally:
        store.close()


ANNOTATOR = "ann"


def _remember(config_dir, video_id: int, clip_id: int) -> None:
    saved = QSettings(str(config_dir / "window.ini"), QSettings.Format.IniFormat)
    saved.setValue("review/video", video_id)
    saved.setValue("review/clip", clip_id)
    saved.sync()


class _FirstPaint(QObject):
    """The label panel's title when it is first painted."""

    def __init__(self, panel) -> None:
        super().__init__()
        self.panel, self.title = panel, None

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint and self.title is None:
            self.title = self.panel.title.text()
        return False


@pytest.fixture(scope="module")
def _built(tmp_path_factory, scene_video):
    db = tmp_path_factory.mktemp("startup") / "two films.sqlite3"
    return db, *_project(db, scene_video)


@pytest.fixture
def last_state(_built, tmp_path, _config_dir, monkeypatch):
    """A copy of the two-film project whose last state is the annotated clip of the second film."""
    built, video_id, clip, labels = _built
    monkeypatch.setenv("USER", ANNOTATOR)
    db = tmp_path / built.name
    shutil.copyfile(built, db)
    _remember(_config_dir, video_id, clip.id)
    assert clip.index + 1 > 3000  # far from the first clip, which opening without the saved state would show
    return db, video_id, clip, labels


def _start(qtbot, db):
    """As ``hhir-studio`` starts: the window shown and painted, then the last state restored."""
    from hhir_studio.app import Arguments, create_window

    window = create_window(Arguments(db, []))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    return window


def test_last_clip_is_shown_before_its_video_is_read(qtbot, last_state):
    db, video_id, clip, labels = last_state
    window = _start(qtbot, db)
    try:
        first = _FirstPaint(window.labels)
        window.labels.installEventFilter(first)
        window.restore_last_state()
        # Nothing waited for the film's 5,000 clips: the video is still being read (its result can
        # only arrive through the event loop), yet the panel already shows the clip and its decisions.
        assert window.session.data is None
        title = window.labels.title.text()
        assert title.startswith(f"Clip {clip.index + 1} — ") and "✓ reviewed" in title
        assert window.labels.buttons[labels[0]].text() == "✔  present"
        assert window.labels.buttons[labels[1]].text() == "✘  absent"
        assert window.labels.values[labels[0]].text() != "–"  # the model's score of that clip
        QApplication.processEvents()  # one turn of the event loop paints it
        assert first.title == title

        qtbot.waitUntil(lambda: window.session.data is not None, timeout=60000)
        assert window.session.selected == Target(video_id, clip.id)
        assert len(window.session.data.clips) > 5000 and window.session.preview is None
        assert window.timeline.layout_data is not None and window.timeline.selected_clip == clip.id
        assert window.labels.title.text() == title
        assert window.labels.buttons[labels[0]].text() == "✔  present"
        # the keys work on the opened video as ever: label 3 of the restored clip becomes present
        window.session.cycle_label(3)
        assert window.labels.buttons[labels[2]].text() == "✔  present"
        assert window.session.state(labels[2]) is AnnotationState.PRESENT
    finally:
        window.close()
        window.store.close()


def test_a_clip_that_is_gone_opens_the_first_unreviewed(qtbot, last_state, _config_dir):
    db, video_id, _clip, _labels = last_state
    _remember(_config_dir, video_id, 10**9)
    window = _start(qtbot, db)
    try:
        window.restore_last_state()
        assert window.session.preview is None and not window.labels.title.text().startswith("Clip")
        qtbot.waitUntil(lambda: window.session.data is not None, timeout=60000)
        assert window.session.data.video.id == video_id
        chosen = window.session.selected
        first = window.session.data.clip(chosen.clip_id)
        assert first is not None and window.labels.title.text().startswith(f"Clip {first.index + 1} — ")
        window.session.open_video(video_id)  # what opening the video any other way selects
        assert window.session.selected == chosen
    finally:
        window.close()
        window.store.close()


def test_closing_while_the_video_is_read_is_safe(qtbot, last_state):
    db, _video_id, clip, _labels = last_state
    window = _start(qtbot, db)
    window.restore_last_state()
    window.close()  # waits for the reading thread before the store closes, and drops what it read
    window.store.close()
    QApplication.processEvents()
    assert window.session._reader is None and window.session.data is None
    assert window.labels.title.text().startswith(f"Clip {clip.index + 1} — ")
