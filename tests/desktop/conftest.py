"""Fixtures of the desktop tests: a private config folder and a guard against leaked threads."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _config_dir(tmp_path, monkeypatch):
    """Every test gets its own settings folder so nothing leaks from the user's real settings."""
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("HHIR_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _no_leaked_worker_threads(qapp):
    """Fail a test that leaves a job's worker thread running."""
    yield
    from hhir_studio.jobs import live_threads

    leaked = live_threads()
    for thread in leaked:  # stop them so one leak does not cascade into the next tests
        thread.quit()
        thread.wait(10000)
    assert not leaked, f"worker threads still running after the test: {[t.objectName() for t in leaked]}"


SCENE_CUTS = [0, 40, 75, 120, 150, 200]  # the shots of tests/conftest.py's scene_video
MODEL_ID = "test-model-1"


def fill_store(db_path, video_path):
    """A project as an analysis would leave it, written through the real Store: the real probe of a
    generated video, its known shots and decoded frames, clips built by hhir.segment, a transcript and scores of a
    registered model. Returns the video id."""
    from hhir.media.probe import probe
    from hhir.pipeline.frames import ensure_frame_index
    from hhir.segment.clips import build_clips
    from hhir.store import Store
    from hhir.types import ModelInfo, Shot, TranscriptSegment

    store = Store(db_path)
    try:
        info = probe(video_path)
        video = store.add_video(info)
        shots = [Shot(i, a, b, a / info.fps, b / info.fps) for i, (a, b) in enumerate(zip(SCENE_CUTS, SCENE_CUTS[1:]))]
        store.set_shots(video.id, shots)
        ensure_frame_index(store, video.id)  # analysis keeps it with the shots
        clips = store.set_clips(video.id, build_clips(shots, 3, 1))
        store.set_transcript(video.id, [
            TranscriptSegment(0.3, 2.2, "Where is the train station?"),
            TranscriptSegment(3.6, 5.8, "It is next to the old bridge."),
        ])
        store.set_clip_texts(video.id, {clips[0].id: "Where is the train station?", clips[1].id: "It is next to the old bridge."})
        store.register_model(ModelInfo(MODEL_ID, "starter"))
        store.activate(MODEL_ID)
        labels = [label.name for label in store.labels()]
        clip_scores = {c.id: {name: round((i * 7 + j * 3) % 10 / 10 + 0.05, 2) for j, name in enumerate(labels)} for i, c in enumerate(clips)}
        store.set_predictions(MODEL_ID, video.id, {name: 0.5 for name in labels}, clip_scores)
        return video.id
    finally:
        store.close()


@pytest.fixture
def filled_db(tmp_path, scene_video):
    db = tmp_path / "project.sqlite3"
    return db, fill_store(db, scene_video)


@pytest.fixture
def open_window(qtbot):
    """Builds the real main window on a database; closes every window it opened at teardown."""
    from hhir_studio.app import Arguments, create_window

    opened = []

    def make(db_path):
        window = create_window(Arguments(db_path, []))
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        opened.append(window)
        return window

    yield make
    for window in opened:
        window.close()
        window.store.close()
