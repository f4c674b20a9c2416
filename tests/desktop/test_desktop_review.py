"""Review commands through the real window and store: accept suggestions, scene labels, the review
order, transcript corrections, shot edits with rebuilt clips, settings and export."""

from __future__ import annotations

from hhir.store import Store
from hhir.types import AnnotationState, LabelDef, Target
from hhir_studio.jobs import JobState
from hhir_studio.labels import logic


def test_cycle_and_key_rules():
    assert [logic.next_state(s) for s in (None, AnnotationState.PRESENT, AnnotationState.ABSENT)] == [
        AnnotationState.PRESENT, AnnotationState.ABSENT, None]
    labels = [LabelDef("a", key="2"), LabelDef("b", key="1")]
    assert logic.label_for_key(labels, 1).name == "b" and logic.label_for_key(labels, 3) is None
    unkeyed = [LabelDef("x"), LabelDef("y")]
    assert logic.label_for_key(unkeyed, 2).name == "y" and logic.label_for_key(unkeyed, 3) is None
    order = [Target(1, i) for i in range(5)]
    reviewed = {Target(1, 1), Target(1, 2)}
    assert logic.step_unreviewed(order, reviewed, Target(1, 0), 1) == Target(1, 3)
    assert logic.step_unreviewed(order, reviewed, Target(1, 3), -1) == Target(1, 0)
    assert logic.step_unreviewed(order, reviewed, Target(1, 4), 1) == Target(1, 0)  # wraps
    assert logic.step_unreviewed(order, set(order), None, 1) is None


def test_accept_suggestions_is_one_undo_step(filled_db, open_window):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    session = window.session
    session.select_clip(session.data.clips[1].id)
    scores = session.data.scores(session.selected)
    assert window.registry.trigger("review.accept")
    for label, score in scores.items():
        expected = AnnotationState.PRESENT if score >= 0.6 else AnnotationState.ABSENT
        assert session.state(label) is expected, label
    sources = {a.source for a in window.store.annotations(video_id)}
    assert sources == {"accepted:test-model-1"}
    assert window.registry.trigger("edit.undo")
    assert all(session.state(label) is None for label in scores)
    assert window.store.annotations(video_id) == []


def test_scene_labels_and_queue_order(filled_db, open_window):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    session = window.session
    assert window.registry.trigger("review.scene")
    assert session.selected == Target(video_id, None)
    assert window.labels.title.text().startswith("Scene")
    assert window.registry.trigger("label.7")
    assert session.state("no_interaction") is AnnotationState.PRESENT
    order = session.review_order()
    assert sorted(t.clip_id for t in order) == sorted(c.id for c in session.data.clips)
    session.select(order[0])
    assert window.registry.trigger("review.reviewed_next")
    assert session.selected == order[1]  # the queue's next clip, not necessarily the next in time
    assert window.registry.trigger("review.prev_unreviewed")
    assert session.selected == order[2]  # wraps: order[0] is reviewed now


def test_transcript_correction_is_committed_and_undoable(filled_db, open_window):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    item = window.transcript.table.item(1, 2)
    item.setText("It is next to the new bridge.")
    assert [s.text for s in Store(db).transcript(video_id)][1] == "It is next to the new bridge."
    assert window.registry.trigger("edit.undo")
    assert window.transcript.table.item(1, 2).text() == "It is next to the old bridge."


def test_split_shot_at_playhead_rebuilds_clips_and_keeps_labels(filled_db, open_window, qtbot):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    first, last = window.session.data.clips[0], window.session.data.clips[2]
    for clip in (first, last):  # shots 1-3 (0.0-4.8 s) disappear with the split, shots 3-5 (3.0-8.0 s) stay
        window.session.select_clip(clip.id)
        assert window.registry.trigger("label.1")
    window.player.seek(2.0)  # frame 50, inside shot 2 (frames 40-75)
    assert window.player.current_frame() == 50
    assert window.registry.trigger("shots.split")  # stored at once, not as a job
    data = window.session.data
    assert [s.start_frame for s in data.shots] == [0, 40, 50, 75, 120, 150]
    assert len(data.clips) == 4
    kept = [a for a in window.store.annotations(video_id) if a.label == "asks"]
    # the unchanged clip (3.0-8.0 s) keeps its label; the changed one (0.0-4.8 s) passes it to the new
    # clip that shares most of its time (1.6-4.8 s: 3.2 s, against 3.0 s for 0.0-3.0 s)
    assert sorted((data.clip(a.target.clip_id).start_s, data.clip(a.target.clip_id).end_s) for a in kept) == [(1.6, 4.8), (3.0, 8.0)]
    assert window.store.orphan_annotations(video_id) == []
    assert window.statusBar().currentMessage() == "Split of shot 2 at 00:02.0: every label kept"


