"""After the window's own shot edit the open video is re-read without its scores (those of the clips
still there are kept): what the views get is what a full read of the project gives."""

from __future__ import annotations

from conftest import MODEL_ID

from hhir.segment.shots import split_shot
from hhir.settings import Settings
from hhir.store import Store
from hhir.types import ModelInfo


def _full_read(session):
    return session._read(session.data.video.id)  # every row again, scores included


def test_scores_kept_after_a_shot_edit_and_its_undo_are_the_stored_ones(filled_db, qapp):
    from hhir_studio.session import ReviewSession

    db, video_id = filled_db
    with Store(db) as store:
        session = ReviewSession(store, Settings())
        session.open_video(video_id)
        before = session.data.predictions
        assert before is not None and before.model.id == MODEL_ID
        shots = session.data.shots
        assert session.edit_shots(split_shot(shots, (shots[1].start_frame + shots[1].end_frame) // 2, session.data.video.fps))
        after = session.data.predictions
        assert after is not None and after == _full_read(session).predictions
        ids = {c.id for c in session.data.clips}
        assert set(after.clips) < ids  # the new clips have no scores until they are rescored
        assert all(after.clips[i] == before.clips[i] for i in after.clips)
        assert session.undo()
        assert session.data.predictions == _full_read(session).predictions
        assert session.redo()
        assert session.data.predictions == _full_read(session).predictions


def test_another_active_model_is_read_after_all(filled_db, qapp):
    from hhir_studio.session import ReviewSession

    db, video_id = filled_db
    with Store(db) as store:
        session = ReviewSession(store, Settings())
        session.open_video(video_id)
        store.register_model(ModelInfo("other-model", "trained"))
        store.activate("other-model")
        clip_ids = [c.id for c in session.data.clips]
        store.set_predictions("other-model", video_id, {"asks": 0.1}, {i: {"asks": 0.9} for i in clip_ids})
        shots = session.data.shots
        assert session.edit_shots(split_shot(shots, (shots[1].start_frame + shots[1].end_frame) // 2, session.data.video.fps))
        assert session.data.predictions is not None and session.data.predictions.model.id == "other-model"
        assert session.data.predictions == _full_read(session).predictions


def test_a_shot_edit_keeps_the_transcript_rows_and_a_correction_still_shows(filled_db, open_window):
    """A shot edit re-reads the video but not a different transcript: the rows stay as they are
    (rebuilding a long film's ~1,000 rows was most of an edit's time); a changed text is shown."""
    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    table = window.transcript.table
    first = table.item(0, 2)
    assert first is not None and table.rowCount() == 2
    shots = window.session.data.shots
    assert window.session.edit_shots(split_shot(shots, (shots[1].start_frame + shots[1].end_frame) // 2, window.session.data.video.fps))
    assert table.item(0, 2) is first  # the very same row item: nothing was rebuilt
    segment = window.session.data.segments[1]
    window.session.edit_segment(segment.id, "It is next to the new bridge.")
    assert table.item(1, 2).text() == "It is next to the new bridge."
    assert window.session.undo()
    assert table.item(1, 2).text() == "It is next to the old bridge."


def test_the_transcript_columns_still_fit_their_contents_after_a_fill(filled_db, open_window):
    """The table is filled with its columns' sizing off (measured once, not per cell), then given back."""
    from PySide6.QtWidgets import QHeaderView

    db, video_id = filled_db
    window = open_window(db)
    window.open_video(video_id)
    header = window.transcript.table.horizontalHeader()
    fit, stretch = QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch
    assert [header.sectionResizeMode(c) for c in range(4)] == [fit, fit, stretch, fit]
    assert window.transcript.table.rowCount() == 2
    assert header.sectionSize(0) >= window.transcript.table.sizeHintForColumn(0)
