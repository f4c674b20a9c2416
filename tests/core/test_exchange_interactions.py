"""Interactions out and back in: VidOR relation_instances and the AVA-style CSV with a target column."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from hhir.cli import main
from hhir.errors import HHIRError, ImportFormatError
from hhir.exchange.interactions_io import export_interactions, import_interactions
from hhir.exchange.safety import parse_xml
from hhir.exchange.people_io import export_people, import_people
from hhir.store import Store
from hhir.types import PersonBox, PersonTrack, Shot, VideoInfo


def _new_project(path: Path) -> tuple[Store, int]:
    """A 10 fps, 100-frame video with two shots and no people yet."""
    store = Store(path)
    info = VideoInfo(path="/media/scene one.mp4", fingerprint="fp-x", duration_s=10.0, fps=10.0, frame_count=100,
                     width=640, height=360, has_audio=False)
    vid = store.add_video(info).id
    store.set_shots(vid, [Shot(0, 0, 50, 0.0, 5.0), Shot(1, 50, 100, 5.0, 10.0)])
    return store, vid


@pytest.fixture
def project(tmp_path: Path):
    """Ana (1) on screen in both shots, Ben (2) in the first, Cy (3) in the second; interactions of two annotators."""
    store, vid = _new_project(tmp_path / "p.hhir")

    def track(shot: int, frames: range, x: float) -> PersonTrack:
        return PersonTrack(0, vid, shot, tuple(PersonBox(f, x + f / 1000, 0.1, x + 0.2 + f / 1000, 0.95, 0.875) for f in frames))

    found = [track(0, range(0, 50, 5), 0.1), track(1, range(50, 100, 5), 0.1), track(0, range(0, 50, 5), 0.5), track(1, range(50, 100, 5), 0.6)]
    store.set_people(vid, found, [[0, 1], [2], [3]], "t", {0: "Ana", 1: "Ben", 2: "Cy"}, True)
    ana, ben, cy = (c.id for c in store.characters(vid))
    store.add_interaction(vid, ana, "asks", "character", ben, 10, 40, "alice")
    store.add_interaction(vid, ben, "talks to", "offscreen", None, 20, 30, "alice")
    store.add_interaction(vid, cy, "yells at", "group", None, 60, 90, "alice")
    store.add_interaction(vid, ana, "watches", "character", cy, 53, 77, "bob", state="absent")
    store.add_interaction(vid, cy, "talks to", "character", ana, 55, 66, "@suggest", state="unreviewed", source="suggestion",
                          evidence="next speaker after a question")
    yield store, vid, tmp_path
    store.close()


def _portable(store: Store, vid: int) -> list[tuple]:
    """The interactions with characters by person number (ids differ between projects)."""
    number = {c.id: c.number for c in store.characters(vid)}
    return [(number[i.actor_id], i.label, i.target_kind, number.get(i.target_id), i.start_frame, i.end_frame, i.state,
             i.annotator, i.source, i.evidence, i.updated_at) for i in store.interactions(vid)]


def test_vidor_relation_instances_round_trip_unchanged(project) -> None:
    store, vid, tmp = project
    export_people(store, vid, "vidor", tmp / "a.json")
    doc = json.loads((tmp / "a.json").read_text())
    first = doc["relation_instances"][0]
    assert {k: first[k] for k in ("subject_tid", "object_tid", "predicate", "begin_fid", "end_fid")} == {
        "subject_tid": 1, "object_tid": 2, "predicate": "asks", "begin_fid": 10, "end_fid": 40}
    offscreen = doc["relation_instances"][1]
    assert (offscreen["object_tid"], offscreen["target"]) == (None, "offscreen")
    assert len(doc["relation_instances"]) == 5
    # into another project: the people import brings the interactions with it
    other, other_vid = _new_project(tmp / "q.hhir")
    import_people(other, other_vid, "vidor", tmp / "a.json")
    assert _portable(other, other_vid) == _portable(store, vid)
    export_people(other, other_vid, "vidor", tmp / "b.json")
    assert (tmp / "b.json").read_bytes() == (tmp / "a.json").read_bytes()
    # and back over the same project, replacing
    import_people(store, vid, "vidor", tmp / "b.json", replace=True)
    export_people(store, vid, "vidor", tmp / "c.json")
    assert (tmp / "c.json").read_bytes() == (tmp / "a.json").read_bytes()
    other.close()


def test_vidor_bad_relations_change_nothing(project) -> None:
    store, vid, tmp = project
    export_people(store, vid, "vidor", tmp / "a.json")
    before = _portable(store, vid)
    doc = json.loads((tmp / "a.json").read_text())
    for broken, message in ((dict(predicate="juggles"), "label 'juggles'"), (dict(subject_tid=9), "person 9"),
                            (dict(begin_fid=-1), "begin_fid"), (dict(object_tid=None), "object_tid")):
        bad = json.loads(json.dumps(doc))
        bad["relation_instances"][0].update(broken)
        (tmp / "bad.json").write_text(json.dumps(bad))
        with pytest.raises(ImportFormatError, match=message) as caught:
            import_people(store, vid, "vidor", tmp / "bad.json", replace=True)
        assert "bad.json" in str(caught.value)
        assert _portable(store, vid) == before
    with pytest.raises(HHIRError, match="--replace"):
        import_interactions(store, vid, "vidor", tmp / "a.json", "carol")


def test_ava_with_target_column_round_trip(project) -> None:
    store, vid, tmp = project
    export_interactions(store, vid, "ava", tmp / "a.csv", "alice")
    rows = list(csv.reader((tmp / "a.csv").read_text().splitlines()))
    assert all(len(r) == 9 for r in rows)
    asks = [r for r in rows if r[6] == "1"]  # "asks" is the first label
    assert [(r[1], r[7], r[8]) for r in asks] == [("0001", "1", "2"), ("0002", "1", "2"), ("0003", "1", "2")]
    assert asks[0][2:6] == ["0.110", "0.100", "0.310", "0.950"]  # Ana's box on frame 10
    assert {(r[7], r[8]) for r in rows} == {("1", "2"), ("2", "offscreen"), ("3", "group")}  # present ones only
    other, other_vid = _new_project(tmp / "q.hhir")
    export_people(store, vid, "ava", tmp / "people.csv")
    import_people(other, other_vid, "ava", tmp / "people.csv")
    assert import_interactions(other, other_vid, "ava", tmp / "a.csv", "alice") == 3
    mine = [r[:8] for r in _portable(store, vid) if r[7] == "alice"]
    assert [r[:8] for r in _portable(other, other_vid)] == mine
    assert {r[8] for r in _portable(other, other_vid)} == {"import"}
    export_interactions(other, other_vid, "ava", tmp / "b.csv")
    assert (tmp / "b.csv").read_bytes() == (tmp / "a.csv").read_bytes()
    other.close()


def test_ava_bad_rows_are_one_line_errors(project, capsys) -> None:
    store, vid, tmp = project
    before = _portable(store, vid)
    db = str(store.path)
    for n, text in enumerate(["scene_one,0001,0.1,0.1,0.3,0.9,1,1\n", "scene_one,0001,0.1,0.1,0.3,0.9,99,1,2\n",
                              "scene_one,0001,0.1,0.1,0.3,0.9,1,1,crowd\n", "scene_one,0042,0.1,0.1,0.3,0.9,1,1,2\n",
                              "scene_one,0001,0.1,0.1,0.3,0.9,1,7,2\n"]):
        (tmp / f"bad{n}.csv").write_text(text)
        assert main(["interactions", "import", str(vid), str(tmp / f"bad{n}.csv"), "--format", "ava", "--replace", "--db", db]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and f"bad{n}.csv" in err[0]
        assert _portable(store, vid) == before
    assert main(["interactions", "export", str(vid), str(tmp / "x.csv"), "--format", "ava", "--by", "alice", "--db", db]) == 0
    assert (tmp / "x.csv").read_text().count("\n") == 3 + 1 + 3  # asks 1-3 s, talks to 2 s, yells at 6-8 s


def test_eaf_tiers_per_character_and_label_round_trip(project) -> None:
    from hhir.exchange.interactions_eaf import export_interactions_eaf, read_interactions_eaf
    from hhir.exchange.interactions_io import import_records

    store, vid, tmp = project
    ana, ben, _ = (c.id for c in store.characters(vid))
    store.add_interaction(vid, ana, "asks", "character", ben, 30, 45, "alice")  # overlaps her first "asks": a second tier
    export_interactions_eaf(store, vid, tmp / "a.eaf")
    root = parse_xml(tmp / "a.eaf")
    tiers = {t.get("TIER_ID"): t for t in root.iter("TIER")}
    assert {"person 1 asks [alice]", "person 1 asks [alice] 2", "person 2 talks to [alice]", "person 3 yells at [alice]"} <= set(tiers)
    whom = tiers["person 1 asks [alice] → whom"]
    assert whom.get("PARENT_REF") == "person 1 asks [alice]" and whom.findtext(".//ANNOTATION_VALUE") == "person 2"
    assert tiers["person 2 talks to [alice] → whom"].findtext(".//ANNOTATION_VALUE") == "offscreen"
    assert tiers["person 1 asks [alice]"].get("PARTICIPANT") == "Ana"
    assert not any("bob" in t or "@suggest" in t for t in tiers)  # absent and unreviewed records are not in ELAN
    from pympi.Elan import Eaf  # what ELAN users script with reads the tiers and the dependent targets

    eaf = Eaf(str(tmp / "a.eaf"))
    assert eaf.get_annotation_data_for_tier("person 1 asks [alice]") == [(1000, 4000, "asks")]
    assert [r[2:4] for r in eaf.get_ref_annotation_data_for_tier("person 1 asks [alice] 2 → whom")] == [("person 2", "asks")]
    assert eaf.get_parameters_for_tier("person 1 asks [alice] → whom")["PARENT_REF"] == "person 1 asks [alice]"
    records = read_interactions_eaf(tmp / "a.eaf", store.video(vid), "carol")
    present = [r for r in _portable(store, vid) if r[6] == "present"]
    assert [(r.actor, r.label, r.target_kind, r.target, r.start_frame, r.end_frame, r.state, r.annotator) for r in records] == [
        r[:8] for r in present]
    other, other_vid = _new_project(tmp / "q.hhir")
    export_people(store, vid, "ava", tmp / "people.csv")
    import_people(other, other_vid, "ava", tmp / "people.csv")
    assert import_records(other, other_vid, records, tmp / "a.eaf", "carol") == 4
    assert [r[:8] for r in _portable(other, other_vid)] == [r[:8] for r in present]
    (tmp / "bad.eaf").write_text((tmp / "a.eaf").read_text().replace(">person 2<", ">person two<", 1))
    with pytest.raises(ImportFormatError, match="bad.eaf.*target"):
        read_interactions_eaf(tmp / "bad.eaf", store.video(vid), "carol")
    other.close()


def test_labelstudio_relations_and_timeline_labels_round_trip(project, capsys) -> None:
    store, vid, tmp = project
    db = str(store.path)
    assert main(["interactions", "export", str(vid), str(tmp / "a.json"), "--format", "labelstudio", "--db", db]) == 0
    task = json.loads((tmp / "a.json").read_text())[0]
    result = task["annotations"][0]["result"]
    timeline = [r for r in result if r["type"] == "timelinelabels"]
    relations = [r for r in result if r["type"] == "relation"]
    assert len(timeline) == 5 and timeline[0]["value"] == {"ranges": [{"start": 11, "end": 40}], "timelinelabels": ["asks"]}
    rects = {r["id"]: r["value"]["labels"][0] for r in result if r["type"] == "videorectangle"}
    # a relation for a present interaction between two people on screen: Ana asks Ben (the absent and
    # the unreviewed ones are timeline labels only)
    assert [(rects[r["from_id"]], rects[r["to_id"]], r["labels"]) for r in relations] == [("Ana", "Ben", ["asks"])]
    config = (tmp / "a.config.xml").read_text()
    assert '<TimelineLabels name="interaction" toName="video">' in config and '<Relation value="asks"/>' in config
    before = _portable(store, vid)
    assert main(["interactions", "import", str(vid), str(tmp / "a.json"), "--format", "labelstudio", "--replace", "--db", db]) == 0
    assert _portable(store, vid) == before
    assert main(["interactions", "export", str(vid), str(tmp / "b.json"), "--format", "labelstudio", "--db", db]) == 0
    assert (tmp / "b.json").read_bytes() == (tmp / "a.json").read_bytes()
    # a timeline label drawn in Label Studio, without our meta: actor and target come from the relation
    del timeline[0]["meta"]
    (tmp / "drawn.json").write_text(json.dumps([task]))
    from hhir.exchange.interactions_labelstudio import read_interactions_labelstudio

    drawn = read_interactions_labelstudio(tmp / "drawn.json", store.video(vid), "carol")
    asks = next(r for r in drawn if r.label == "asks")
    assert (asks.actor, asks.target_kind, asks.target, asks.start_frame, asks.end_frame, asks.annotator) == (1, "character", 2, 10, 40, "carol")
    for r in relations:
        r["labels"] = ["yells at"]
    (tmp / "lost.json").write_text(json.dumps([task]))
    capsys.readouterr()
    assert main(["interactions", "import", str(vid), str(tmp / "lost.json"), "--format", "labelstudio", "--replace", "--db", db]) == 2
    assert "names no actor" in capsys.readouterr().err and _portable(store, vid) == before