def test_settings_dialog_validates_and_applies(filled_db, open_window, _config_dir):
    from hhir import settings as settings_file
    from hhir_studio.dialogs.settings import SettingsDialog

    db, video_id = filled_db
    window = open_window(db)
    dialog = SettingsDialog(window.session.settings, window, ["asks"])
    dialog.clip_size.setValue(2)
    dialog.clip_stride.setValue(3)
    dialog.accept()
    assert "clip_stride must be between" in dialog.error.text() and dialog.result() == 0
    dialog.clip_stride.setValue(1)
    dialog.thresholds["asks"].setValue(0.3)
    dialog.annotator.setText("ana")
    window.apply_settings(dialog.result_settings())
    stored = settings_file.load()
    assert stored.clip_size == 2 and stored.threshold("asks") == 0.3 and stored.annotator == "ana"
    assert window.session.annotator == "ana" and window.analysis.settings.clip_size == 2


def test_settings_dialog_never_shows_a_password_and_keeps_it_when_untouched(filled_db, open_window, _config_dir):
    import dataclasses

    from hhir_studio.dialogs.settings import SettingsDialog

    db, _ = filled_db
    window = open_window(db)
    url = "postgresql://ann:Pw-9f-shown-nowhere@db.example.org:5432/films"
    settings = dataclasses.replace(window.session.settings, database=url)
    dialog = SettingsDialog(settings, window, [])
    assert "Pw-9f" not in dialog.database.text() and dialog.database.text() == "postgresql://ann:***@db.example.org:5432/films"
    assert dialog.result_settings().database == url  # untouched: the password is kept
    dialog.database.setText("postgresql://ann@db.example.org/films")  # the user took it out
    assert dialog.result_settings().database == "postgresql://ann@db.example.org/films"


def test_export_dialog_runs_a_background_export(filled_db, open_window, qtbot, tmp_path):
    from hhir_studio.dialogs.export import ExportDialog

    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    window.registry.trigger("label.3")
    dialog = ExportDialog(window, window.runner)
    dialog.format.setCurrentIndex(dialog.format.findData("manifest"))
    dialog.folder.setText(str(tmp_path / "out"))
    job = dialog.begin()
    with qtbot.waitSignal(job.ended, timeout=60_000):
        pass
    assert job.state is JobState.DONE, job.error
    from pathlib import Path

    out = tmp_path / "out"
    written = [Path(f) if Path(f).is_absolute() else out / f for f in job.result.files]
    assert written and all(p.is_file() and p.resolve().is_relative_to(out.resolve()) for p in written)
    assert any("talks to" in p.read_text(errors="ignore") for p in written if p.suffix in (".csv", ".jsonl"))
    assert "Wrote" in dialog.status.text()


