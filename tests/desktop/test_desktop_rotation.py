"""A phone video's rotation metadata is honoured: the probe reports the size as shown, the frames
analysis samples are turned, and the player's video output is told to turn the picture too."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hhir.media.ffmpeg import ffmpeg_exe
from hhir.media.probe import probe
from hhir_studio.player.view import PlayerView


@pytest.fixture(scope="module")
def rotated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rotated")
    plain, turned = folder / "plain.mp4", folder / "turned.mp4"
    run = lambda *a: subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *a], check=True, timeout=120)  # noqa: E731
    run("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(plain))
    run("-display_rotation", "90", "-i", str(plain), "-c", "copy", str(turned))  # metadata only, as phones write it
    return turned


def test_the_player_turns_what_the_file_says_to_turn(qtbot, rotated):
    info = probe(rotated)
    assert (info.width, info.height, info.rotation) == (240, 320, 90)
    player = PlayerView()
    qtbot.addWidget(player)
    player.resize(320, 320)
    player.show()
    formats = []
    player.video.videoSink().videoFrameChanged.connect(lambda frame: formats.append(frame.surfaceFormat()))
    player.load(str(rotated), info.fps, info.frame_count)
    qtbot.waitUntil(lambda: player.player.duration() > 0, timeout=10_000)
    player.player.play()
    qtbot.waitUntil(lambda: bool(formats), timeout=10_000)
    player.player.pause()
    from PySide6.QtMultimedia import QtVideo

    # 90° counter-clockwise in the file's display matrix is a quarter turn clockwise short of a full one
    assert formats[0].rotation() == QtVideo.Rotation.Clockwise270
    assert (formats[0].frameWidth(), formats[0].frameHeight()) == (320, 240)  # decoded as stored, turned on output
