"""Imports: conflicts need --replace, and bad or hostile files write nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hhir.cli import main
from hhir.errors import ImportFormatError
from hhir.exchange import ExportOptions, ImportOptions, export, import_
from hhir.types import AnnotationState, Target
from test_exchange_helpers import make_project, portable


@pytest.fixture
def project(tmp_path: Path):
    store, videos = make_project(tmp_path / "p.sqlite")
    yield store, videos
    store.close()


def _clip(store, video, i: int) -> Target:
    return Target(video.id, store.clips(video.id)[i].id)


def test_conflict_is_reported_and_kept_unless_replace(project, tmp_path: Path) -> None:
    store, (video, _) = project
    store.annotate(_clip(store, video, 0), "asks", AnnotationState.PRESENT, "alice")
    export(store, "labelstudio", tmp_path / "ls", ExportOptions())
    store.annotate(_clip(store, video, 0), "asks", AnnotationState.ABSENT, "alice")
    report = import_(store, "labelstudio", tmp_path / "ls", ImportOptions())
    assert [(c.label, c.existing, c.imported, c.annotator) for c in report.conflicts] == [("asks", "absent", "present", "alice")]
    assert report.annotations_written == 0
    assert store.annotations()[0].state is AnnotationState.ABSENT
    report = import_(store, "labelstudio", tmp_path / "ls", ImportOptions(replace=True))
    assert (report.annotations_written, report.replaced) == (1, 1)
    assert store.annotations()[0].state is AnnotationState.PRESENT
    assert store.annotations()[0].source == "import:labelstudio"


def _tasks(video, label: str = "asks", start: float = 0.0, end: float = 4.8) -> list:
    return [{"data": {"video": video.path, "fingerprint": video.fingerprint, "clip_index": 0, "start": start, "end": end},
             "annotations": [{"completed_by": "eve", "result": [
                 {"from_name": "interaction", "to_name": "video", "type": "choices", "value": {"choices": [label]}}]}]}]


@pytest.mark.parametrize("content, message", [
    ('[{"data": {"video": "a.mp4"}, "annotations": [', r"tasks\.json: line 1, column \d+: malformed JSON"),
    ('{"tasks": 1}', r"expected a JSON list"),
    ('[{"data": {"video": "a.mp4"}, "annotations": [{"completed_by": "x"}]}]', r"task 1 annotation 1: field 'result'"),
])
def test_malformed_labelstudio(project, tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "tasks.json").write_text(content)
    with pytest.raises(ImportFormatError, match=message):
        import_(project[0], "labelstudio", tmp_path / "tasks.json")


def test_unknown_label_or_unmatched_clip_writes_nothing(project, tmp_path: Path) -> None:
    store, (video, _) = project
    good, bad = _tasks(video), _tasks(video, label="dances with")
    (tmp_path / "tasks.json").write_text(json.dumps(good + bad))
    with pytest.raises(ImportFormatError, match=r"task 2 annotation 1: unknown label 'dances with'"):
        import_(store, "labelstudio", tmp_path / "tasks.json")
    (tmp_path / "tasks.json").write_text(json.dumps(good + _tasks(video, start=1.0, end=2.0)))
    with pytest.raises(ImportFormatError, match=r"task 2.*no clip of video \d+ matches 1\.000-2\.000"):
        import_(store, "labelstudio", tmp_path / "tasks.json")
    assert store.annotations() == []


def test_manifest_wrong_columns_and_values(project, tmp_path: Path) -> None:
    store, (video, _) = project
    store.annotate(_clip(store, video, 1), "watches", AnnotationState.PRESENT, "ann")
    export(store, "manifest", tmp_path / "m", ExportOptions())
    csv_path = tmp_path / "m" / "manifest.csv"
    lines = csv_path.read_text().splitlines()
    csv_path.write_text("\n".join([lines[0].replace("end_s", "stop")] + lines[1:]))
    with pytest.raises(ImportFormatError, match=r"manifest\.csv: line 1: missing column\(s\) end_s"):
        import_(store, "manifest", tmp_path / "m")
    row = next(i for i, line in enumerate(lines) if ",ann," in line)
    edited = ",yes,".join(lines[row].rsplit(",1,", 1))  # the label value, not the clip index
    csv_path.write_text("\n".join([*lines[:row], edited, *lines[row + 1:]]))
    with pytest.raises(ImportFormatError, match=rf"manifest\.csv: line {row + 1}: label 'watches': 'yes' is not 1, 0 or -1"):
        import_(store, "manifest", tmp_path / "m")
    csv_path.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])
    with pytest.raises(ImportFormatError, match=r"manifest\.csv: line 2: \d+ fields"):
        import_(store, "manifest", tmp_path / "m")


def test_eaf_bad_values_and_doctype(project, tmp_path: Path) -> None:
    store, (video, _) = project
    store.annotate(_clip(store, video, 0), "asks", AnnotationState.PRESENT, "ann")
    export(store, "eaf", tmp_path / "e", ExportOptions())
    eaf = next((tmp_path / "e").glob("*.eaf"))
    text = eaf.read_text()
    eaf.write_text(text.replace("<ANNOTATION_VALUE>present<", "<ANNOTATION_VALUE>maybe<"))
    with pytest.raises(ImportFormatError, match=r"TIER 'asks@ann' ANNOTATION 'a\d+': value 'maybe'"):
        import_(store, "eaf", eaf)
    eaf.write_text(text[: len(text) // 2])
    with pytest.raises(ImportFormatError, match=r"\.eaf: line \d+, column \d+: malformed XML"):
        import_(store, "eaf", eaf)


def test_seed_labels_import_and_hostile_layout(project, tmp_path: Path) -> None:
    store, (video, other) = project
    root = tmp_path / "seed" / "train_labels"
    root.mkdir(parents=True)
    (root / "scene_0.csv").write_text("Clip,Interaction\nscene_0_clip0001,talks to\nscene_0_clip0001,asks\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.csv").write_text("Clip,Interaction\nscene_1_clip0000,yells at\n")
    os.symlink(outside, root / "linked")  # a link out of the folder is not followed
    report = import_(store, "seed", tmp_path / "seed", ImportOptions(annotator="paper"))
    assert report.annotations_written == 2
    assert portable(store) == {("fp0", 1, "talks to", AnnotationState.PRESENT, "paper"),
                               ("fp0", 1, "asks", AnnotationState.PRESENT, "paper")}
    (root / "bad.csv").write_text("Video,Label\nx,y\n")
    with pytest.raises(ImportFormatError, match=r"bad\.csv: line 1: expected columns Clip, Interaction"):
        import_(store, "seed", tmp_path / "seed")


def test_transcript_and_shots_import(project, tmp_path: Path) -> None:
    store, (video, _) = project
    srt = tmp_path / "scene_0.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:01,500\nHello there.\n")
    report = import_(store, "srt", srt)
    assert report.conflicts and store.transcript(video.id)[0].text == "Where is the station?"
    report = import_(store, "srt", srt, ImportOptions(replace=True))
    assert report.segments_written == 1 and [s.text for s in store.transcript(video.id)] == ["Hello there."]
    assert store.clips(video.id)[0].text == "Hello there."
    scenes = tmp_path / "cuts.csv"
    scenes.write_text("Timecode List:,00:00:02.000\nScene Number,Start Frame,Start Timecode,Start Time (seconds),End Frame,"
                      "End Timecode,End Time (seconds),Length (frames),Length (timecode),Length (seconds)\n"
                      "1,1,00:00:00.000,0.000,50,00:00:02.000,2.000,50,00:00:02.000,2.000\n"
                      "2,51,00:00:02.000,2.000,160,00:00:06.400,6.400,110,00:00:04.400,4.400\n")
    report = import_(store, "shots", scenes, ImportOptions(video_id=video.id, replace=True))
    assert [(s.start_frame, s.end_frame) for s in store.shots(video.id)] == [(0, 50), (50, 160)]
    assert [(c.first_shot, c.last_shot) for c in store.clips(video.id)] == [(0, 1)]
    scenes.write_text("Scene Number,Start Frame\n1,1\n")
    with pytest.raises(ImportFormatError, match=r"cuts\.csv: line 1: expected the header"):
        import_(store, "shots", scenes, ImportOptions(video_id=video.id))


def test_cli_export_and_import(project, tmp_path: Path, capsys) -> None:
    store, (video, _) = project
    store.annotate(_clip(store, video, 0), "asks", AnnotationState.PRESENT, "ann")
    db = str(store.path)
    assert main(["export", "--format", "ava", str(tmp_path / "ava"), "--db", db]) == 0
    assert (tmp_path / "ava" / "ava.csv").read_text() == "".join(f"scene_0,{t:04d},0.000,0.000,1.000,1.000,1,0\n" for t in range(5))
    assert 'name: "asks"\n  label_id: 1' in (tmp_path / "ava" / "label_map.pbtxt").read_text()
    assert main(["export", "--format", "labelstudio", str(tmp_path / "ls"), "--db", db]) == 0
    store.annotate(_clip(store, video, 0), "asks", AnnotationState.ABSENT, "ann")
    assert main(["import", "--format", "labelstudio", str(tmp_path / "ls"), "--db", db]) == 0
    assert "1 conflicts" in capsys.readouterr().out
    (tmp_path / "junk.json").write_text("[")
    assert main(["import", "--format", "labelstudio", str(tmp_path / "junk.json"), "--db", db]) == 2
    assert "junk.json: line 1" in capsys.readouterr().err


def test_eaf_reads_in_elan_library(project, tmp_path: Path) -> None:
    from pympi.Elan import Eaf

    store, (video, _) = project
    store.annotate(_clip(store, video, 0), "asks", AnnotationState.PRESENT, "ann")
    store.annotate(_clip(store, video, 1), "asks", AnnotationState.ABSENT, "ann")
    export(store, "eaf", tmp_path / "e", ExportOptions(video_ids=(video.id,)))
    eaf = Eaf(str(tmp_path / "e" / "scene_0.eaf"))
    clips = store.clips(video.id)
    assert set(eaf.get_tier_names()) == {"shots", "clips", "clips#2", "transcript", "asks@ann", "asks#2@ann"}  # 2 overlapping clips
    assert eaf.get_parameters_for_tier("asks@ann")["ANNOTATOR"] == "ann"
    assert eaf.get_annotation_data_for_tier("asks@ann") == [(0, round(clips[0].end_s * 1000), "present")]
    assert [v for _, _, v in eaf.get_annotation_data_for_tier("transcript")] == ["Where is the station?", "Next to the bridge."]
    assert {"hhir-labels", "hhir-states"} == set(eaf.controlled_vocabularies)
