"""A cached re-analysis recomputes no scores; anything the scores depend on makes it score again."""

from __future__ import annotations

import pytest

from hhir.pipeline import analyze
from hhir.scoring import starter
from hhir.store import Store
from hhir.types import LabelDef


@pytest.fixture
def scored(monkeypatch, tmp_path, scene_video):
    calls: list[int] = []
    real = starter.predict

    def counting(cues, texts, labels):
        calls.append(len(texts))
        return real(cues, texts, labels)  # the real scoring runs

    monkeypatch.setattr(starter, "predict", counting)
    store = Store(tmp_path / "p.sqlite3")
    video_id = analyze(store, scene_video)
    yield store, video_id, scene_video, calls
    store.close()


def test_a_cached_reanalysis_returns_the_stored_scores(scored):
    store, video_id, video, calls = scored
    first = store.predictions(video_id, starter.MODEL_ID)
    assert calls == [len(store.clips(video_id))]
    analyze(store, video)
    assert len(calls) == 1  # nothing scored again
    assert store.predictions(video_id, starter.MODEL_ID) == first


def test_a_new_label_or_a_corrected_transcript_scores_again(scored):
    store, video_id, video, calls = scored
    store.add_label(LabelDef(name="hugs", description="one person hugs another", key=""))
    analyze(store, video)
    assert len(calls) == 2 and "hugs" in store.predictions(video_id, starter.MODEL_ID).scene
    segment = store.transcript(video_id)[0]
    store.edit_segment_text(segment.id, "A corrected line, with other words.", "ann")
    analyze(store, video)
    assert len(calls) == 3
