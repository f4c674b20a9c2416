"""Edits a person can trust, through the real window and store: shot corrections get suggestions
and a named undo that survives a restart, accept never overwrites a decision, a reviewed clip says
what its untouched labels mean, and the window always says which model suggests and whether it
is working."""

from __future__ import annotations

import threading

import pytest

from hhir.store import Store
from hhir.types import AnnotationState, ModelInfo
from hhir_studio.jobs import JobSpec, JobState


def _wait(qtbot, job, timeout=240_000):
    if job.active:
        with qtbot.waitSignal(job.ended, timeout=timeout):
            pass
    assert job.state is JobState.DONE, job.error


def _jobs(window, title):
    return [j for j in window.runner.jobs() if j.spec.title == title]


@pytest.mark.slow
def test_a_split_gets_suggestions_and_a_named_undo_that_survives_a_restart(filled_db, open_window, qtbot):
    db, video_id = filled_db
    with Store(db) as store:
        store.activate(None)  # a fresh project: suggestions come from the zero-shot starter
    window = open_window(db)
    window.open_video(video_id)
    undo = window.registry.action("edit.undo")
    assert undo.text() == "&Undo"
    window.player.seek(2.0)  # frame 50, inside shot 2 (frames 40-75)
    assert window.registry.trigger("shots.split")  # stored at once; only the scores come later
    # at once, in the background: the rebuilt clips get features and scores (the real encoders)
    (refresh,) = _jobs(window, "Suggestions for the changed clips")
    _wait(qtbot, refresh)
    data = window.session.data
    assert [s.start_frame for s in data.shots] == [0, 40, 50, 75, 120, 150]
    assert data.predictions is not None and set(data.predictions.clips) == {c.id for c in data.clips}
    assert window.labels.values[window.session.labels[0].name].text() != "–"
    with Store(db) as store:  # training finds every clip's features in the cache
        from hhir.pipeline.feature_cache import cached_clip_features
        from hhir.scoring.encoders import profile_encoders

        ids = profile_encoders(window.session.settings.profile).ids()
        assert cached_clip_features(store, store.video(video_id), store.clips(video_id), ids) is not None
    assert undo.text() == "&Undo split of shot 2 at 00:02.0"
    window.close()
    window.store.close()

    window = open_window(db)  # a restart: the step is still there, named
    window.open_video(video_id)
    assert window.registry.action("edit.undo").text() == "&Undo split of shot 2 at 00:02.0"
    assert window.registry.trigger("edit.undo")
    assert [s.start_frame for s in window.session.data.shots] == [0, 40, 75, 120, 150]
    assert window.statusBar().currentMessage() == "Undid split of shot 2 at 00:02.0"
    assert window.registry.action("edit.redo").text() == "&Redo split of shot 2 at 00:02.0"
    assert window.registry.action("edit.undo").text() == "&Undo"
    assert _jobs(window, "Suggestions for the changed clips")  # the undo's clips are scored too
    assert window.registry.trigger("edit.redo")
    assert [s.start_frame for s in window.session.data.shots] == [0, 40, 50, 75, 120, 150]


def test_accept_fills_only_undecided_labels_and_says_how_many(filled_db, open_window):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    session = window.session
    session.select_clip(session.data.clips[1].id)
    scores = session.data.scores(session.selected)
    first, second = session.labels[0].name, session.labels[1].name
    assert window.registry.trigger("label.1")  # present, by hand
    assert window.registry.trigger("label.2") and window.registry.trigger("label.2")  # absent, by hand
    assert window.registry.trigger("review.accept")
    assert session.state(first) is AnnotationState.PRESENT and session.state(second) is AnnotationState.ABSENT
    rest = [name for name in scores if name not in (first, second)]
    for name in rest:
        expected = AnnotationState.PRESENT if scores[name] >= session.threshold(name) else AnnotationState.ABSENT
        assert session.state(name) is expected, name
    assert window.statusBar().currentMessage() == f"Accepted {len(rest)} suggestions; kept 2 labels you set"
    by_label = {a.label: a.source for a in window.store.annotations(video_id)}
    assert by_label[first] == by_label[second] == "human"
    window.registry.trigger("review.accept")  # again: everything is decided now
    assert window.statusBar().currentMessage().startswith("Nothing to accept: every label here is decided")


def test_a_reviewed_clip_shows_its_untouched_labels_as_absent(filled_db, open_window):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    session = window.session
    clip = session.data.clips[0]
    session.select_clip(clip.id)
    assert window.registry.trigger("label.1")
    assert window.registry.trigger("review.reviewed_next")
    session.select_clip(clip.id)
    buttons = window.labels.buttons
    assert buttons[session.labels[0].name].text().endswith("present")
    untouched = buttons[session.labels[1].name]
    assert untouched.text() == "✘  absent (reviewed)" and "counts as absent" in untouched.toolTip()
    assert window.registry.trigger("edit.undo")  # the review is an undoable step like any other
    assert buttons[session.labels[1].name].text().endswith("unreviewed")


