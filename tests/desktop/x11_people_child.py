"""Run by test_desktop_people.py under a real X server: opens the window on an analyzed two-person
project, shows frame 10 with the people's boxes, selects one with Tab, and prints (one JSON line)
the colours a grab of the X screen has on each box's left edge and just outside it, with the boxes
on and off. Usage: x11_people_child.py DB VIDEO_ID"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QPoint, QTimer
from PySide6.QtGui import QGuiApplication


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(db: str, video_id: int) -> None:
    from hhir_studio.app import Arguments, _application, create_window

    app = _application([])
    w = create_window(Arguments(Path(db), []))
    w.resize(1200, 760)
    w.move(0, 0)
    w.show()
    w.open_video(video_id)
    for _ in range(100):
        wait(200)
        if w.player.player.duration() > 0:
            break
    w.player.seek_frame(10)
    for _ in range(50):
        wait(200)
        if len(w.people.on_screen) == 2:
            break
    w.registry.trigger("people.next")
    wait(1500)
    overlay = w.people.overlay
    points = []
    for person in w.people.on_screen:
        rect = overlay.box_rect(person.box)
        y = int(rect.center().y())
        points.append({"selected": person.track.id == w.people.selected,
                       "edge": overlay.mapToGlobal(QPoint(int(rect.left()) + 1, y)),
                       "outside": overlay.mapToGlobal(QPoint(int(rect.left()) - 8, y))})

    def colours() -> list[dict]:
        image = QGuiApplication.primaryScreen().grabWindow(0).toImage()
        return [{"selected": p["selected"], **{k: list(image.pixelColor(p[k]).getRgb()[:3]) for k in ("edge", "outside")}}
                for p in points]

    shown = colours()
    w.registry.trigger("people.boxes")
    wait(1500)
    hidden = colours()
    print(json.dumps({"on": shown, "off": hidden, "video_visible_off": w.player.video.isVisible()}))
    w.close()
    app.processEvents()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
