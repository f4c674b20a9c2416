"""The Videos panel shows each video's fixed side of the project's split."""

from __future__ import annotations


def test_video_tooltip_names_its_split_side(filled_db, open_window):
    db, video_id = filled_db
    window = open_window(db)
    item = next(iter(window.videos.rows.values()))
    assert "split: none yet" in item.toolTip(0)
    video = window.store.video(video_id)
    window.store.assign_sides([(video.fingerprint, "test", None)], seed=42)
    window.videos.refresh()
    assert item.toolTip(0).splitlines() == [video.path, "split: test; every model keeps it there (hhir split move changes it)"]
    window.store.move_videos([video.fingerprint], "train")
    window.videos.refresh()
    assert "split: train (moved by hand)" in item.toolTip(0)


def test_a_label_added_after_the_review_shows_unreviewed_on_that_clip(filled_db, open_window):
    from hhir.settings import load
    from hhir.store import Store
    from hhir.types import LabelDef, Target

    db, video_id = filled_db
    with Store(db) as store:  # reviewed before the label existed; the window builds its label buttons at start
        clip = store.clips(video_id)[0]
        store.set_reviewed(Target(video_id, clip.id), load().annotator_name())
        store.add_label(LabelDef("hugs", "two people embrace"))
    window = open_window(db)
    session = window.session
    window.open_video(video_id)
    session.select_clip(clip.id)
    buttons = window.labels.buttons
    assert "hugs" in buttons and buttons["hugs"].text().endswith("unreviewed")  # never judged for hugs
    assert buttons[session.labels[0].name].text() == "✘  absent (reviewed)"
    assert window.registry.trigger("review.reviewed_next")  # reviewed again, now that hugs exists
    session.select_clip(clip.id)
    assert buttons["hugs"].text() == "✘  absent (reviewed)"
