"""``hhir train | models list | labels | split | agreement`` as a user runs them: what they print."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from learn_factory import build_project, load_encoders

from hhir.cli import main
from hhir.store import Store
from hhir.types import ModelInfo, Target

TRAIN = ["--hidden-dim", "8", "--lr", "0.01", "--batch-size", "4", "--epochs", "40", "--patience", "2"]


@pytest.fixture(scope="module")
def encoders():
    return load_encoders()


def test_train_prints_epoch_lines_and_a_summary_and_json(tmp_path: Path, encoders, capsys) -> None:
    db = tmp_path / "p.sqlite3"
    build_project(db, encoders, n_videos=5, seed=6).close()
    assert main(["train", "--db", str(db), *TRAIN]) == 0
    out = capsys.readouterr().out.splitlines()
    epochs = [line for line in out if line.startswith("epoch ")]
    assert epochs and epochs[0].startswith("epoch 1/40: train loss ") and ", val loss " in epochs[0] and "val macro F1" in epochs[0]
    assert len(epochs) < 40 and any(line.startswith("stopped: validation loss did not improve for 2 epochs") for line in out)
    assert any(line.startswith("split: 3 train, 1 validation, 1 test video(s)") for line in out)
    assert any(line.startswith("test (1 video(s)) at the tuned thresholds: scene macro F1 ") for line in out)
    assert any(line.startswith("saved to ") for line in out) and out[-1] != ""
    assert any(line.startswith("not activated (hhir models activate ") for line in out)
    assert "\r" not in "".join(out)  # no redrawn bar: it reads the same in a log file
    assert main(["train", "--db", str(db), *TRAIN, "--json", "--activate"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["activated"] and result["recomputed_videos"] == 5 and Path(result["path"]).is_dir()
    assert [e["epoch"] for e in result["epochs"]] == list(range(1, len(result["epochs"]) + 1))
    assert {e["part"] for e in result["evaluations"]} == {"train", "validation", "test"}
    assert result["split"]["test"] == json.loads(json.dumps(result["split"]["test"]))
    assert "epoch 1/40: train loss" in captured.err  # progress stays readable next to the JSON
    with Store(db) as store:
        # Two models trained in the same second sort by their random id suffix: pick them by id.
        (second,) = [m for m in store.models() if m.id == result["model"]]
        (first,) = [m for m in store.models() if m.id != result["model"]]
        assert second.parent is None and store.active_model().id == second.id  # the first was never activated
        # The second model was trained on the same sides: the split is the project's.
        assert result["split"]["test"] == [fp for fp, s in store.video_sides().items() if s.side == "test"]
    assert main(["models", "list", "--db", str(db)]) == 0
    listing = capsys.readouterr().out
    assert "macro F1 @tuned" in listing and "(test)" in listing
    assert f"{second.metrics['test.scene_tuned.macro_f1']:.3f} (test)" in listing
    # Moving a test video says what it invalidates.
    test_video = next(v for v in Store(db).videos() if v.fingerprint == result["split"]["test"][0])
    assert main(["split", "move", str(test_video.id), "train", "--db", str(db)]) == 0
    moved = capsys.readouterr().out
    assert f"moved video {test_video.id}" in moved and "from test to train" in moved
    assert f"invalidates {first.id}: its test figures used a video later models train on" in moved
    assert main(["split", "list", "--db", str(db)]) == 0
    assert "moved by hand" in capsys.readouterr().out


def test_labels_list_and_add(tmp_path: Path, capsys) -> None:
    db = tmp_path / "p.sqlite3"
    assert main(["labels", "add", "hugs", "--description", "two people embrace", "--key", "h", "--db", str(db)]) == 0
    assert "added label 'hugs'; clips reviewed before now are unknown for it" in capsys.readouterr().out
    assert main(["labels", "list", "--db", str(db)]) == 0
    rows = capsys.readouterr().out.splitlines()
    hugs = next(r for r in rows if r.startswith("hugs"))
    assert "two people embrace" in hugs and " h " in hugs and "with the project" not in hugs
    assert next(r for r in rows if r.startswith("asks")).find("with the project") > 0
    assert main(["labels", "add", "hugs", "--description", "an embrace", "--db", str(db)]) == 0
    assert capsys.readouterr().out.strip() == "updated label 'hugs'"
    with Store(db) as store:
        assert [label.description for label in store.labels() if label.name == "hugs"] == ["an embrace"]


def test_agreement_names_the_starter_when_no_model_is_trained(tmp_path: Path, capsys) -> None:
    from hhir.types import Clip, Shot, VideoInfo, AnnotationState

    db = tmp_path / "p.sqlite3"
    with Store(db) as store:
        video = store.add_video(VideoInfo(str(tmp_path / "v.mp4"), 6.0, 25.0, 150, 160, 120, True, fingerprint="fp"))
        store.set_shots(video.id, [Shot(i, i * 50, (i + 1) * 50, i * 2.0, (i + 1) * 2.0) for i in range(3)])
        clips = store.set_clips(video.id, [Clip(i, i, i, i * 2.0, (i + 1) * 2.0, i * 50, (i + 1) * 50) for i in range(3)])
        store.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.PRESENT, "ann")
        for c in clips:
            store.set_reviewed(Target(video.id, c.id), "ann")
            store.set_reviewed(Target(video.id, c.id), "bob")
        store.register_model(ModelInfo(id="starter-v1", kind="starter"))
        store.set_predictions("starter-v1", video.id, {}, {c.id: {"asks": s} for c, s in zip(clips, (0.9, 0.2, 0.1))})
    assert main(["agreement", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Cohen's kappa asks            ann vs bob: 0.000 (3 items)" in out  # ann ticked one clip, bob none
    assert "starter starter-v1 (no trained model is active) vs ann: " in out


def test_train_from_an_exported_manifest_without_the_project(tmp_path: Path, encoders, capsys) -> None:
    """A dataset exported with its features trains on a machine without the project or its videos."""
    db = tmp_path / "p.sqlite3"
    build_project(db, encoders, n_videos=4, seed=5).close()
    assert main(["export", "--format", "manifest", str(tmp_path / "ds"), "--db", str(db)]) == 0
    db.unlink()  # the other machine has only the dataset
    capsys.readouterr()
    assert main(["train", "--manifest", str(tmp_path / "ds"), "--validation-fraction", "0", *TRAIN]) == 0
    out = capsys.readouterr().out.splitlines()
    saved = next(line for line in out if line.startswith("saved to "))
    assert Path(saved.removeprefix("saved to ")).is_dir()
    assert any(line.startswith("not in a project: predict with it by hhir analyze --model ") for line in out)
    assert main(["train", "--manifest", str(tmp_path / "ds"), "--activate", *TRAIN]) == 2
    assert "--manifest trains without a project" in capsys.readouterr().err
