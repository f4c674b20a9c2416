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
