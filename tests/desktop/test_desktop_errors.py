"""Errors a person can read: an export's failure is said once, in the dialog that exported, and the
error dialog shows a new failure alone once the earlier ones were read and closed."""

from __future__ import annotations


def test_an_export_error_is_shown_once_and_an_error_dialog_starts_afresh(filled_db, open_window, qtbot, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    blocker = tmp_path / "not a folder"
    blocker.write_text("a file where the export folder should be")
    seen = {}

    def in_dialog():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, in_dialog)
            return
        dialog.folder.setText(str(blocker))
        job = dialog.begin()
        qtbot.waitUntil(lambda: not job.active, timeout=60_000)
        seen["status"] = dialog.status.text()
        dialog.accept()

    QTimer.singleShot(0, in_dialog)
    window.export_dialog()
    assert seen["status"].startswith("Export failed:")  # said in the dialog that was asked to export...
    assert window._failures is None  # ... and not a second time in the error dialog

    window.notify_error("first: the file is missing")
    window._failures.close()
    window.notify_error("second: another file is missing")
    assert window._failures.text() == "second: another file is missing"  # not the one already read
