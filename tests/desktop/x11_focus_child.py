"""Run by test_desktop_focus_x11.py under a real X server and window manager (Xvfb + openbox):
the real window, a file dialog, a menu closed with Escape, an error dialog, and after each the keys
a person presses. Prints one JSON object of what it saw.

Keys go through the X server (xdotool), so the window manager decides where they land, as for a
person at the keyboard.

Usage: python x11_focus_child.py PROJECT VIDEO_ID
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path


XDOTOOL = shutil.which("xdotool") or "xdotool"


def main(db: str, video_id: int) -> int:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    names = {Qt.Key.Key_1: "1", Qt.Key.Key_2: "2", Qt.Key.Key_3: "3", Qt.Key.Key_4: "4", Qt.Key.Key_Right: "Right"}

    from hhir_studio.app import Arguments, _application, create_window

    app = _application([])
    window = create_window(Arguments(Path(db), []))
    window.resize(1024, 640)
    window.show()
    window.open_video(video_id)
    seen: dict[str, object] = {}

    def settle(seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    def wait(condition, seconds: float = 10.0) -> bool:
        end = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > end:
                return False
            app.processEvents()
            time.sleep(0.02)
        return True

    def xkey(name: str) -> None:
        """A key pressed on the X server's keyboard (xdotool): the window manager and X decide which
        window gets it, as for a person at the keyboard."""
        subprocess.run([XDOTOOL, "key", name], check=True, timeout=10)

    def press(key) -> None:
        """A key as a person presses it: to whatever has the keyboard now (nothing: it is lost)."""
        xkey(names[key])
        settle(0.3)

    def keys_work(name: str, key, label: str) -> None:
        before = window.session.state(label)
        press(key)
        seen[name] = {
            "active": window.isActiveWindow(),
            "focus": type(QApplication.focusWidget()).__name__ if QApplication.focusWidget() else None,
            "label_changed": window.session.state(label) != before,
        }

    wait(window.isActiveWindow)
    window.timeline.setFocus()
    settle()
    seen["size"] = [window.width(), window.height()]
    seen["min_width"] = window.minimumSizeHint().width()
    from PySide6.QtWidgets import QDockWidget

    seen["mins"] = {d.objectName(): [d.minimumSizeHint().width(), d.minimumSizeHint().height()] for d in window.findChildren(QDockWidget)}
    seen["mins"]["central"] = [window.centralWidget().minimumSizeHint().width(), window.centralWidget().minimumSizeHint().height()]
    labels = [label.name for label in window.session.labels]

    # a menu opened and closed with Escape
    menu = window._menu("&Edit")
    menu.popup(window.menuBar().mapToGlobal(window.menuBar().actionGeometry(menu.menuAction()).bottomLeft()))
    wait(menu.isVisible)
    settle()
    xkey("Escape")
    settle()
    keys_work("after_menu", Qt.Key.Key_1, labels[0])

    # the file dialog, closed with Escape
    def close_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(100, close_dialog)
            return
        seen.setdefault("dialogs", []).append(type(dialog).__name__)
        dialog.activateWindow()
        QTimer.singleShot(300, lambda: xkey("Escape"))

    QTimer.singleShot(800, close_dialog)
    window.open_dialog()
    settle()
    keys_work("after_file_dialog", Qt.Key.Key_2, labels[1])

    # an error from background work: shown beside the window without taking the keys from it
    window.notify_error("first: the file is missing")
    wait(window._failures.isVisible)
    settle()
    seen["error_took_keys"] = QApplication.activeWindow() is window._failures
    keys_work("while_error_shown", Qt.Key.Key_3, labels[2])
    window._failures.activateWindow()  # the person clicks it, reads it, and closes it with Escape
    wait(lambda: QApplication.activeWindow() is window._failures)
    settle()
    xkey("Escape")
    settle()
    keys_work("after_error", Qt.Key.Key_3, labels[2])
    window.notify_error("second: another file is missing")
    wait(window._failures.isVisible)
    seen["second_error_text"] = window._failures.text()
    window._failures.close()
    settle()

    # the settings dialog (a dialog of our own), closed with Escape
    QTimer.singleShot(800, close_dialog)
    window.settings_dialog()
    settle()
    keys_work("after_settings", Qt.Key.Key_4, labels[3])

    print(json.dumps(seen))
    window.close()
    window.store.close()
    app.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
