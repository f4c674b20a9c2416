"""Run by test_desktop_focus_x11.py under a real X server and window manager (Xvfb + openbox):
the real window, a file dialog, a menu closed with Escape, an error dialog, and after each the keys
a person presses. Prints one JSON object of what it saw.

Usage: python x11_focus_child.py PROJECT VIDEO_ID
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(db: str, video_id: int) -> int:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

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

    def press(key) -> None:
        """A key as a person presses it: to whatever has the keyboard now (nothing: it is lost)."""
        target = QApplication.focusWidget()
        if target is not None:
            QTest.keyClick(target, key)
        settle(0.2)

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
    QTest.keyClick(menu, Qt.Key.Key_Escape)
    settle()
    keys_work("after_menu", Qt.Key.Key_1, labels[0])

    # the file dialog, closed with Escape
    def close_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(100, close_dialog)
            return
        seen["dialog"] = type(dialog).__name__
        QTest.keyClick(dialog, Qt.Key.Key_Escape)

    QTimer.singleShot(800, close_dialog)
    window.open_dialog()
    settle()
    keys_work("after_file_dialog", Qt.Key.Key_2, labels[1])

    # an error dialog: shown over the window, then closed
    window.notify_error("first: the file is missing")
    wait(window._failures.isVisible)
    settle()
    seen["error_active"] = QApplication.activeWindow() is window._failures
    QTest.keyClick(window._failures, Qt.Key.Key_Escape)
    settle()
    keys_work("after_error", Qt.Key.Key_3, labels[2])
    window.notify_error("second: another file is missing")
    wait(window._failures.isVisible)
    seen["second_error_text"] = window._failures.text()
    window._failures.close()
    settle()
    keys_work("after_second_error", Qt.Key.Key_Right, labels[0])

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
