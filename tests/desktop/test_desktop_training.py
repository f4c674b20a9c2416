"""The training dialog: epochs reported from the worker thread reach the live curves; a project
with nothing to train on gets the learning code's own message, and nothing is activated."""

from __future__ import annotations

import threading

import pytest

from hhir.learn.options import TrainingEpoch
from hhir_studio.dialogs.training import TrainingDialog
from hhir_studio.jobs import JobState


def test_epochs_from_the_worker_thread_draw_the_curves(filled_db, open_window, qtbot):
    db, _ = filled_db
    window = open_window(db)
    dialog = TrainingDialog(window, window.runner)
    epochs = [TrainingEpoch(e, 3, 1.0 / e, 1.2 / e, None, 3e-5, 0.1, e == 3) for e in (1, 2, 3)]
    worker = threading.Thread(target=lambda: [dialog.relay.epoch_finished.emit(e) for e in epochs])
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(dialog.plot.series["train loss"].points) == 3, timeout=5000)
    assert dialog.plot.series["validation loss"].points == [(e.epoch, e.validation_loss) for e in epochs]
    assert dialog.plot.series["validation F1"].points == []  # no validation metrics: nothing invented
    dialog.plot.grab()  # paints without error


@pytest.mark.slow
def test_training_without_features_fails_with_a_message(filled_db, open_window, qtbot):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    window.registry.trigger("label.1")
    active_before = window.store.active_model()
    dialog = TrainingDialog(window, window.runner)
    dialog.epochs.setValue(1)
    job = dialog.begin()
    with qtbot.waitSignal(job.ended, timeout=120_000):
        pass
    assert job.state is JobState.FAILED
    assert dialog.status.text().startswith("Training failed: ") and len(dialog.status.text()) > 20
    assert not dialog.activate_button.isEnabled()
    assert window.store.active_model() == active_before


@pytest.mark.slow
def test_training_writes_to_the_model_folder_of_the_settings(filled_db, open_window, qtbot, tmp_path):
    from dataclasses import replace

    db, video_id = filled_db
    window = open_window(db)
    window.session.apply_settings(replace(window.session.settings, model_dir=str(tmp_path / "bundles")))
    dialog = TrainingDialog(window, window.runner)
    dialog.epochs.setValue(1)
    job = dialog.begin()
    with qtbot.waitSignal(job.ended, timeout=120_000):
        pass
    assert dialog.request.out_dir == str(tmp_path / "bundles")
