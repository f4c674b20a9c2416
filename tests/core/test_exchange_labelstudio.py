"""Label Studio tasks a server accepts: accounts, media URLs, starter predictions, refused foreign files.

The task and config shapes are checked with label-studio-sdk where its venv exists (``make
interop`` creates it: the SDK pins an older numpy, so it stays out of the product's venv); the
real server round trip is ``make interop``.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest

from hhir.errors import ImportFormatError
from hhir.exchange import ExportOptions, ImportOptions, export, import_
from hhir.types import AnnotationState, ModelInfo, Target
from test_exchange_helpers import make_project, portable

ROOT = Path(__file__).resolve().parents[2]
# make test builds .lssdk-venv (the SDK alone); make interop's server venv has the SDK too.
LS_PYTHON = next((p for p in (ROOT / ".lssdk-venv" / "bin" / "python", ROOT / ".interop-venv" / "bin" / "python")
                  if p.exists()), ROOT / ".lssdk-venv" / "bin" / "python")


@pytest.fixture
def project(tmp_path: Path):
    store, videos = make_project(tmp_path / "p.sqlite")
    video = videos[0]
    clips = store.clips(video.id)
    store.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.PRESENT, "alice")
    store.annotate(Target(video.id, clips[0].id), "watches", AnnotationState.ABSENT, "Zoë Ng")
    store.annotate(Target(video.id, clips[1].id), "talks to", AnnotationState.PRESENT, "bo@lab.example")
    store.annotate(Target(video.id), "walks with", AnnotationState.PRESENT, "alice")
    # what analyze leaves behind: only the zero-shot starter has scored, no model is active
    store.register_model(ModelInfo(id="starter-v1", kind="starter"))
    store.set_predictions("starter-v1", video.id, {"walks with": 0.9},
                          {clips[0].id: {"asks": 0.65, "watches": 0.55}, clips[1].id: {"talks to": 0.2}})
    yield store, video
    store.close()


def _tasks(folder: Path) -> list[dict]:
    return json.loads((folder / "tasks.json").read_text(encoding="utf-8"))


def _url(task: dict) -> str:
    """``data.video`` without the media fragment that starts the player at the clip."""
    return task["data"]["video"].split("#", 1)[0]


def test_completed_by_names_an_account_and_names_come_back(project, tmp_path: Path) -> None:
    store, video = project
    options = ExportOptions(annotator_emails=(("alice", "alice@lab.example"),), local_files_root="/media")
    report = export(store, "labelstudio", tmp_path / "ls", options)
    tasks = _tasks(tmp_path / "ls")
    emails = {a["completed_by"]["email"] for t in tasks for a in t["annotations"]}
    assert emails == {"alice@lab.example", "zoe_ng@hhir.invalid", "bo@lab.example"}
    with (tmp_path / "ls" / "annotators.csv").open(newline="") as handle:
        assert {r["annotator"]: r["email"] for r in csv.DictReader(handle)} == {
            "alice": "alice@lab.example", "Zoë Ng": "zoe_ng@hhir.invalid", "bo@lab.example": "bo@lab.example"}
    assert any("3 accounts needed" in n for n in report.notes)
    target, _ = make_project(tmp_path / "q.sqlite")
    import_(target, "labelstudio", tmp_path / "ls", ImportOptions())
    assert portable(target) == portable(store)  # data.annotators maps the e-mails back to our names
    target.close()


def test_video_urls_follow_local_files_or_a_prefix(project, tmp_path: Path) -> None:
    store, video = project
    one = (video.id,)
    export(store, "labelstudio", tmp_path / "local", ExportOptions(one, local_files_root="/media/"))
    assert {_url(t) for t in _tasks(tmp_path / "local")} == {"/data/local-files/?d=scene%200.mp4"}
    export(store, "labelstudio", tmp_path / "root", ExportOptions(one))
    assert {_url(t) for t in _tasks(tmp_path / "root")} == {"/data/local-files/?d=media/scene%200.mp4"}
    export(store, "labelstudio", tmp_path / "web", ExportOptions(one, media_url_prefix="https://films.example/hhir/"))
    assert {_url(t) for t in _tasks(tmp_path / "web")} == {"https://films.example/hhir/scene%200.mp4"}
    assert {t["data"]["media_path"] for t in _tasks(tmp_path / "web")} == {"/media/scene 0.mp4"}
    report = export(store, "labelstudio", tmp_path / "out", ExportOptions(one, local_files_root="/srv/films"))
    assert {_url(t) for t in _tasks(tmp_path / "out")} == {"/media/scene 0.mp4"}
    assert any(n.startswith("1 videos are not under the local-files root /srv/films (/media/scene 0.mp4)") for n in report.notes)


def test_starter_scores_are_exported_with_their_model_version(project, tmp_path: Path) -> None:
    store, video = project
    export(store, "labelstudio", tmp_path / "ls", ExportOptions(with_predictions=True))
    tasks = _tasks(tmp_path / "ls")
    predictions = {t["data"]["clip_index"]: t["predictions"][0] for t in tasks if "predictions" in t}
    assert {p["model_version"] for p in predictions.values()} == {"starter-v1"}
    assert sorted(predictions) == [-1, 0, 1]
    # chosen at the threshold every reader uses (0.6 with no tuned model): 0.65 is in, 0.55 is not;
    # one result, so a prediction accepted as it is is the suggested set and nothing more
    assert [r["value"]["choices"] for r in predictions[0]["result"]] == [["asks"]]
    assert [r["value"]["choices"] for r in predictions[1]["result"]] == [[]]
    # scores where Label Studio keeps them: the weakest decision's confidence (watches left out at
    # 0.55: 0.45), per label in the task's data
    assert predictions[0]["score"] == predictions[0]["result"][0]["score"] == pytest.approx(0.45)
    by_index = {t["data"]["clip_index"]: t["data"] for t in tasks if "predictions" in t}
    assert by_index[0]["scores"] == {"asks": 0.65, "watches": 0.55}


def test_an_accepted_prediction_imports_as_the_suggested_set(project, tmp_path: Path) -> None:
    """What Label Studio's "Create annotations from predictions" does: the prediction's result becomes
    an annotation's result, as it is."""
    store, video = project
    export(store, "labelstudio", tmp_path / "ls", ExportOptions(with_predictions=True))
    tasks = _tasks(tmp_path / "ls")
    for task in tasks:
        task["annotations"] = [{"completed_by": {"email": "carol@lab.example"}, "result": p["result"]} for p in task.get("predictions", [])]
    (tmp_path / "accepted.json").write_text(json.dumps(tasks))
    target, _ = make_project(tmp_path / "q.sqlite")
    import_(target, "labelstudio", tmp_path / "accepted.json", ImportOptions())
    index = {c.id: c.index for v in target.videos() for c in target.clips(v.id)}
    got = {(None if a.target.clip_id is None else index[a.target.clip_id], a.label, a.state) for a in target.annotations()}
    assert got == {(None, "walks with", AnnotationState.PRESENT), (0, "asks", AnnotationState.PRESENT)}
    target.close()


