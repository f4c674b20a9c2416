"""Round trips keep the review: a reviewed clip exported (EAF, Label Studio) and imported stays
reviewed, its unticked labels absent by the review (not explicit marks), and it does not come back
in the review queue. An EAF transcript tier edited in ELAN is read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hhir.exchange import ExportOptions, ImportOptions, export, import_
from hhir.learn.queue import review_queue
from hhir.scoring.truth import judged_annotations
from hhir.store import Store
from hhir.types import AnnotationState, ModelInfo, Target
from test_exchange_helpers import add_scene, portable


def make_project(db: Path) -> tuple[Store, list]:
    store = Store(db)
    return store, [add_scene(store, "/media/scene 0.mp4", "fp0", n_shots=7)]  # five clips


@pytest.fixture
def source(tmp_path: Path):
    store, videos = make_project(tmp_path / "p.sqlite")
    video = videos[0]
    clips = store.clips(video.id)
    store.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.PRESENT, "alice")
    store.set_reviewed(Target(video.id, clips[0].id), "alice")
    store.set_reviewed(Target(video.id, clips[1].id), "alice")  # reviewed, nothing present
    store.annotate(Target(video.id, clips[2].id), "watches", AnnotationState.PRESENT, "bob")  # a mark, no review
    yield store, video
    store.close()


def _reviews(store: Store) -> set[tuple]:
    index = {c.id: c.index for v in store.videos() for c in store.clips(v.id)}
    fingerprints = {v.id: v.fingerprint for v in store.videos()}
    return {(fingerprints[t.video_id], index[t.clip_id], name) for v in store.videos()
            for name, times in store.review_times(v.id).items() for t in times}


def _judged(store: Store) -> set[tuple]:
    return portable(store, [a for v in store.videos() for a in judged_annotations(store, v.id)])


def _queue(store: Store) -> set[int]:
    index = {c.id: c.index for v in store.videos() for c in store.clips(v.id)}
    return {index[item.target.clip_id] for item in review_queue(store, "alice")}


def _scored(store: Store) -> None:
    store.register_model(ModelInfo(id="starter-v1", kind="starter"))
    for video in store.videos():
        store.set_predictions("starter-v1", video.id, {}, {c.id: {"asks": 0.5} for c in store.clips(video.id)})


@pytest.mark.parametrize("fmt, path", [("eaf", "out"), ("labelstudio", "out/tasks.json")])
def test_a_reviewed_clip_comes_back_reviewed_and_leaves_the_queue(source, tmp_path: Path, fmt: str, path: str) -> None:
    store, _ = source
    export(store, fmt, tmp_path / "out", ExportOptions())
    target, _ = make_project(tmp_path / "q.sqlite")
    _scored(target)
    report = import_(target, fmt, tmp_path / path, ImportOptions())
    assert report.reviews_written == 2 and not report.conflicts
    assert _reviews(target) == _reviews(store) == {("fp0", 0, "alice"), ("fp0", 1, "alice")}
    assert portable(target) == portable(store)  # no explicit absent marks were made of the reviews
    assert _judged(target) == _judged(store)  # and the truth is the same
    assert {0, 1}.isdisjoint(_queue(target)) and 2 in _queue(target)
    again = import_(target, fmt, tmp_path / path, ImportOptions())
    assert (again.annotations_written, again.reviews_written, again.conflicts) == (0, 0, ())
    target.close()


def test_a_task_submitted_in_label_studio_is_a_review(source, tmp_path: Path) -> None:
    store, video = source
    export(store, "labelstudio", tmp_path / "ls", ExportOptions())
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text())
    task = next(t for t in tasks if t["data"]["clip_index"] == 3)
    task["annotations"] = [{"completed_by": {"email": "carol@lab.example"}, "result": []}]  # looked, ticked nothing
    (tmp_path / "done.json").write_text(json.dumps(tasks))
    report = import_(store, "labelstudio", tmp_path / "done.json", ImportOptions())
    assert report.reviews_written == 1
    assert ("fp0", 3, "carol@lab.example") in _reviews(store)


def test_an_eaf_transcript_tier_edited_in_elan_is_read_back(source, tmp_path: Path) -> None:
    from pympi.Elan import Eaf

    store, video = source
    export(store, "eaf", tmp_path / "out", ExportOptions())
    path = next((tmp_path / "out").glob("*.eaf"))
    eaf = Eaf(str(path))
    (start, end, _text), second = eaf.get_annotation_data_for_tier("transcript")
    eaf.remove_annotation("transcript", start)
    eaf.add_annotation("transcript", start, end, "Where is the train station?")  # corrected in ELAN
    eaf.to_file(str(path))
    report = import_(store, "eaf", path, ImportOptions())
    assert [c.label for c in report.conflicts] == ["transcript"] and report.segments_written == 0
    assert "'Where is the train station?'" in report.conflicts[0].imported
    report = import_(store, "eaf", path, ImportOptions(replace=True))
    assert report.segments_written == 2 and report.replaced == 1
    assert [s.text for s in store.transcript(video.id)] == ["Where is the train station?", "Next to the bridge."]


def test_an_eaf_rewritten_by_pympi_keeps_its_reviews(source, tmp_path: Path) -> None:
    from pympi.Elan import Eaf

    store, _ = source
    export(store, "eaf", tmp_path / "out", ExportOptions())
    path = next((tmp_path / "out").glob("*.eaf"))
    Eaf(str(path)).to_file(str(path))  # what an ELAN user's script does with the file
    target, _ = make_project(tmp_path / "q.sqlite")
    report = import_(target, "eaf", path, ImportOptions())
    assert report.reviews_written == 2 and _reviews(target) == _reviews(store)
    assert portable(target) == portable(store)
    target.close()
