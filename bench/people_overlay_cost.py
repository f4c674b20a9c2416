"""What the people overlay costs while a film plays: ``python bench/people_overlay_cost.py [WIDTH HEIGHT]``.

The overlay paints each frame the player's video sink receives (converted to an image once) and the
boxes on it, on the window's thread. This feeds it ``N`` YUV 4:2:0 frames of WIDTH × HEIGHT (default
1920 × 1080) as a player would, with three people boxed, repaints it at the size of a 960 × 540 player each
time, and prints one JSON object: the median and 90th percentile milliseconds per frame and their
ratio to a 25 fps frame interval (40 ms). Offscreen Qt (no GPU); run it on a machine as loaded as you
want to know about, and say so next to the figures.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent / "core"), str(BENCH.parent / "desktop")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
N = 60


def _yuv_frame(width: int, height: int, luma: int):
    """A YUV 4:2:0 frame, as the player's decoder hands them over (so the conversion is counted)."""
    import numpy as np
    from PySide6.QtCore import QSize
    from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

    frame = QVideoFrame(QVideoFrameFormat(QSize(width, height), QVideoFrameFormat.PixelFormat.Format_YUV420P))
    frame.map(QVideoFrame.MapMode.WriteOnly)
    for plane in range(frame.planeCount()):
        np.frombuffer(frame.bits(plane), np.uint8, count=frame.mappedBytes(plane))[:] = luma if plane == 0 else 128 + 10 * plane
    frame.unmap()
    return frame


def main(width: int = 1920, height: int = 1080) -> None:
    from PySide6.QtMultimediaWidgets import QVideoWidget
    from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

    from hhir.types import Character, PersonBox, PersonTrack
    from hhir_studio.people.model import OnScreen
    from hhir_studio.people.overlay import PeopleOverlay

    app = QApplication.instance() or QApplication([])
    holder = QWidget()
    video = QVideoWidget(holder)
    QVBoxLayout(holder).addWidget(video)
    holder.resize(960, 540)
    overlay = PeopleOverlay(video)
    holder.show()
    app.processEvents()
    people = []
    for i in range(3):
        box = (0.05 + 0.3 * i, 0.2, 0.3 + 0.3 * i, 1.0)
        track = PersonTrack(i + 1, 1, 0, (PersonBox(0, *box, 0.9),), i + 1)
        people.append(OnScreen(track, Character(i + 1, 1, i + 1, None, False, None, ""), box))
    overlay.show_people(people, 2, (width, height))
    overlay.show()
    frames = [_yuv_frame(width, height, luma) for luma in (90, 140)]
    times = []
    for n in range(N):
        start = time.perf_counter()
        overlay._on_frame(frames[n % 2])
        overlay.repaint()  # painted now, as the next frame's paint would be
        times.append((time.perf_counter() - start) * 1000)
    median, p90 = statistics.median(times), sorted(times)[int(0.9 * N)]
    print(json.dumps({"frame": f"{width}x{height}", "player": "960x540", "frames": N, "median_ms": round(median, 2),
                      "p90_ms": round(p90, 2), "of_25fps_interval": round(median / 40.0, 3)}))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
