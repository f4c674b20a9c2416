"""A film that seeks slowly is played from its fast-seeking copy once the copy is ready."""

from __future__ import annotations

from pathlib import Path

import pytest

from media_factory import make_video


@pytest.fixture
def hd_project(tmp_path):
    """A 640×360 film with one keyframe for 200 frames (a slow seek), analyzed into a project."""
    from hhir.media.probe import probe
    from hhir.segment.clips import build_clips
    from hhir.store import Store
    from hhir.types import Shot

    film = make_video(tmp_path / "hd film.mp4", [(100, "red"), (100, "blue")], size=(640, 360),
                      speech=[(0.5, "Give me the keys.")])
    db = tmp_path / "project.sqlite3"
    store = Store(db)
    try:
        info = probe(film)
        video = store.add_video(info)
        shots = [Shot(0, 0, 100, 0.0, 4.0), Shot(1, 100, 200, 4.0, 8.0)]
        store.set_shots(video.id, shots)
        store.set_clips(video.id, build_clips(shots, 3, 1))
        return db, video.id, film, info.fingerprint
    finally:
        store.close()


def _copy_jobs(window) -> list:
    return [job for job in window.runner.jobs() if job.spec.title.startswith("Playback copy")]


def test_the_player_switches_to_the_copy_and_keeps_the_film_and_position(hd_project, open_window, qtbot):
    from hhir.media.proxy import proxy_dir

    db, video_id, film, fingerprint = hd_project
    window = open_window(db)
    window.open_video(video_id)
    assert window.player.source == str(film)  # plays the film itself until the copy is ready
    window.player.seek(6.0)
    qtbot.waitUntil(lambda: window.player.source != str(film), timeout=60000)
    assert Path(window.player.source) == proxy_dir() / f"{fingerprint}.mp4"
    assert window.player.path == str(film)  # the film is still what the app names and analyzes
    qtbot.waitUntil(lambda: abs(window.player.position_s - 6.0) < 0.1, timeout=10000)
    assert not _copy_jobs(window)
    # opened again later: the copy is used at once, nothing is rebuilt
    window.open_video(video_id)
    assert Path(window.player.source) == proxy_dir() / f"{fingerprint}.mp4" and not _copy_jobs(window)


def test_no_copy_when_switched_off(hd_project, open_window, qtbot):
    from hhir import settings as settings_file
    from hhir.settings import Settings

    settings_file.save(Settings(playback_copies=False))
    db, video_id, film, _ = hd_project
    window = open_window(db)
    window.open_video(video_id)
    assert window.player.source == str(film) and not _copy_jobs(window)


def test_swapping_to_the_copy_shows_the_same_frame_and_plays_on(tmp_path, qtbot):
    """Frame-exact: the copy shows the frame the film showed; a playing film keeps playing."""
    from PySide6.QtMultimedia import QMediaPlayer

    from hhir.media.proxy import make_proxy
    from test_desktop_player import _shown_code, open_player

    film = make_video(tmp_path / "coded.mp4", [(100, "code")], size=(320, 240), audio=False)
    copy = make_proxy(film, tmp_path / "copy.mp4", 240)
    player = open_player(qtbot, film, 25.0, 100)
    player.seek(37 / 25)
    qtbot.waitUntil(lambda: _shown_code(player) == 37, timeout=10_000)
    player.swap_source(str(copy))
    assert player.source == str(copy) and player.path == str(film)
    qtbot.waitUntil(lambda: player.player.source().toLocalFile() == str(copy) and _shown_code(player) == 37, timeout=10_000)
    assert player.current_frame() == 37
    # a seek while the copy is still loading is not lost to the position from before the swap
    player.load(str(film), 25.0, 100)
    qtbot.waitUntil(lambda: player.player.source().toLocalFile() == str(film) and player.player.duration() > 0, timeout=10_000)
    player.seek(20 / 25)
    player.swap_source(str(copy))
    player.seek(61 / 25)
    qtbot.waitUntil(lambda: player.player.source().toLocalFile() == str(copy) and _shown_code(player) == 61, timeout=10_000)
    assert player.current_frame() == 61

    player.load(str(film), 25.0, 100)
    qtbot.waitUntil(lambda: player.player.source().toLocalFile() == str(film) and player.player.duration() > 0, timeout=10_000)
    player.toggle_play()
    qtbot.waitUntil(lambda: player.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, timeout=10_000)
    player.swap_source(str(copy))
    qtbot.waitUntil(lambda: player.player.source().toLocalFile() == str(copy)
                    and player.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, timeout=10_000)
    player.pause()
    player.unload()
