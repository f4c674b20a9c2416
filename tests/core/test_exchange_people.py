"""People out and back in: VidOR-style trajectories and AVA-style boxes, read back without loss."""

from __future__ import annotations

import csv
import json
import re

import pytest

from hhir.errors import HHIRError, ImportFormatError
from hhir.exchange.people_io import export_people, import_people
from hhir.store import Store
from hhir.types import AnnotationState, Clip, PersonBox, PersonTrack, Shot, Target, VideoInfo

FACE = (0.2, 0.1, 0.3, 0.25, *([0.25] * 12))


@pytest.fixture
def project(tmp_path):
    """A 10 fps, 100-frame video with two shots, three characters (one named and confirmed, one
    numbered 3 after a merge took 2) and a track of nobody."""
    store = Store(tmp_path / "p.hhir")
    info = VideoInfo(path=str(tmp_path / "scene one.mp4"), fingerprint="fp-x", duration_s=10.0, fps=10.0, frame_count=100,
                     width=640, height=360, has_audio=False)
    vid = store.add_video(info).id
    store.set_shots(vid, [Shot(0, 0, 50, 0.0, 5.0), Shot(1, 50, 100, 5.0, 10.0)])
    clips = store.set_clips(vid, [Clip(index=0, first_shot=0, last_shot=1, start_s=0.0, end_s=10.0, start_frame=0, end_frame=100)])
    store.annotate(Target(vid, clips[0].id), "talks to", AnnotationState.PRESENT, "ann")

    def track(shot, frames, x, face=False):
        return PersonTrack(0, vid, shot, tuple(PersonBox(f, x + f / 1000, 0.1, x + 0.2 + f / 1000, 0.95, 0.875, "detector",
                                                         FACE if face else None) for f in frames))

    found = [track(0, range(0, 50, 4), 0.1, face=True), track(0, range(10, 40, 6), 0.5), track(1, range(50, 100, 5), 0.3),
             track(1, range(60, 80, 5), 0.7)]
    store.set_people(vid, found, [[0, 2], [1], []], "people-v1:test", {0: "Ana"}, [True, False, False], [1, 3, 4])
    yield store, vid, tmp_path
    store.close()


def _people(store, vid):
    chars = {c.id: c for c in store.characters(vid)}
    out = []
    for t in store.person_tracks(vid):
        c = chars.get(t.character_id)
        who = None if c is None else (c.number, c.name, c.confirmed)
        out.append((who, t.shot_index, [(b.frame, b.box, b.confidence, b.source, b.face) for b in t.boxes]))
    return sorted(out, key=lambda r: (r[1], r[2][0][0], str(r[0])))


def _without_boxes(rows):
    return [(who, shot, [(f, c, src, face) for f, _, c, src, face in boxes]) for who, shot, boxes in rows]


def _boxes(rows):
    return [box for _, _, boxes in rows for _, box, *_ in boxes]


def test_vidor_round_trip_loses_nothing(project):
    store, vid, tmp = project
    before = _people(store, vid)
    out = export_people(store, vid, "vidor", tmp / "people.json")
    doc = json.loads(out.read_text())
    assert doc["frame_count"] == 100 and len(doc["trajectories"]) == 100
    assert [o["tid"] for o in doc["subject/objects"]] == [1, 3, 4, 5]  # 4 has no track; 5 holds the track of nobody
    assert doc["subject/objects"][0] == {"tid": 1, "category": "adult", "name": "Ana", "confirmed": True}
    assert doc["trajectories"][1] == [{"tid": 1, "track": 0, "shot": 0, "generated": 1,
                                       "bbox": pytest.approx({"xmin": 64.64, "ymin": 36.0, "xmax": 192.64, "ymax": 342.0})}]
    assert doc["trajectories"][0][0]["generated"] == 0 and doc["trajectories"][0][0]["face"] == list(FACE)
    store.set_people(vid, [], [], "people-v1:test")  # forget them, then read them back
    import_people(store, vid, "vidor", out)
    after = _people(store, vid)
    assert _without_boxes(after) == _without_boxes(before)
    assert _boxes(after) == [pytest.approx(b, abs=1e-8) for b in _boxes(before)]
    assert [(c.number, c.name, c.confirmed) for c in store.characters(vid)] == [(1, "Ana", True), (3, None, False), (4, None, False)]
    assert export_people(store, vid, "vidor", tmp / "again.json").read_text() == out.read_text()


