"""The counter and the readout's times come from the frame index the project keeps: a film's
frames are decoded once (by the analysis, or in the background for a film only added), kept in
the project, and never scanned again when the project is opened. The truth is PyAV's decode of
the same generated file; the window is driven with the keys an annotator uses."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from media_factory import make_timed_video

_GAPS = np.random.default_rng(5).choice([0.02, 0.04, 0.08, 0.033], 149)
VARIABLE = [float(t) for t in 0.5 + np.concatenate([[0.0], np.cumsum(_GAPS)])]  # late and variable: 150 frames


def _decoded_times(path) -> list[float]:
    """PyAV's decode: every frame's time in seconds from the container's start."""
    import av

    with av.open(str(path)) as container:
        start = container.start_time / 1_000_000 if container.start_time is not None else 0.0
        return [float(f.time) - start for f in container.decode(container.streams.video[0])]


def _project(tmp_path):
    """A Matroska film (its header has no frame count: the estimate is wrong), added, not analysed."""
    from hhir.media.probe import probe
    from hhir.store import Store

    film = make_timed_video(tmp_path / "variable.mkv", VARIABLE, audio=True)
    db = tmp_path / "project.sqlite3"
    with Store(db) as store:
        video = store.add_video(probe(film))
    assert video.frame_count != len(VARIABLE)
    return db, video.id, film, _decoded_times(film)


def _no_scans(monkeypatch):
    """Reading the film's packets or decoding its frames in the window's process fails the test."""
    from hhir.media import frame_index, timebase

    def scan(*_args, **_kwargs):
        raise AssertionError("the film was scanned for its frames")

    monkeypatch.setattr(timebase, "read_timebase", scan)
    monkeypatch.setattr(frame_index, "build_frame_index", scan)


def _index_jobs(window) -> list[str]:
    """The titles of the jobs that read the film's frames, as they are submitted."""
    titles: list[str] = []
    window.runner.job_submitted.connect(lambda job: titles.append(job.spec.title) if "frame" in job.spec.title.lower() else None)
    return titles


def _check_counter_and_times(window, qtbot, times):
    qtbot.waitUntil(lambda: window.player.player.duration() > 0, timeout=20_000)
    window.timeline.setFocus()
    readout = window.player.readout.text()
    assert f"frame      0 / {len(times)}" in readout
    assert readout.startswith(f"00:00.{round(times[0] * 1000):03d} /")  # 0.500: the stream's own time
    for _ in range(37):
        qtbot.keyClick(window.timeline, Qt.Key.Key_Right)
    readout = window.player.readout.text()
    assert f"frame     37 / {len(times)}" in readout
    assert readout.startswith(f"00:{times[37]:06.3f} /")
    qtbot.keyClick(window.timeline, Qt.Key.Key_End)
    readout = window.player.readout.text()
    assert f"frame    {len(times) - 1} / {len(times)}" in readout
    assert readout.startswith(f"00:{times[-1]:06.3f} /")


def test_a_kept_index_is_used_without_scanning_the_film(tmp_path, open_window, qtbot, monkeypatch):
    from hhir.pipeline.frames import ensure_frame_index
    from hhir.store import Store

    db, video_id, _film, times = _project(tmp_path)
    with Store(db) as store:
        assert ensure_frame_index(store, video_id).frame_count == len(times)  # as the analysis keeps it
    _no_scans(monkeypatch)
    window = open_window(db)
    titles = _index_jobs(window)
    window.open_video(video_id)
    assert window.player.frames is not None and window.player.frame_count == len(times)
    _check_counter_and_times(window, qtbot, times)
    assert titles == []


def test_a_film_only_added_is_counted_once_in_the_background_and_kept(tmp_path, open_window, qtbot, monkeypatch):
    from hhir.store import Store

    db, video_id, film, times = _project(tmp_path)
    window = open_window(db)
    titles = _index_jobs(window)
    window.open_video(video_id)
    assert window.player.frames is None  # nothing kept yet: the header's estimate until it is decoded
    qtbot.waitUntil(lambda: window.player.frames is not None, timeout=60_000)
    assert titles == ["Counting the frames"]
    _check_counter_and_times(window, qtbot, times)
    with Store(db) as store:
        kept = store.frame_index(video_id)
        assert kept is not None and kept[0].frame_count == len(times) and kept[1].size == film.stat().st_size
    window.close()
    window.store.close()

    _no_scans(monkeypatch)  # opened again: read from the project, not decoded again
    again = open_window(db)
    titles = _index_jobs(again)
    again.open_video(video_id)
    assert again.player.frames is not None
    _check_counter_and_times(again, qtbot, times)
    qtbot.wait(200)
    assert titles == []


def test_a_film_changed_on_disk_is_counted_again(tmp_path, open_window, qtbot):
    from hhir.pipeline.frames import ensure_frame_index
    from hhir.store import Store

    db, video_id, film, _times = _project(tmp_path)
    with Store(db) as store:
        ensure_frame_index(store, video_id)
    steady = [i / 25 for i in range(90)]
    make_timed_video(film, steady, audio=False)  # another film under the same name
    window = open_window(db)
    titles = _index_jobs(window)
    window.open_video(video_id)
    assert window.player.frames is None
    qtbot.waitUntil(lambda: window.player.frames is not None, timeout=60_000)
    assert titles == ["Counting the frames"] and window.player.frame_count == 90
    assert "frame      0 / 90" in window.player.readout.text()
