"""The frame on screen is the frame the counter names, checked on decoded pixels.

Generated films show their own frame index in every frame (``media_factory.code_frame``). They
start late (the video 36 ms after the audio, as real files often do), use B-frames, or change
their frame rate. In the real window, at every shot boundary, after a seek, a step back and
forth, and a restart, the picture in the video sink equals PyAV's decode of the frame the counter
names.
"""

from __future__ import annotations

import numpy as np
import pytest

from media_factory import make_timed_video, read_frame_code
from test_desktop_player import _shown_code

CUTS = [0, 31, 58, 83, 120]  # shot boundaries (frame indices)
LATE = [0.036 + i / 25 for i in range(120)]
_GAPS = np.random.default_rng(7).choice([0.02, 0.04, 0.08, 0.033], 119)
VARIABLE = [float(t) for t in 0.036 + np.concatenate([[0.0], np.cumsum(_GAPS)])]


def _decoded_codes(path) -> list[int]:
    """PyAV's decode of every frame, in display order: the truth the player is checked against."""
    import av

    with av.open(str(path)) as container:
        return [read_frame_code(f.to_ndarray(format="rgb24")) for f in container.decode(container.streams.video[0])]


def _project(tmp_path, times, bframes):
    from hhir.media.probe import probe
    from hhir.pipeline.frames import ensure_frame_index
    from hhir.segment.clips import build_clips
    from hhir.store import Store
    from hhir.types import Shot

    film = make_timed_video(tmp_path / "timed film.mp4", times, bframes=bframes)
    decoded = _decoded_codes(film)
    assert decoded == list(range(len(times)))  # decoded frame n shows n: the codes are the truth
    db = tmp_path / "project.sqlite3"
    with Store(db) as store:
        info = probe(film)
        video = store.add_video(info)
        shots = [Shot(i, a, b, a / info.fps, b / info.fps) for i, (a, b) in enumerate(zip(CUTS, CUTS[1:]))]
        store.set_shots(video.id, shots)
        ensure_frame_index(store, video.id)  # kept by the analysis with the shots
        store.set_clips(video.id, build_clips(shots, 1, 1))  # one clip per shot: a clip starts at each cut
    return db, video.id, decoded


def _exact_window(open_window, qtbot, db, video_id):
    window = open_window(db)
    window.open_video(video_id)
    qtbot.waitUntil(lambda: window.player.timebase.exact, timeout=10_000)
    return window


def _shows(qtbot, window, frame: int, decoded: list[int]) -> None:
    assert window.player.current_frame() == frame
    assert f"frame {frame:>6d}" in window.player.readout.text()
    qtbot.waitUntil(lambda: _shown_code(window.player) == decoded[frame], timeout=10_000)


@pytest.mark.parametrize("times, bframes", [(LATE, 2), (VARIABLE, 3)], ids=["late-start-bframes", "variable-rate"])
def test_every_shot_boundary_shows_the_named_frame(tmp_path, open_window, qtbot, times, bframes):
    db, video_id, decoded = _project(tmp_path, times, bframes)
    window = _exact_window(open_window, qtbot, db, video_id)
    session, registry = window.session, window.registry
    session.select_clip(session.data.clips[0].id)
    for cut in CUTS[1:-1]:
        assert registry.trigger("review.next_clip")  # selecting the clip seeks to its first frame
        assert session.selected_clip().start_frame == cut
        _shows(qtbot, window, cut, decoded)
        assert registry.trigger("play.frame_prev")  # the last frame of the shot before
        _shows(qtbot, window, cut - 1, decoded)
        assert registry.trigger("play.frame_next")
        _shows(qtbot, window, cut, decoded)
    window.timeline.seek_requested.emit(CUTS[2] / window.player.fps)  # a click on the timeline at a cut
    _shows(qtbot, window, CUTS[2], decoded)


def test_after_a_restart_the_picture_is_the_selected_clips_first_frame(tmp_path, open_window, qtbot):
    from hhir.store import Store
    from hhir.types import Target

    db, video_id, decoded = _project(tmp_path, LATE, 2)
    with Store(db) as store:  # the first two clips are reviewed: the app opens on the third
        for clip in store.clips(video_id)[:2]:
            store.set_reviewed(Target(video_id, clip.id), "me", True)
    from hhir import settings as settings_file
    from hhir.settings import Settings

    settings_file.save(Settings(annotator="me"))
    window = open_window(db)
    window.open_video(video_id)  # what the app does at start: no step, no click
    assert window.session.selected_clip().start_frame == CUTS[2]
    _shows(qtbot, window, CUTS[2], decoded)
