"""Analyze generated videos, annotate them, then hhir train / evaluate / models activate / queue / agreement."""

from __future__ import annotations

import json
import re

import pytest

from hhir.cli import main
from hhir.pipeline import analyze, video_result
from hhir.store import Store
from hhir.types import AnnotationState, Target

pytestmark = pytest.mark.slow

SHOTS = [(30, "red"), (30, "green"), (30, "blue"), (30, "yellow")]
VIDEOS = {  # name -> (speech, the label every clip of it shows)
    "asking": ("Where are you going? Can you tell me why?", "asks"),
    "silent": (None, "no_interaction"),
    "asking again": ("What time is it? Do you know?", "asks"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from media_factory import make_video

    folder = tmp_path_factory.mktemp("e2e")
    db_path = folder / "project.sqlite"
    store = Store(db_path)
    ids = {}
    for name, (speech, _) in VIDEOS.items():
        path = make_video(folder / f"{name}.mp4", SHOTS, speech=[(0.2, speech)] if speech else None)
        ids[name] = analyze(store, path)
    yield store, db_path, ids
    store.close()


def _annotate(store: Store, video_id: int, label: str, who: str = "ann") -> None:
    names = [label_def.name for label_def in store.labels()]
    for clip in store.clips(video_id):
        target = Target(video_id, clip.id)
        store.annotate_many([(target, n, AnnotationState.PRESENT if n == label else AnnotationState.ABSENT) for n in names], who)
        store.set_reviewed(target, who)


def _run(capsys, *argv: str) -> str:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_annotate_train_evaluate_activate(project, capsys) -> None:
    store, db, ids = project
    starter = video_result(store, ids["asking"])["predictions"]
    assert starter["model"]["kind"] == "starter"
    queue = _run(capsys, "queue", "--db", str(db), "--annotator", "ann", "--limit", "3")
    assert queue.count("priority") == 3

    _annotate(store, ids["asking"], "asks")
    _annotate(store, ids["silent"], "no_interaction")
    out = _run(capsys, "train", "--db", str(db), "--epochs", "40", "--patience", "40", "--hidden-dim", "16",
               "--lr", "0.003", "--validation-fraction", "0", "--test-fraction", "0")
    model_id = re.search(r"^model (\S+):", out, re.MULTILINE).group(1)  # the summary, after the epoch lines
    info = store.model(model_id)
    assert info.kind == "trained" and info.metrics["train.scene.macro_f1"] == 1.0  # it learned the two scenes

    # A video annotated after training is held out for evaluation.
    _annotate(store, ids["asking again"], "asks")
    report = json.loads(_run(capsys, "evaluate", "--model", info.path, "--db", str(db), "--json"))
    assert report["part"] == "held-out" and report["videos"] == 1
    assert set(report["scene"]["per_label"]) == {label.name for label in store.labels()}
    assert report["scene"]["per_label"]["asks"]["support"] == 1

    listed = _run(capsys, "models", "list", "--db", str(db))
    assert model_id in listed and "starter is in use" in listed
    _run(capsys, "models", "activate", model_id, "--db", str(db))
    after = video_result(store, ids["asking"])["predictions"]
    assert after["model"]["id"] == model_id and after["scene"] != starter["scene"]
    assert after["scene"]["asks"] > 0.6 > after["scene"]["no_interaction"]
    silent = video_result(store, ids["silent"])["predictions"]["scene"]
    assert silent["no_interaction"] > 0.6 > silent["asks"]
    assert store.predictions(ids["asking"], "starter-v1").scene == pytest.approx(starter["scene"], abs=1e-4)  # still attributable

    _annotate(store, ids["asking"], "talks to", who="bob")
    agreement = _run(capsys, "agreement", "--db", str(db))
    assert "ann vs bob" in agreement and f"model {model_id} vs ann" in agreement
    _run(capsys, "models", "rollback", "--db", str(db))
    assert video_result(store, ids["asking"])["predictions"]["model"]["kind"] == "starter"
