"""A cached re-analysis loads no encoder and reads the feature cache in bulk."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import hhir.models.encoders as encoders_module
from hhir.pipeline import AnalysisOptions, analyze
from hhir.pipeline.feature_cache import cached_clip_features, feature_id
from hhir.scoring import starter
from hhir.scoring.encoders import profile_encoders
from hhir.store import Store


class CountingStore(Store):
    """The real store, counting per-row feature reads (the bulk read should replace them all)."""

    row_reads = 0

    def feature(self, *args, **kwargs):
        CountingStore.row_reads += 1
        return super().feature(*args, **kwargs)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kinds of encoder actually loaded (the real loader runs)."""
    calls: list[str] = []
    real = encoders_module.load_encoder

    def counting(spec):
        calls.append(spec.kind)
        return real(spec)

    monkeypatch.setattr(encoders_module, "load_encoder", counting)
    profile_encoders.cache_clear()  # as in a fresh process
    yield calls
    profile_encoders.cache_clear()


@pytest.mark.slow
def test_cached_reanalysis_loads_no_encoder(scene_video: Path, tmp_path: Path, loads: list[str]) -> None:
    with CountingStore(tmp_path / "p.sqlite") as db:
        video_id = analyze(db, scene_video, AnalysisOptions(feature_batch=2))
        assert sorted(loads) == ["hf-text", "logmel", "vivit"]
        first = db.predictions(video_id, starter.MODEL_ID)
        assert first is not None
        loads.clear()
        profile_encoders.cache_clear()  # a second `hhir analyze` is a new process
        CountingStore.row_reads = 0
        assert analyze(db, scene_video) == video_id
        assert loads == []
        assert CountingStore.row_reads == 0
        assert db.predictions(video_id, starter.MODEL_ID).scene == pytest.approx(first.scene)


def test_a_changed_weights_file_is_loaded_again(tmp_path: Path, loads: list[str]) -> None:
    from safetensors.torch import save_file

    from hhir.models.spec import EncoderSpec
    from hhir.models.vivit import build_vivit

    weights = tmp_path / "v.safetensors"
    save_file({k: v.contiguous() for k, v in build_vivit(4, 32, seed=1).state_dict().items()}, str(weights))
    spec = EncoderSpec("vivit", n_frames=4, frame_size=32, model=str(weights))
    first = encoders_module.lazy_encoder(spec).id  # loads, and remembers
    assert loads == ["vivit"] and encoders_module.lazy_encoder(spec).id == first and loads == ["vivit"]
    save_file({k: v.contiguous() for k, v in build_vivit(4, 32, seed=2).state_dict().items()}, str(weights))
    second = encoders_module.lazy_encoder(spec).id
    assert loads == ["vivit", "vivit"] and second != first


def test_bulk_read_equals_row_by_row(tmp_path: Path) -> None:
    from hhir.types import Clip

    fp = "f" * 16
    clips = [Clip(index=i, first_shot=i, last_shot=i, start_frame=i * 10, end_frame=i * 10 + 10,
                  start_s=i * 0.4, end_s=i * 0.4 + 0.4, text=f"line {i}") for i in range(5)]
    ids = {"video": "vivit-x_%", "text": "hf-text-y", "audio": "logmel-v1-8"}  # _ and % are not wildcards
    rng = np.random.default_rng(0)
    with Store(tmp_path / "p.sqlite") as db:
        video = db.add_video(_info(tmp_path, fp))
        rows = [(video.fingerprint, c.start_s, c.end_s, feature_id(e, m, c.text), rng.normal(size=4).astype(np.float32))
                for m, e in ids.items() for c in clips]
        db.put_features(rows + [(video.fingerprint, 0.0, 0.4, "vivit-x_%-other", np.zeros(4, np.float32))])
        bulk = cached_clip_features(db, video, clips, ids)
        for m, e in ids.items():
            want = np.stack([db.feature(video.fingerprint, c.start_s, c.end_s, feature_id(e, m, c.text)) for c in clips])
            np.testing.assert_array_equal(bulk[m], want)
        edited = [replace(clips[0], text="changed")] + clips[1:]
        assert cached_clip_features(db, video, edited, ids) is None  # the new text has no feature yet


def _info(tmp_path: Path, fingerprint: str):
    from hhir.types import VideoInfo

    return VideoInfo(path=str(tmp_path / "v.mp4"), fingerprint=fingerprint, fps=25.0, frame_count=50, duration_s=2.0,
                     width=64, height=64, has_audio=False)