def test_ava_rows_carry_boxes_and_person_ids_and_read_back(project):
    store, vid, tmp = project
    out = export_people(store, vid, "ava", tmp / "people.csv")
    rows = list(csv.reader(out.read_text().splitlines()))
    talks = str([label.name for label in store.labels()].index("talks to") + 1)
    assert rows[0] == ["scene_one", "0000", "0.100", "0.100", "0.300", "0.950", talks, "1"]
    assert {r[7] for r in rows} == {"1", "3"}  # the track of nobody is not written
    assert {r[6] for r in rows} == {talks}  # the one clip covers the whole video
    seconds_of_3 = [int(r[1]) for r in rows if r[7] == "3"]
    assert seconds_of_3 == [1, 2, 3]  # its track runs over frames 10-34
    store.set_people(vid, [], [], "people-v1:test")
    import_people(store, vid, "ava", out)
    assert [c.number for c in store.characters(vid)] == [1, 3]
    assert export_people(store, vid, "ava", tmp / "again.csv").read_text() == out.read_text()


def test_imports_refuse_bad_files_and_keep_what_was_there(project):
    store, vid, tmp = project
    before = _people(store, vid)
    good = json.loads(export_people(store, vid, "vidor", tmp / "p.json").read_text())
    cases = {
        "short.json": ({**good, "frame_count": 99}, "made for a 640×360 video of 99 frames"),
        "tid.json": ({**good, "subject/objects": good["subject/objects"][1:]}, "tid 1 is not in subject/objects"),
        "box.json": ({**good, "trajectories": [[{"tid": 1, "bbox": {"xmin": "x"}}]] + good["trajectories"][1:]}, "trajectories.0.0.bbox"),
    }
    for name, (doc, message) in cases.items():
        (tmp / name).write_text(json.dumps(doc))
        with pytest.raises(ImportFormatError, match=message):
            import_people(store, vid, "vidor", tmp / name)
    (tmp / "bad.csv").write_text("scene_one,0001,0.1,0.1,1.5,0.9,,1\n")
    with pytest.raises(ImportFormatError, match=r"bad\.csv: line 1: .*inside 0…1"):
        import_people(store, vid, "ava", tmp / "bad.csv")
    (tmp / "late.csv").write_text("scene_one,0042,0.1,0.1,0.5,0.9,,1\n")
    with pytest.raises(ImportFormatError, match="past the video's end"):
        import_people(store, vid, "ava", tmp / "late.csv")
    assert _people(store, vid) == before


def test_an_import_does_not_overwrite_a_persons_edits_unless_asked(project):
    store, vid, tmp = project
    out = export_people(store, vid, "vidor", tmp / "p.json")
    store.name_character(store.characters(vid)[1].id, "Bo", "ann")
    with pytest.raises(HHIRError, match="--replace"):
        import_people(store, vid, "vidor", out)
    assert store.characters(vid)[1].name == "Bo"
    import_people(store, vid, "vidor", out, replace=True)
    assert store.characters(vid)[1].name is None
    # the naming named rows the import replaced: it is no longer undoable; the label decision still is
    assert store.history(vid, "ann")[0] == "talks to: present (clip 1)"


