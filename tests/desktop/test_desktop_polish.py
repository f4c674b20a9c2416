"""What the window shows at its default size, checked on the real widgets and their pixels: the
Videos panel fits name, status, progress bar and cancel button; an empty project says how to
start; check boxes are visible on the dark theme; a failed training does not move the buttons."""

from __future__ import annotations

import threading

import numpy as np

from hhir_studio.jobs import JobSpec
from hhir_studio.videos.panel import CANCEL, NAME, PROGRESS


def _pixels(widget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(widget.grab().toImage().Format.Format_RGB888)
    raw = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return raw[:, : image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)


def test_an_empty_project_says_how_to_start_and_a_running_analysis_fits_the_videos_panel(tmp_path, scene_video, open_window, qtbot):
    window = open_window(tmp_path / "project.sqlite3")
    panel = window.videos
    assert panel.hint.isVisible() and "Drop video files here" in panel.hint.text() and not panel.tree.isVisible()
    release = threading.Event()
    window.runner.submit(JobSpec("Busy", lambda p, c: release.wait(30)))  # the analysis waits behind it
    window.analyze([str(scene_video)])
    assert not panel.hint.isVisible() and panel.tree.isVisible()
    qtbot.waitUntil(lambda: panel.tree.viewport().width() > 0)
    header, room = panel.tree.header(), panel.tree.viewport().width()
    assert header.sectionSize(NAME) >= 90  # the name is readable
    for column in (PROGRESS, CANCEL):  # bar and button are whole inside the panel
        assert not panel.tree.isColumnHidden(column)
        assert header.sectionViewportPosition(column) + header.sectionSize(column) <= room, column
    bar = panel.progress_bar(str(scene_video))
    assert bar is not None and bar.isVisible() and bar.width() >= 50
    release.set()


def test_check_boxes_are_visible_on_the_dark_theme(filled_db, open_window, qapp):
    from hhir_studio import theme
    from hhir_studio.dialogs.export import ExportDialog

    qapp.setStyleSheet(theme.style_sheet())  # what the app applies at start (app._application)
    try:
        _check_boxes_show(filled_db, open_window, ExportDialog)
    finally:
        qapp.setStyleSheet("")


def _check_boxes_show(filled_db, open_window, ExportDialog) -> None:  # noqa: N803 - a class
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    dialog = ExportDialog(window, window.runner)
    dialog.show()
    box = dialog.reviewed_only
    box.setChecked(False)
    unchecked = _pixels(box)
    box.setChecked(True)
    checked = _pixels(box)
    background = np.median(unchecked.reshape(-1, 3), axis=0)
    indicator = unchecked[:, :22]  # the indicator sits at the left of the box
    contrast = np.abs(indicator - background).sum(axis=2).max()
    assert contrast > 150, f"the unchecked box barely differs from the background ({contrast})"
    change = np.abs(checked[:, :22] - unchecked[:, :22]).sum(axis=2)
    assert (change > 150).sum() >= 40, "checking the box barely changes it"
    dialog.close()


def test_a_failed_training_keeps_the_dialog_buttons_in_place(filled_db, open_window, qtbot):
    from hhir_studio.dialogs.training import TrainingDialog

    db, _ = filled_db
    window = open_window(db)
    dialog = TrainingDialog(window, window.runner)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = [b.mapTo(dialog, b.rect().topLeft()) for b in (dialog.start, dialog.cancel_button)]
    failure = ("Training failed: no annotated clips or scenes with cached features to train on; "
               "label and review some clips, let their analysis finish, then train again. " * 4)
    dialog.status.setText(failure)
    dialog.adjustSize()
    qtbot.wait(50)
    after = [b.mapTo(dialog, b.rect().topLeft()) for b in (dialog.start, dialog.cancel_button)]
    assert after == before
    assert dialog.status.toolTip() == failure  # the whole message is still there
    dialog.close()
