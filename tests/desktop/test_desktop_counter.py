"""The counter counts the frames that exist: PyAV's decode of the file is the truth, for a stream
that starts 0.5 s late and a variable-frame-rate file in containers whose header has no frame count
(the header's estimate is then wrong), and after switching videos the picture follows the counter.
The window is driven with the keys an annotator uses; the frame on screen is read from the video
sink (each generated frame shows its own index)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from media_factory import make_timed_video, read_frame_code
from test_desktop_player import _shown_code

LATE = [0.5 + i / 25 for i in range(120)]  # the video stream starts 0.5 s after the audio
_GAPS = np.random.default_rng(3).choice([0.02, 0.04, 0.08, 0.033], 399)
VARIABLE = [float(t) for t in np.concatenate([[0.0], np.cumsum(_GAPS)])]  # 400 frames, no steady rate


def _decoded(path) -> tuple[list[int], list[float]]:
    """PyAV's decode: every frame's code and its time (seconds from the container's start)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        start = container.start_time / 1_000_000 if container.start_time is not None else 0.0
        frames = [(read_frame_code(f.to_ndarray(format="rgb24")), float(f.time) - start) for f in container.decode(stream)]
    return [c for c, _ in frames], [t for _, t in frames]


def _project(tmp_path, films: dict[str, list[float]]):
    """Videos stored as a person adds them (probed, not analyzed yet: no shots)."""
    from hhir.media.probe import probe
    from hhir.store import Store

    db, ids, truth = tmp_path / "project.sqlite3", {}, {}
    with Store(db) as store:
        for name, times in films.items():
            film = make_timed_video(tmp_path / name, times, audio=True)
            ids[name] = store.add_video(probe(film)).id
            truth[name] = _decoded(film)
    return db, ids, truth


def _ready(window, qtbot):
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: window.player.timebase.exact, timeout=60_000)  # decoded once, in a child process
    qtbot.waitUntil(lambda: window.player.player.duration() > 0, timeout=20_000)
    window.timeline.setFocus()


def _press(window, qtbot, key, times=1):
    for _ in range(times):
        qtbot.keyClick(window.timeline, key)


def _on_screen(window, qtbot, codes, frame):
    assert window.player.current_frame() == frame
    qtbot.waitUntil(lambda: _shown_code(window.player) == codes[frame], timeout=10_000)


@pytest.mark.parametrize("container", ["mp4", "mkv"])
def test_a_late_stream_and_a_variable_rate_count_and_time_their_decoded_frames(tmp_path, open_window, qtbot, container):
    """MP4 headers carry the frame count; Matroska's do not, and the estimate from the duration is
    wrong for both films. In Matroska, the AAC priming packet makes QtMultimedia's FFmpeg start the
    clock at -0.064 s (PyAV's at 0), which the player measures from the first frame; and after a
    seek QtMultimedia shows the first frame whose start plus one average frame reaches the
    position, which in a variable-rate film is often not the frame whose interval holds it."""
    late, variable = f"late.{container}", f"variable.{container}"
    db, ids, truth = _project(tmp_path, {late: LATE, variable: VARIABLE})
    from hhir.store import Store

    with Store(db) as store:
        estimates = [store.video(ids[name]).frame_count for name in (late, variable)]
    if container == "mkv":
        assert estimates != [len(truth[late][0]), len(truth[variable][0])]
    window = open_window(db)

    window.open_video(ids[late])
    _ready(window, qtbot)
    codes, times = truth[late]
    readout = window.player.readout.text()
    assert f"frame      0 / {len(codes)}" in readout  # 120, as decoded (the header's estimate was more)
    assert readout.startswith(f"00:00.{round(times[0] * 1000):03d} /")  # the stream's own time: 0.500
    assert "25 fps" in readout
    _on_screen(window, qtbot, codes, 0)
    _press(window, qtbot, Qt.Key.Key_Right, 3)
    _on_screen(window, qtbot, codes, 3)
    assert window.player.readout.text().startswith(f"00:00.{round(times[3] * 1000):03d} /")
    _press(window, qtbot, Qt.Key.Key_Right, 40)
    _on_screen(window, qtbot, codes, 43)
    window.player.seek_frame(len(codes) - 2)
    _press(window, qtbot, Qt.Key.Key_Right, 3)  # stepping stops at the last frame that exists
    _on_screen(window, qtbot, codes, len(codes) - 1)
    assert f"frame    {len(codes) - 1} / {len(codes)}" in window.player.readout.text()

    window.open_video(ids[variable])
    _ready(window, qtbot)
    codes, times = truth[variable]
    assert len(codes) == 400
    readout = window.player.readout.text()
    assert "frame      0 / 400" in readout
    average = (len(times) - 1) / (times[-1] - times[0])
    assert f"{average:.2f} fps (variable)" in readout
    _press(window, qtbot, Qt.Key.Key_Right, 7)
    _on_screen(window, qtbot, codes, 7)
    assert window.player.readout.text().startswith(f"00:00.{round(times[7] * 1000):03d} /")
    window.player.seek_frame(397)
    _press(window, qtbot, Qt.Key.Key_Right)
    _on_screen(window, qtbot, codes, 398)
    _press(window, qtbot, Qt.Key.Key_Right, 3)  # never past the last decoded frame
    assert window.player.current_frame() == 399 and "frame    399 / 400" in window.player.readout.text()


def test_after_switching_videos_the_picture_follows_the_counter(tmp_path, open_window, qtbot):
    db, ids, truth = _project(tmp_path, {"late.mp4": LATE, "variable.mp4": VARIABLE})
    window = open_window(db)
    window.open_video(ids["late.mp4"])
    _ready(window, qtbot)
    _press(window, qtbot, Qt.Key.Key_Right, 40)
    _on_screen(window, qtbot, truth["late.mp4"][0], 40)

    window.open_video(ids["variable.mp4"])  # a switch, then a seek before the new file has loaded
    window.player.seek_frame(96)
    assert window.player.current_frame() == 96
    _ready(window, qtbot)
    _on_screen(window, qtbot, truth["variable.mp4"][0], 96)
    _press(window, qtbot, Qt.Key.Key_Right)
    _on_screen(window, qtbot, truth["variable.mp4"][0], 97)

    window.open_video(ids["late.mp4"])  # and back
    window.player.seek_frame(12)
    _ready(window, qtbot)
    _on_screen(window, qtbot, truth["late.mp4"][0], 12)


@pytest.mark.xfail(strict=True, reason="the last frame starts at 17.589 s, after the end of the MP4's video track "
                   "(its stated duration ends at 17.582 s): QtMultimedia's FFmpeg (7.1) shows nothing there, PyAV's (8.1) "
                   "decodes it")
def test_the_last_frame_of_a_variable_rate_film_is_on_screen(tmp_path, open_window, qtbot):
    db, ids, truth = _project(tmp_path, {"variable.mp4": VARIABLE})
    window = open_window(db)
    window.open_video(ids["variable.mp4"])
    _ready(window, qtbot)
    window.player.seek_frame(398)
    _press(window, qtbot, Qt.Key.Key_Right)
    _on_screen(window, qtbot, truth["variable.mp4"][0], 399)