def test_clip_range_reads_as_a_player_shows_it_and_the_player_starts_there(project, tmp_path: Path) -> None:
    from hhir.exchange.labelstudio import clock_text

    store, video = project
    export(store, "labelstudio", tmp_path / "ls", ExportOptions((video.id,), local_files_root="/media"))
    clip = store.clips(video.id)[1]
    task = next(t for t in _tasks(tmp_path / "ls") if t["data"]["clip_index"] == 1)
    assert task["data"]["range"] == f"{clock_text(clip.start_s)} to {clock_text(clip.end_s)}" == "0:01.600 to 0:06.400"
    assert task["data"]["video"] == "/data/local-files/?d=scene%200.mp4#t=1.600,6.400"
    assert "$range" in (tmp_path / "ls" / "labeling_config.xml").read_text()
    assert (clock_text(3725.5), clock_text(59.9996)) == ("1:02:05.500", "1:00.000")


def test_predictions_note_when_nothing_has_scored(tmp_path: Path) -> None:
    store, _ = make_project(tmp_path / "p.sqlite", videos=1)
    report = export(store, "labelstudio", tmp_path / "ls", ExportOptions(with_predictions=True))
    assert "no model has scored these videos yet, so there are no predictions" in report.notes
    store.close()


def _write(tmp_path: Path, results: list[dict], completed_by: object = {"email": "x@lab.example"}) -> Path:
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps([{"data": {"video": "/media/scene 0.mp4", "clip_index": -1},
                                 "annotations": [{"completed_by": completed_by, "result": results}]}]))
    return path