def test_labelstudio_rectangles_per_track_read_back(project):
    from defusedxml.ElementTree import fromstring

    store, vid, tmp = project
    before = _people(store, vid)
    out = export_people(store, vid, "labelstudio", tmp / "people.json")
    config = fromstring((tmp / "people.config.xml").read_text())
    assert [e.get("value") for e in config.iter("Label")] == ["Ana", "person 3", "person 4", "nobody"]
    assert config.find("Video").get("framerate") == "10"
    (task,) = json.loads(out.read_text())
    results = task["annotations"][0]["result"]
    assert [r["type"] for r in results] == ["videorectangle"] * 4
    first = results[0]["value"]
    assert first["labels"] == ["Ana"] and first["sequence"][0] == {
        "frame": 1, "enabled": True, "rotation": 0, "x": 10.0, "y": 10.0, "width": 20.0, "height": 85.0, "time": 0.0}
    assert first["sequence"][-1]["enabled"] is False  # the track ends at its last box
    assert results[3]["value"]["labels"] == ["nobody"]
    store.set_people(vid, [], [], "people-v1:test")
    import_people(store, vid, "labelstudio", out)
    after = _people(store, vid)
    def shape(rows):
        return [(w[:2] if w else None, s, [f for f, *_ in b]) for w, s, b in rows]

    assert shape(after) == shape(before)
    assert _boxes(after) == [pytest.approx(b, abs=1e-8) for b in _boxes(before)]
    assert export_people(store, vid, "labelstudio", tmp / "again.json").read_text() == out.read_text()


def test_labelstudio_track_across_a_cut_is_refused(project):
    store, vid, tmp = project
    out = export_people(store, vid, "labelstudio", tmp / "people.json")
    (task,) = json.loads(out.read_text())
    task["annotations"][0]["result"][0]["value"]["sequence"][-1]["frame"] = 60  # into the second shot
    (tmp / "cut.json").write_text(json.dumps([task]))
    with pytest.raises(ImportFormatError, match="crosses a cut"):
        import_people(store, vid, "labelstudio", tmp / "cut.json")


def test_eaf_tier_per_character_with_speech_turns_read_by_pympi_and_back(project):
    import pympi

    from hhir.exchange.people_eaf import import_speech_eaf
    from hhir.types import SpeechTurn

    store, vid, tmp = project
    chars = store.characters(vid)
    store.set_speech_turns(vid, [SpeechTurn(0, vid, 0.5, 1.25, 0, None, chars[0].id), SpeechTurn(0, vid, 2.0, 3.5, 1, None, chars[1].id),
                                 SpeechTurn(0, vid, 4.0, 4.5, 2)], "voices-test")
    out = export_people(store, vid, "eaf", tmp / "people.eaf")
    eaf = pympi.Elan.Eaf(str(out))
    assert sorted(eaf.get_tier_names()) == sorted(["person 1 speech", "person 1 on screen", "person 3 speech", "person 3 on screen",
                                                   "person 4 speech", "person 4 on screen", "voices"])
    assert eaf.get_annotation_data_for_tier("person 1 speech") == [(500, 1250, "voice 0")]
    assert eaf.get_parameters_for_tier("person 1 speech")["PARTICIPANT"] == "Ana"
    assert eaf.get_annotation_data_for_tier("person 1 on screen") == [(0, 4900, "on screen"), (5000, 9600, "on screen")]
    assert eaf.get_annotation_data_for_tier("voices") == [(4000, 4500, "voice 2")]
    before = [(t.start_s, t.end_s, t.speaker, t.character_id) for t in store.speech_turns(vid)]
    store.set_speech_turns(vid, [], "voices-test")
    import_speech_eaf(store, vid, out)
    assert [(t.start_s, t.end_s, t.speaker, t.character_id) for t in store.speech_turns(vid)] == before
    def undated(path):
        return re.sub(r'DATE="[^"]*"', "", path.read_text())

    assert undated(export_people(store, vid, "eaf", tmp / "again.eaf")) == undated(out)
    (tmp / "bad.eaf").write_text(out.read_text().replace("person 3 speech", "person 9 speech"))
    with pytest.raises(ImportFormatError, match="no person 9"):
        import_speech_eaf(store, vid, tmp / "bad.eaf")
    assert len(store.speech_turns(vid)) == 3
