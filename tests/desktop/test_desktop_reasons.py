"""The label panel says why the starter scored a clip: the cue behind each score."""

from __future__ import annotations

import numpy as np


def test_label_panel_shows_the_starters_reason_for_the_selected_clip(filled_db, open_window):
    from hhir.scoring import starter
    from hhir.store import Store

    db, video_id = filled_db
    store = Store(db)
    try:
        video, clips = store.video(video_id), store.clips(video_id)
        store.put_features([(video.fingerprint, c.start_s, c.end_s, starter.CUES_ID,
                             starter.clip_cues(None, np.zeros(16000, np.float32), c.text)) for c in clips])
    finally:
        store.close()
    window = open_window(db)
    window.open_video(video_id)
    session = window.session
    asking = next(c for c in session.data.clips if c.text.startswith("Where"))
    session.select_clip(asking.id)
    reason = window.labels.reasons["asks"]
    assert reason.text() == "question: 'Where is the train station?'"
    assert not reason.isHidden()
    session.select_clip(None)  # the whole scene
    assert window.labels.reasons["asks"].isHidden()  # the scene has no single clip to explain