def test_a_file_with_no_control_we_know_is_refused(project, tmp_path: Path) -> None:
    store, _ = project
    before = portable(store)
    path = _write(tmp_path, [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}},
                             {"from_name": "notes", "to_name": "text", "type": "textarea", "value": {"text": ["hi"]}}])
    with pytest.raises(ImportFormatError, match=r"foreign\.json: no result uses the controls interaction or absent "
                                                r"\(found choices 'sentiment', textarea 'notes'\)"):
        import_(store, "labelstudio", path)
    assert portable(store) == before


def test_an_interaction_choice_on_a_text_field_is_refused(project, tmp_path: Path) -> None:
    store, _ = project
    before = portable(store)
    path = _write(tmp_path, [{"from_name": "interaction", "to_name": "text", "type": "choices", "value": {"choices": ["asks"]}}])
    with pytest.raises(ImportFormatError, match=r"task 1 annotation 1: control 'interaction' is 'choices' on 'text', "
                                                r"not choices on 'video'"):
        import_(store, "labelstudio", path)
    assert portable(store) == before


def test_label_studio_user_ids_become_named_annotators(project, tmp_path: Path) -> None:
    store, video = project
    path = _write(tmp_path, [{"from_name": "interaction", "to_name": "video", "type": "choices", "value": {"choices": ["yells at"]}}], 7)
    import_(store, "labelstudio", path)
    assert [(a.label, a.annotator) for a in store.annotations(video.id, "label-studio-user-7")] == [("yells at", "label-studio-user-7")]


@pytest.mark.skipif(not LS_PYTHON.exists() and not os.environ.get("CI"),
                    reason="label-studio-sdk lives in its own venv: `make sdk-venv` (make test builds it)")
def test_tasks_and_config_pass_label_studio_sdk(project, tmp_path: Path) -> None:
    store, _ = project
    export(store, "labelstudio", tmp_path / "ls", ExportOptions(with_predictions=True))
    done = subprocess.run([str(LS_PYTHON), str(ROOT / "tests" / "interop" / "ls_sdk_check.py"), str(tmp_path / "ls" / "tasks.json"),
                           str(tmp_path / "ls" / "labeling_config.xml")], capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    assert report["problems"] == [] and done.returncode == 0
    assert report["controls"] == ["absent->video", "interaction->video"] and report["objects"] == ["text", "video"]
    assert (report["annotations"], report["predictions"]) == (4, 3)


def test_cli_takes_accounts_and_local_files_root_and_prints_notes(project, tmp_path: Path, capsys) -> None:
    from hhir.cli import main

    store, _ = project
    db = str(store.path)
    args = ["export", "--format", "labelstudio", str(tmp_path / "ls"), "--db", db, "--local-files-root", "/media",
            "--annotator-email", "alice=alice@lab.example", "--with-predictions"]
    assert main(args) == 0
    assert "note: Label Studio imports annotations only for members of its organisation: 3 accounts needed" in capsys.readouterr().err
    tasks = _tasks(tmp_path / "ls")
    assert {_url(t) for t in tasks} == {"/data/local-files/?d=scene%200.mp4", "/data/local-files/?d=scene%201.mp4"}
    assert "alice@lab.example" in {a["completed_by"]["email"] for t in tasks for a in t["annotations"]}
    assert main([*args[:-3], "--annotator-email", "alice"]) == 2
    assert "expected NAME=EMAIL" in capsys.readouterr().err
