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


def test_activating_from_the_training_dialog_and_the_model_menu_refresh_the_same_views(filled_db, open_window, qtbot):
    """Both run the one ``activate`` operation; its changes reach the views through the runner,
    not through wiring at each call site."""
    from types import SimpleNamespace

    from conftest import MODEL_ID

    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    seen: list[tuple] = []

    def record(start):
        counts = {"reloaded": 0, "videos": 0}
        window.session.data_changed.connect(lambda: counts.__setitem__("reloaded", counts["reloaded"] + 1))
        window.session.videos_changed.connect(lambda: counts.__setitem__("videos", counts["videos"] + 1))
        with qtbot.waitSignal(window.runner.changed, timeout=120_000) as changed:
            job = start()
        qtbot.waitUntil(lambda: not job.active, timeout=120_000)
        assert job.state is JobState.DONE, job.error
        seen.append((changed.args[0].active_model, counts["reloaded"] > 0, counts["videos"] > 0))

    record(lambda: window.activate_model(None))  # what the Model menu's "Zero-shot starter" calls
    assert window.store.active_model() is None or window.store.active_model().kind == "starter"
    dialog = TrainingDialog(window, window.runner)
    dialog.result_ = SimpleNamespace(model=window.store.model(MODEL_ID))  # as if just trained
    record(dialog.activate_new)
    assert window.store.active_model().id == MODEL_ID
    assert seen == [(True, True, True), (True, True, True)]