def test_import_dialog_runs_the_import_in_the_background_and_the_open_video_shows_it(filled_db, open_window, qtbot, tmp_path):
    from hhir_studio.dialogs.import_ import ImportDialog

    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    srt = tmp_path / "corrected.srt"
    srt.write_text("1\n00:00:00,300 --> 00:00:02,200\nWhere is the bus station?\n\n"
                   "2\n00:00:03,600 --> 00:00:05,800\nIt is next to the new bridge.\n", encoding="utf-8")
    dialog = ImportDialog(window, window.runner)
    dialog.format.setCurrentIndex(dialog.format.findData("srt"))
    dialog.path.setText(str(srt))
    assert dialog.open_video.isChecked()
    job = dialog.begin()
    with qtbot.waitSignal(window.runner.changed, timeout=60_000) as changed:
        pass
    qtbot.waitUntil(lambda: not job.active, timeout=60_000)
    assert job.state is JobState.DONE, job.error
    assert job.result.conflicts and job.result.segments_written == 0  # differs: kept, and said so
    assert "kept" in dialog.status.text()
    assert window.session.data.segments[0].text == "Where is the train station?"
    dialog.replace.setChecked(True)
    job = dialog.begin()
    with qtbot.waitSignal(window.runner.changed, timeout=60_000) as changed:
        pass
    qtbot.waitUntil(lambda: not job.active, timeout=60_000)
    assert job.state is JobState.DONE, job.error
    assert changed.args[0].labels == (video_id,)
    assert [s.text for s in window.session.data.segments] == ["Where is the bus station?", "It is next to the new bridge."]


def test_label_toggle_updates_panels_in_place_without_rereading(filled_db, open_window, monkeypatch):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    session, store = window.session, window.store
    before = session.data
    layout = window.timeline.layout_data
    rows = [window.transcript.table.item(r, 2) for r in range(window.transcript.table.rowCount())]
    clip = session.data.clips[1]
    session.select_clip(clip.id)
    reads = []
    for name in ("clips", "shots", "transcript", "predictions", "annotations", "reviewed"):
        real = getattr(store, name)
        monkeypatch.setattr(store, name, lambda *a, _real=real, _name=name, **k: reads.append(_name) or _real(*a, **k))
    first = session.labels[0].name
    assert window.registry.trigger("label.1")
    target = Target(video_id, clip.id)
    assert session.state(first) is AnnotationState.PRESENT
    assert window.labels.buttons[first].text().endswith("present")
    assert window.timeline.layout_data.states[(target, first)] is AnnotationState.PRESENT
    assert window.timeline.layout_data.clips is layout.clips  # stacked clips kept, not rebuilt
    assert session.data.clips is before.clips and session.data.predictions is before.predictions
    assert [window.transcript.table.item(r, 2) for r in range(len(rows))] == rows  # rows not rebuilt
    assert window.registry.trigger("label.1") and window.registry.trigger("label.1")  # -> absent -> unreviewed
    assert session.state(first) is None and (target, first) not in window.timeline.layout_data.states
    assert window.registry.trigger("review.reviewed_next")
    assert target in session.data.reviewed and target in window.timeline.layout_data.reviewed
    assert session.selected != target
    assert reads == []  # what the session wrote is what it shows; nothing was re-read
    on_disk = {(a.target, a.label): a.state for a in Store(db).annotations(video_id)}
    assert on_disk == session.data.states and Store(db).reviewed(video_id) == set(session.data.reviewed)
    status = window.videos.rows[next(iter(window.videos.rows))].text(1)
    assert status.startswith(f"1/{len(session.data.clips)} reviewed")


def test_undo_after_in_place_edits_rereads_the_video(filled_db, open_window):
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    session = window.session
    session.select_clip(session.data.clips[0].id)
    first = session.labels[0].name
    assert window.registry.trigger("label.1")
    assert window.registry.trigger("edit.undo")
    assert session.state(first) is None and window.labels.buttons[first].text().endswith("unreviewed")
    assert window.timeline.layout_data.states == {}
    assert window.registry.trigger("edit.redo")
    assert session.state(first) is AnnotationState.PRESENT
    assert window.timeline.layout_data.states == session.data.states


def test_video_list_status_counts_other_videos_without_opening_them(filled_db, open_window):
    db, video_id = filled_db
    window = open_window(db)
    store = window.store
    clips = store.clips(video_id)
    store.set_reviewed(Target(video_id, clips[0].id), window.session.annotator)
    window.videos.refresh()  # nothing open: counted with queries
    status = next(iter(window.videos.rows.values())).text(1)
    assert status == f"1/{len(clips)} reviewed"
    store.activate(None)
    window.videos.refresh()
    assert next(iter(window.videos.rows.values())).text(1).endswith("· no predictions")
