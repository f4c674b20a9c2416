"""A trained bundle records the clip window its training clips were cut with, not today's defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hhir.learn.options import TrainOptions
from hhir.learn.train import train
from hhir.pipeline import AnalysisOptions, analyze
from hhir.segment.clips import build_clips, clip_window
from hhir.store import Store
from hhir.types import AnnotationState, Shot, Target


def _shots(n: int) -> list[Shot]:
    return [Shot(i, i * 10, (i + 1) * 10, i * 0.4, (i + 1) * 0.4) for i in range(n)]


@pytest.mark.parametrize(("n_shots", "size", "stride"), [(8, 4, 2), (10, 3, 2), (9, 3, 1), (12, 5, 3), (7, 2, 2)])
def test_clip_window_inverts_build_clips(n_shots: int, size: int, stride: int) -> None:
    assert clip_window([build_clips(_shots(n_shots), size, stride)]) == (size, stride)


def test_clip_window_of_short_and_partial_videos() -> None:
    short = build_clips(_shots(2), 4, 1)  # fewer shots than the window: one narrower clip
    full = build_clips(_shots(9), 4, 1)
    assert clip_window([short, full]) == (4, 1)
    assert clip_window([full[::2]]) == (4, 2)  # only every other clip annotated: the step seen is 2
    assert clip_window([]) is None and clip_window([[]]) is None


@pytest.mark.slow
def test_a_model_trained_on_4_shot_clips_records_4(tmp_path: Path) -> None:
    from media_factory import make_video

    store = Store(tmp_path / "p.sqlite")
    path = make_video(tmp_path / "eight shots.mp4", [(25, None)] * 8, audio=False)
    video_id = analyze(store, path, AnalysisOptions(clip_size=4, clip_stride=2))
    clips = store.clips(video_id)
    assert [(c.first_shot, c.last_shot) for c in clips] == [(0, 3), (2, 5), (4, 7)]
    names = [label.name for label in store.labels()]
    for i, clip in enumerate(clips):
        on = names[i % len(names)]
        store.annotate_many([(Target(video_id, clip.id), n, AnnotationState.PRESENT if n == on else AnnotationState.ABSENT)
                             for n in names], "ann")
    result = train(store, TrainOptions(hidden_dim=8, num_heads=2, num_layers=1, epochs=2, patience=2,
                                       validation_fraction=0.0, test_fraction=0.0))
    clip = json.loads((result.path / "manifest.json").read_text())["clip"]
    assert (clip["size"], clip["stride"]) == (4, 2)
    store.close()
