"""The player check the packaged app's ``--self-test`` runs: it passes on a real video, and says why not."""

from __future__ import annotations

from hhir_studio.selftest.player import check_player, multimedia_plugins


def test_ffmpeg_backend_is_visible_to_qt(qapp):
    assert any("ffmpeg" in name for name in multimedia_plugins())


def test_generated_video_loads_and_plays(qapp, tmp_path):
    from hhir.selftest import make_test_video

    assert check_player(make_test_video(tmp_path / "player.mp4").path) == []


def test_not_a_video_is_reported(qapp, tmp_path):
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("a text file, not a video\n")
    (problem,) = check_player(bogus, timeout_s=10)
    assert problem.startswith("player: media not loaded")