def test_the_model_behind_the_suggestions_is_named_and_versions_are_in_the_model_menu(filled_db, open_window, qtbot):
    db, video_id = filled_db
    with Store(db) as store:
        store.register_model(ModelInfo("trained-7", "trained", parent="test-model-1", created_at="2026-11-30T10:00:00Z",
                                       metrics={"test.scene.macro_f1": 0.71}))
    window = open_window(db)
    window.open_video(video_id)
    mark = "Suggestions: zero-shot starter (not trained on your labels)"  # test-model-1 is a starter
    assert window.labels.model.text() == mark and window.status.model_mark.text() == mark
    window.store.activate("trained-7")  # as if trained and activated: its predictions are not written here
    window.store.set_predictions("trained-7", video_id, {}, {c.id: {"asks": 0.9} for c in window.session.data.clips})
    window.session.reload()
    mark = "Suggestions: trained model trained-7, from 2026-11-30, held-out test macro-F1 0.71"
    assert window.labels.model.text() == mark and window.status.model_mark.text() == mark
    assert window.labels.score_heading.text().startswith("Scores: this clip")
    window.registry.trigger("review.scene")
    assert window.labels.score_heading.text() == "Scores: the whole scene"
    menu = window.models
    menu.refresh()
    titles = [a.text() for a in menu.menu.actions()]
    assert "trained-7 (trained, 2026-11-30, held-out F1 0.71)" in titles and "Zero-shot starter" in titles
    assert menu.action("trained-7").isChecked() and not menu.action(None).isChecked()
    rollback = next(a for a in menu.menu.actions() if a.objectName() == "model.rollback")
    assert rollback.isEnabled()
    rollback.trigger()  # to its parent, as `hhir models rollback` does
    (job,) = _jobs(window, "Use model test-model-1")
    _wait(qtbot, job, 120_000)
    assert window.store.active_model().id == "test-model-1"
    menu.refresh()
    menu.action(None).trigger()  # the starter itself, as `hhir models activate` would
    (job,) = _jobs(window, "Use the zero-shot starter")
    _wait(qtbot, job, 120_000)
    assert window.store.active_model() is None
    menu.refresh()
    assert menu.action(None).isChecked()


def test_a_trained_model_is_named_with_its_date_and_held_out_score():
    from hhir_studio.models_menu import describe_model

    info = ModelInfo("trained-7", "trained", created_at="2026-11-30T10:00:00Z", metrics={"validation.scene.macro_f1": 0.5})
    assert describe_model(info) == "Suggestions: trained model trained-7, from 2026-11-30, held-out validation macro-F1 0.50"


def test_the_state_line_is_not_ready_while_work_runs(filled_db, open_window, qtbot):
    db, _ = filled_db
    window = open_window(db)
    assert window.status.state.text() == "Ready"
    release = threading.Event()
    job = window.runner.submit(JobSpec("Analyze film.mp4", lambda p, c: release.wait(10)))
    qtbot.waitUntil(lambda: window.status.state.text() == "Working: Analyze film.mp4", timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: window.status.state.text() == "Ready", timeout=5000)
    assert job.state is JobState.DONE


def test_the_timeline_says_its_numbers_are_scene_scores(filled_db, open_window):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    row = next(r for r in window.timeline.rows() if r.kind == "label")
    assert "whole scene's score" in window.timeline.header_tip(row.top + 1)


def test_the_window_reads_a_video_in_one_read_transaction(filled_db, open_window):
    from sqlalchemy import event

    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    begins = []
    event.listen(window.store._engine, "begin", lambda _conn: begins.append(1))
    snapshot = window.session._read(video_id)
    assert len(begins) == 1
    assert len(snapshot.clips) == 3 and snapshot.predictions is not None and snapshot.segments


def test_clips_left_without_scores_by_an_earlier_session_are_scored_when_the_video_opens(filled_db, open_window):
    from hhir.pipeline import replace_shots
    from hhir.segment.shots import split_shot

    db, video_id = filled_db
    with Store(db) as store:  # a split whose refresh never ran (the app closed first)
        replace_shots(store, video_id, split_shot(store.shots(video_id), 50, 25.0))
    window = open_window(db)
    window.open_video(video_id)
    [job] = _jobs(window, "Suggestions for the changed clips")
    job.cancel()
    window.open_video(video_id)
    assert _jobs(window, "Suggestions for the changed clips")  # asked again: nothing is left unscored
