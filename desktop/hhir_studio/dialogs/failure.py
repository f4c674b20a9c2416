"""Failures reach the user as a dialog with the details, and the log folder is one click away.

A status-bar message disappears after a few seconds and holds one line; a failed analysis or
training needs the whole message and what the log says, so the user can act or send it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from hhir.logs import log_dir

TAIL_LINES = 40


def open_log_folder() -> bool:
    """Show the log folder in the system's file manager (created if missing)."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def log_tail(lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of the newest log file, or "" when there is none."""
    files = sorted(log_dir().glob("*.log"), key=lambda p: p.stat().st_mtime) if log_dir().is_dir() else []
    if not files:
        return ""
    return _tail(files[-1], lines)


def _tail(path: Path, lines: int) -> str:
    with path.open("rb") as f:
        f.seek(0, 2)
        f.seek(max(0, f.tell() - 64_000))  # a long log: read only its end
        text = f.read().decode("utf-8", errors="replace")
    return f"{path}:\n" + "\n".join(text.splitlines()[-lines:])


class FailureNotice(QMessageBox):
    """One non-modal dialog for the failures of background work; a failure while it is open is
    added to it (the newest first), so a burst of them never stacks windows. Once closed it
    starts afresh: the next failure is shown alone, not after the ones already read."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(QMessageBox.Icon.Warning, "Something went wrong", "", QMessageBox.StandardButton.Close, parent)
        self.setModal(False)
        # background work failing must not take the keyboard from a person labelling: the notice
        # shows beside the window, and the keys go on reaching the window until it is clicked
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.messages: list[str] = []
        logs = QPushButton("Open log folder", self)
        self.addButton(logs, QMessageBox.ButtonRole.ActionRole)
        logs.clicked.disconnect()  # an action button would close the box; this one only opens the folder
        logs.clicked.connect(open_log_folder)
        self.finished.connect(lambda _result: self.messages.clear())

    def report(self, message: str) -> None:
        self.messages.insert(0, message)
        shown = self.messages[:5]
        more = f"\n\n(and {len(self.messages) - 5} earlier)" if len(self.messages) > 5 else ""
        self.setText("\n\n".join(shown) + more)
        self.setInformativeText(f"The log has the details: {log_dir()}")
        self.setDetailedText(log_tail())
        self.show()
        self.raise_()
