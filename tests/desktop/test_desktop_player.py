"""The player shows the exact frame it reports: frames of a generated video carry their own index."""

from __future__ import annotations

import numpy as np
import pytest

from hhir_studio.player.view import SPEEDS, PlayerView, frame_at, frame_position_ms


@pytest.fixture(scope="module")
def coded_video(tmp_path_factory):
    from media_factory import make_video

    return make_video(tmp_path_factory.mktemp("player") / "coded.mp4", [(60, "code")], size=(160, 160), audio=False)


def _shown_code(player: PlayerView) -> int | None:
    frame = player.video.videoSink().videoFrame()
    if not frame.isValid():
        return None
    from media_factory import read_frame_code

    image = frame.toImage().convertToFormat(frame.toImage().Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return read_frame_code(pixels[:, : image.width() * 3].reshape(image.height(), image.width(), 3))


def open_player(qtbot, path, fps: float, frames: int) -> PlayerView:
    """A shown player with ``path`` loaded (its duration known)."""
    player = PlayerView()
    qtbot.addWidget(player)
    player.resize(320, 320)
    player.show()
    player.load(str(path), fps, frames)
    qtbot.waitUntil(lambda: player.player.duration() > 0, timeout=10_000)
    return player


def test_frame_position_is_inside_its_frame():
    for fps in (23.976, 25.0, 29.97, 30.0, 59.94):
        for frame in (0, 1, 2, 99, 1234, 71999):
            assert frame_at(frame_position_ms(frame, fps), fps) == frame


def test_frame_steps_and_jumps_show_the_reported_frame(qtbot, coded_video):
    player = open_player(qtbot, coded_video, 25.0, 60)
    qtbot.waitUntil(lambda: _shown_code(player) == 0, timeout=10_000)
    for steps, expected in ((1, 1), (1, 2), (5, 7), (-3, 4), (-10, 0), (100, 59)):
        player.step_frames(steps)
        assert player.current_frame() == expected
        qtbot.waitUntil(lambda e=expected: _shown_code(player) == e, timeout=10_000)
    player.seek(0.0)
    player.jump(1.0)
    assert player.current_frame() == 25
    qtbot.waitUntil(lambda: _shown_code(player) == 25, timeout=10_000)
    assert "frame     25 / 60" in player.readout.text()
    player.unload()


def test_speed_presets_step_and_clamp(qtbot, coded_video):
    player = PlayerView()
    qtbot.addWidget(player)
    player.load(str(coded_video), 25.0, 60)
    assert player.speed == 1.0
    player.change_speed(1)
    assert player.speed == 1.5
    for _ in range(10):
        player.change_speed(1)
    assert player.speed == SPEEDS[-1] == 4.0
    for _ in range(10):
        player.change_speed(-1)
    assert round(player.speed, 3) == SPEEDS[0] == 0.1  # below 0.25x, for counting frames of fast movement
    assert "0.1×" in player.readout.text()
    player.unload()


def test_loop_returns_to_the_clip_start(qtbot, coded_video):
    player = PlayerView()
    qtbot.addWidget(player)
    player.show()
    player.load(str(coded_video), 25.0, 60)
    qtbot.waitUntil(lambda: player.player.duration() > 0, timeout=10_000)
    player.set_loop_range((0.4, 0.8))
    player.set_looping(True)
    player.set_speed(2.0)
    positions = []
    player.position_changed.connect(positions.append)
    player.toggle_play()  # outside the range: starts from the loop start
    qtbot.waitUntil(lambda: len(positions) > 5 and any(b < a - 0.2 for a, b in zip(positions, positions[1:])), timeout=15_000)
    player.pause()
    assert min(positions) >= 0.39 and max(positions) < 1.2
    player.unload()
