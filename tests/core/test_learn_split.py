"""The project's fixed split: held out once, held out for every later model; hashed, readable bundles."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from learn_factory import SMALL, add_videos, build_project, load_encoders

from hhir.errors import ModelError, StoreError
from hhir.learn.heldout import evaluate_bundle
from hhir.learn.options import TrainOptions
from hhir.learn.project_split import assign, choose_side, move_videos
from hhir.learn.split import read_split
from hhir.learn.train import train
from hhir.learn.versions import activate


@pytest.fixture(scope="module")
def encoders():
    import torch

    loaded = load_encoders()
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models only lose time to thread waits
    yield loaded
    torch.set_num_threads(before)


def test_the_rule_is_seeded_independent_of_discovery_order_and_keeps_films_together() -> None:
    keys = [f"video-{i}" for i in range(20)]
    sides = assign({}, keys, 7, 0.2, 0.15)
    assert sides == assign({}, list(reversed(keys)), 7, 0.2, 0.15)
    assert sides != assign({}, keys, 8, 0.2, 0.15)
    assert sorted(sides.values()).count("validation") == 4 and sorted(sides.values()).count("test") == 3
    # Existing sides never change; one more video takes the side furthest below its share.
    more = assign(sides, keys + ["late"], 7, 0.2, 0.15)
    assert list(more) == ["late"]
    # A scene of a film that already has a side joins it; a video a model trained on stays on train.
    assert assign({"a": "test"}, ["b"], 1, 0.2, 0.15, films={"b": "f"}, film_sides={"f": "test"}) == {"b": "test"}
    assert assign({"a": "train", "b": "train"}, ["c"], 1, 0.2, 0.15, trained_on={"c"}) == {"c": "train"}
    assert choose_side({"train": 1, "validation": 0, "test": 0}, 0.2, 0.15) == "validation"
    assert choose_side({"train": 1, "validation": 1, "test": 0}, 0.2, 0.15) == "test"
    assert choose_side({"train": 1, "validation": 0, "test": 0}, 0.0, 0.0) == "train"


@pytest.mark.slow
def test_no_held_out_video_is_ever_in_a_later_models_training_data(tmp_path: Path, encoders) -> None:
    store = build_project(tmp_path / "p.sqlite3", encoders, n_videos=8, seed=3)
    first = train(store, TrainOptions(**SMALL), encoders=encoders)
    activate(store, first.model.id)
    add_videos(store, encoders, 8, 6, seed=3)  # annotate more, then retrain with another seed
    second = train(store, TrainOptions(**SMALL, seed=5), encoders=encoders)
    assert second.model.parent == first.model.id  # warm-started from the first
    add_videos(store, encoders, 14, 4, seed=3)
    activate(store, second.model.id)
    third = train(store, TrainOptions(**SMALL, seed=9), encoders=encoders)
    splits = [read_split(r.path) for r in (first, second, third)]
    for earlier, split in enumerate(splits):
        for later in splits[earlier:]:
            assert not (set(split.test) | set(split.validation)) & set(later.train)
            assert set(split.test) <= set(later.test) and set(split.validation) <= set(later.validation)
    sides = store.video_sides()
    assert {fp for fp, s in sides.items() if s.side == "test"} == set(splits[2].test)
    assert len(sides) == 18 and len(splits[2].test) >= 2 and len(splits[2].validation) >= 3
    report = evaluate_bundle(store, third.path)
    assert report.evaluation.part == "held-out" and report.evaluation.videos == len(splits[2].test)


def test_moving_a_video_says_what_it_invalidates_and_evaluate_leaves_it_out(tmp_path: Path, encoders) -> None:
    store = build_project(tmp_path / "p.sqlite3", encoders, n_videos=6, seed=4)
    parent = train(store, TrainOptions(**SMALL), encoders=encoders)
    activate(store, parent.model.id)
    trained = min(read_split(parent.path).train)
    report = move_videos(store, [trained], "test")
    assert report.moved == ((trained, "train", "test"),)
    assert [m for m, _ in report.models] == [parent.model.id]
    assert "left out of this model's held-out figures" in report.models[0][1]
    child = train(store, TrainOptions(**SMALL), encoders=encoders)
    assert trained in read_split(child.path).test  # the child's split follows the move...
    result = evaluate_bundle(store, child.path)
    assert "1 left out: an ancestor model trained on them" in result.note  # ...but its parent saw it
    assert result.evaluation.videos == len(read_split(child.path).test) - 1
    with pytest.raises(StoreError, match="one of train, validation, test"):
        move_videos(store, [trained], "holdout")


def test_training_json_is_hashed_and_weights_follow_the_umask(tmp_path: Path, encoders) -> None:
    store = build_project(tmp_path / "p.sqlite3", encoders, n_videos=5, seed=5)
    old = os.umask(0o022)
    try:
        result = train(store, TrainOptions(**SMALL), encoders=encoders)
    finally:
        os.umask(old)
    assert stat.S_IMODE((result.path / "classifier.safetensors").stat().st_mode) == 0o644
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert {"classifier.safetensors", "training.json"} <= set(manifest["files"])  # hashed with the weights
    for name in manifest["files"]:
        if name.endswith(".safetensors"):
            assert stat.S_IMODE((result.path / name).stat().st_mode) == 0o644, name
    record = json.loads((result.path / "training.json").read_text())
    record["split"]["test"] = record["split"]["test"] + record["split"]["train"]  # "held-out: every video"
    (result.path / "training.json").write_text(json.dumps(record))
    with pytest.raises(ModelError, match=r"training\.json: file is damaged or changed"):
        evaluate_bundle(store, result.path)


def test_exports_write_the_projects_test_videos_as_test(tmp_path: Path) -> None:
    import csv

    from hhir.exchange import ExportOptions, export
    from hhir.store import Store
    from hhir.types import AnnotationState, Clip, Shot, Target, VideoInfo

    store = Store(tmp_path / "p.sqlite3")
    for v in range(6):
        video = store.add_video(VideoInfo(str(tmp_path / f"v{v}.mp4"), 4.0, 25.0, 100, 160, 120, True, fingerprint=f"fp{v}"))
        store.set_shots(video.id, [Shot(0, 0, 100, 0.0, 4.0)])
        clip = store.set_clips(video.id, [Clip(0, 0, 0, 0.0, 4.0, 0, 100)])[0]
        store.annotate(Target(video.id, clip.id), "asks", AnnotationState.PRESENT, "ann")
    store.assign_sides([("fp0", "test", None), ("fp1", "validation", None), ("fp2", "train", None)], seed=1)
    export(store, "manifest", tmp_path / "m", ExportOptions(test_fraction=0.5))
    with (tmp_path / "m" / "manifest.csv").open(encoding="utf-8") as handle:
        split = {row["fingerprint"]: row["split"] for row in csv.DictReader(handle)}
    assert (split["fp0"], split["fp1"], split["fp2"]) == ("test", "train", "train")
    from hhir.exchange.naming import assign_splits

    hashed = assign_splits([f"fp{v}" for v in range(6)], 0.5)  # videos without a side: the export's own rule
    assert [split[f"fp{v}"] for v in range(3, 6)] == [hashed[f"fp{v}"] for v in range(3, 6)]


def test_scenes_named_as_one_film_share_a_side(tmp_path: Path, capsys) -> None:
    from hhir.cli import main
    from hhir.learn.project_split import project_split
    from hhir.store import Store
    from hhir.types import VideoInfo

    db = tmp_path / "p.sqlite3"
    with Store(db) as store:
        for v in range(6):
            store.add_video(VideoInfo(str(tmp_path / f"film-a-{v}.mp4"), 4.0, 25.0, 100, 160, 120, True, fingerprint=f"fp{v}"))
        split = project_split(store, ["fp0", "fp1", "fp2", "fp3"], 1, 0.2, 0.15)
        test_fp = split.test[0]
        train_fp = split.train[0]
    test_id, train_id = (next(v.id for v in Store(db).videos() if v.fingerprint == fp) for fp in (test_fp, train_fp))
    assert main(["split", "film", "film-a", str(test_id), str(train_id), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("film film-a: 2 video(s) on test") and f"moved video {train_id}" in out
    with Store(db) as store:
        sides = store.video_sides()
        assert sides[train_fp].side == sides[test_fp].side == "test" and sides[train_fp].film == "film-a"
    assert main(["split", "list", "--db", str(db)]) == 0
    assert "[film film-a]" in capsys.readouterr().out
