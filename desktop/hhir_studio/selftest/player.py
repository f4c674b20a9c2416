"""Does the video player work in this installation? Load a file in QMediaPlayer and play it.

The Qt multimedia plugins (and the FFmpeg libraries the FFmpeg backend loads) are what a frozen
build most often leaves out: the app then starts, but every video stays black. This check plays a
real file through a ``QVideoSink`` offscreen and reports what went wrong, if anything.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtMultimedia import QMediaPlayer

MIN_FRAMES = 3


def multimedia_plugins() -> list[str]:
    """File names of the Qt multimedia backend plugins Qt can see (the FFmpeg one among them)."""
    from PySide6.QtCore import QLibraryInfo

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "multimedia"
    return sorted(p.name for p in folder.glob("*")) if folder.is_dir() else []


def _wait(app: QCoreApplication, done: Callable[[], object], timeout_s: float) -> bool:
    """Run Qt's event loop until ``done()`` or the timeout; True when done."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.01)
    return True


def check_player(path: str | Path, timeout_s: float = 20.0) -> list[str]:
    """Load ``path`` in a QMediaPlayer, play it, and return the problems (empty when it played).

    It passes when the media reaches ``LoadedMedia`` with a duration above zero and, once playing,
    at least :data:`MIN_FRAMES` decoded frames reach the video sink and the position advances.
    """
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtMultimedia import QMediaPlayer, QVideoSink

    app = QGuiApplication.instance() or QGuiApplication([])
    player, sink = QMediaPlayer(), QVideoSink()
    player.setVideoOutput(sink)
    frames: list[bool] = []
    errors: list[str] = []
    sink.videoFrameChanged.connect(lambda frame: frames.append(frame.isValid()))
    player.errorOccurred.connect(lambda _error, text: errors.append(text))
    player.setSource(QUrl.fromLocalFile(str(Path(path).absolute())))
    try:
        return _load_and_play(app, player, frames, errors, timeout_s)
    finally:
        player.stop()
        player.setSource(QUrl())


def _load_and_play(app: QCoreApplication, player: QMediaPlayer, frames: list[bool], errors: list[str], timeout_s: float) -> list[str]:
    from PySide6.QtMultimedia import QMediaPlayer

    loaded = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
    if not _wait(app, lambda: errors or player.mediaStatus() in loaded, timeout_s) or errors:
        return [f"player: media not loaded (status {player.mediaStatus().name}; {'; '.join(errors) or 'timeout'}; "
                f"multimedia plugins: {multimedia_plugins() or 'none found'})"]
    if player.duration() <= 0:
        return [f"player: loaded, but the duration is {player.duration()} ms"]
    player.play()
    played = _wait(app, lambda: errors or (sum(frames) >= MIN_FRAMES and player.position() > 0), timeout_s)
    if errors or not played:
        return [f"player: did not play ({'; '.join(errors) or 'timeout'}): {sum(frames)} frame(s) shown, "
                f"position {player.position()} ms"]
    return []
