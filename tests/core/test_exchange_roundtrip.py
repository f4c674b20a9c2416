"""Export then import reproduces the same annotations (manifest, EAF, Label Studio)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hhir.exchange import ExportOptions, ImportOptions, export, import_
from hhir.types import DEFAULT_LABELS, AnnotationState, Target
from test_exchange_helpers import make_project, portable

ANNOTATORS = st.sampled_from(["alice", "bob", "Zoë Ng", "x,y \"q\""])
# (video 0/1, clip position or None for the scene, label, state, annotator)
ITEM = st.tuples(st.integers(0, 1), st.one_of(st.none(), st.integers(0, 3)), st.sampled_from(DEFAULT_LABELS),
                 st.sampled_from(list(AnnotationState)), ANNOTATORS)


def _fill(store, videos, items) -> None:
    for video_index, clip_pos, label, state, annotator in items:
        video = videos[video_index]
        clips = store.clips(video.id)
        target = Target(video.id) if clip_pos is None else Target(video.id, clips[clip_pos % len(clips)].id)
        store.annotate(target, label, state, annotator)


@pytest.mark.parametrize("fmt", ["manifest", "eaf", "labelstudio"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(ITEM, min_size=0, max_size=25))
def test_round_trip_reproduces_annotations(fmt: str, items: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source, videos = make_project(Path(tmp) / "a.sqlite")
        _fill(source, videos, items)
        export(source, fmt, Path(tmp) / "out", ExportOptions())
        target, _ = make_project(Path(tmp) / "b.sqlite")
        report = import_(target, fmt, Path(tmp) / "out", ImportOptions())
        assert portable(target) == portable(source)
        assert report.annotations_written == len(source.annotations())
        assert report.conflicts == ()
        again = import_(target, fmt, Path(tmp) / "out", ImportOptions())
        assert (again.annotations_written, again.unchanged) == (0, len(source.annotations()))
        source.close(), target.close()


def test_filters_by_annotator_and_reviewed(tmp_path: Path) -> None:
    store, (video, _) = make_project(tmp_path / "a.sqlite")
    clips = store.clips(video.id)
    store.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.PRESENT, "alice")
    store.annotate(Target(video.id, clips[1].id), "asks", AnnotationState.ABSENT, "bob")
    store.set_reviewed(Target(video.id, clips[1].id), "bob")
    export(store, "manifest", tmp_path / "bob", ExportOptions(annotator="bob", reviewed_only=True, video_ids=(video.id,)))
    from hhir.exchange import read_manifest

    manifest = read_manifest(tmp_path / "bob")
    assert [(r.clip_index, r.annotator, r.values[0]) for r in manifest.rows] == [(1, "bob", 0)]
    store.close()


def test_predictions_are_separate_columns(tmp_path: Path) -> None:
    from hhir.types import ModelInfo

    store, (video, _) = make_project(tmp_path / "a.sqlite")
    clips = store.clips(video.id)
    store.register_model(ModelInfo(id="m1", kind="trained"))
    store.activate("m1")
    store.set_predictions("m1", video.id, {"asks": 0.9}, {clips[0].id: {"asks": 0.75, "watches": 0.1}})
    store.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.ABSENT, "alice")
    export(store, "manifest", tmp_path / "m", ExportOptions(with_predictions=True))
    from hhir.exchange import read_manifest

    manifest = read_manifest(tmp_path / "m")
    row = next(r for r in manifest.rows if r.clip_index == 0 and r.fingerprint == video.fingerprint)
    asks = manifest.labels.index("asks")
    assert row.values[asks] == 0 and row.predictions[asks] == pytest.approx(0.75)
    export(store, "labelstudio", tmp_path / "ls", ExportOptions(with_predictions=True))
    import json

    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text())
    task = next(t for t in tasks if t["data"]["clip_index"] == 0 and t["data"]["fingerprint"] == video.fingerprint)
    assert task["predictions"][0]["model_version"] == "m1"
    assert task["predictions"][0]["result"][0]["value"]["choices"] == ["asks"]
    assert task["annotations"][0]["result"] == [
        {"from_name": "absent", "to_name": "video", "type": "choices", "value": {"choices": ["asks"]}}]
    store.close()


def test_manifest_features_follow_rows(tmp_path: Path) -> None:
    import numpy as np

    from hhir.exchange import read_manifest
    from hhir.pipeline.feature_cache import feature_id

    store, (video,) = make_project(tmp_path / "a.sqlite", videos=1)
    clips = store.clips(video.id)
    store.put_features([(video.fingerprint, c.start_s, c.end_s, "vid-enc", np.full(4, c.index, np.float32)) for c in clips[:2]])
    store.put_features([(video.fingerprint, c.start_s, c.end_s, feature_id("txt-enc", "text", c.text), np.ones(3, np.float32))
                        for c in clips])
    export(store, "manifest", tmp_path / "m", ExportOptions(encoders=(("video", "vid-enc"), ("text", "txt-enc"))))
    manifest = read_manifest(tmp_path / "m")
    assert manifest.encoders == {"video": "vid-enc", "text": "txt-enc"}
    assert manifest.features["video"].shape == (len(clips), 4)
    assert manifest.present["video"].tolist() == [True, True] + [False] * (len(clips) - 2)
    assert manifest.features["video"][1].tolist() == [1.0] * 4
    assert manifest.present["text"].all() and manifest.features["text"].shape == (len(clips), 3)
    store.close()


def test_unreadable_manifest_features_are_a_clear_error(tmp_path: Path) -> None:
    from hhir.errors import ImportFormatError
    from hhir.exchange import read_manifest

    store, _ = make_project(tmp_path / "a.sqlite", videos=1)
    export(store, "manifest", tmp_path / "m", ExportOptions(encoders=(("video", "none"),)))
    (tmp_path / "m" / "features.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{}garbage")
    with pytest.raises(ImportFormatError, match=r"features\.safetensors: not a readable manifest features file"):
        read_manifest(tmp_path / "m")
    store.close()
