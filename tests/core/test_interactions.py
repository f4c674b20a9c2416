"""Interactions beyond the store: the clip labels they imply in the manifest, and ``hhir interactions``."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hhir.cli import main
from hhir.exchange import ExportOptions, ImportOptions, export, import_
from hhir.store import Store
from hhir.types import AnnotationState, PersonBox, PersonTrack, Target
from test_exchange_helpers import add_scene


def _track(shot: int, frames: range, x: float) -> PersonTrack:
    return PersonTrack(0, 0, shot, tuple(PersonBox(f, x, 0.2, x + 0.2, 0.9, 0.8) for f in frames))


@pytest.fixture
def project(tmp_path: Path):
    """A 6-shot scene (40 frames a shot at 25 fps) with two named characters, and a scene without people."""
    store = Store(tmp_path / "p.sqlite")
    video = add_scene(store, "/media/scene 0.mp4", "fp0", n_shots=6)
    plain = add_scene(store, "/media/plain.mp4", "fp1", n_shots=2)
    store.set_people(video.id, [_track(0, range(0, 80, 10), 0.1), _track(0, range(0, 160, 10), 0.6)], [[0], [1]], "t",
                     names={0: "Ana", 1: "Ben"})
    yield store, video, plain
    store.close()


def _manifest(folder: Path) -> dict[tuple[str, str, str], str]:
    with open(folder / "manifest.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {(r["video"], r["clip_index"], r["annotator"]): r for r in rows}


def test_manifest_carries_derived_labels_and_explicit_decisions_win(project, tmp_path: Path) -> None:
    store, video, plain = project
    ana, ben = store.characters(video.id)
    clips = store.clips(video.id)
    inside = [c for c in clips if c.start_frame < 50 and c.end_frame > 20]  # the clips [20, 50) touches
    outside = [c for c in clips if c not in inside]
    assert len(inside) >= 2 and outside
    store.add_interaction(video.id, ana.id, "asks", "character", ben.id, 20, 50, "alice")
    store.add_interaction(video.id, ben.id, "watches", "group", None, 0, 160, "alice", state="absent")
    overruled = inside[-1]
    store.annotate(Target(video.id, overruled.id), "asks", AnnotationState.ABSENT, "alice")  # her clip decision wins
    store.annotate(Target(plain.id, store.clips(plain.id)[0].id), "asks", AnnotationState.PRESENT, "alice")  # no people: as today
    export(store, "manifest", tmp_path / "m", ExportOptions())
    rows = _manifest(tmp_path / "m")
    name = next(k[0] for k in rows if k[0] != "plain.mp4" and "plain" not in k[0])
    for clip in inside:
        expected = "0" if clip == overruled else "1"
        assert rows[(name, str(clip.index), "alice")]["asks"] == expected
    for clip in outside:
        assert (name, str(clip.index), "alice") not in rows and rows[(name, str(clip.index), "")]["asks"] == "-1"
    assert rows[(name, "-1", "alice")]["asks"] == "1"  # the scene
    # training, the queue and the exports read labels through the one truth rule: it sees them too
    from hhir.scoring.truth import label_truth

    truth = label_truth(store, video.id, "alice")
    assert truth.state(Target(video.id, inside[0].id), "asks") is AnnotationState.PRESENT
    assert truth.state(Target(video.id, overruled.id), "asks") is AnnotationState.ABSENT
    assert truth.state(Target(video.id, None), "asks") is AnnotationState.PRESENT
    assert rows[(name, "-1", "alice")]["watches"] == "-1"  # an absent interaction implies nothing about the clip
    plain_name = next(k[0] for k in rows if "plain" in k[0])
    assert rows[(plain_name, "0", "alice")]["asks"] == "1"
    # importing the manifest back into the same project changes nothing
    report = import_(store, "manifest", tmp_path / "m", ImportOptions())
    assert report.annotations_written == 0 and report.unchanged > 0 and not report.conflicts


def test_cli_add_list_set_delete(project, capsys) -> None:
    store, video, _ = project
    db, vid = str(store.path), str(video.id)
    ben = store.characters(video.id)[1]
    assert main(["interactions", "add", vid, "Ana", "asks", "2", "0.4s", "48", "--annotator", "alice", "--db", db]) == 0
    assert main(["interactions", "add", vid, f"id:{ben.id}", "talks to", "offscreen", "50", "60", "--annotator", "alice", "--db", db]) == 0
    first, second = store.interactions(video.id)
    assert (first.start_frame, first.end_frame, first.target_id, first.annotator) == (10, 48, ben.id, "alice")
    assert (second.actor_id, second.target_kind, second.target_id) == (ben.id, "offscreen", None)
    capsys.readouterr()
    assert main(["interactions", "list", vid, "--person", "Ana", "--db", db]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "Ana -> Ben: asks" in out[0] and "10-48 (0.40-1.92 s)" in out[0]
    assert main(["interactions", "set", str(first.id), "--target", "group", "--end", "2s", "--annotator", "alice", "--db", db]) == 0
    changed = store.interaction(first.id)
    assert (changed.target_kind, changed.end_frame) == ("group", 50)
    assert main(["interactions", "set", str(first.id), "--state", "absent", "--annotator", "bob", "--db", db]) == 2
    assert "alice's" in capsys.readouterr().err
    assert main(["interactions", "add", vid, "Ana", "asks", "Nobody", "0", "5", "--db", db]) == 2
    assert main(["interactions", "add", vid, "Ana", "asks", "Ben", "x5", "7", "--db", db]) == 2
    assert main(["interactions", "add", vid, "Ana", "asks", "Ben", "9", "5", "--db", db]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert main(["interactions", "delete", str(second.id), "--annotator", "alice", "--db", db]) == 0
    assert [i.id for i in store.interactions(video.id)] == [first.id]
    store.undo(video.id, "alice")
    assert len(store.interactions(video.id)) == 2


# who -> whom per event, for each annotator (None: they did not record it); spans: alice's [s, s+20),
# bob's shifted by 3 frames (tIoU 17/23 > 0.5), never reaching the next event 40 frames on
EVENTS = [
    (("Ana", "asks", "Ben"), ("Ana", "asks", "Ben")),
    (("Ana", "asks", "Ben"), ("Ana", "talks to", "Ben")),
    (("Ben", "watches", "Ana"), ("Ben", "watches", "group")),
    (("Cy", "talks to", "group"), ("Ana", "talks to", "group")),
    (("Cy", "yells at", "Dee"), ("Cy", "yells at", "Dee")),
    (("Dee", "gives to", "Cy"), ("Dee", "gives to", "Cy")),
    (("Ben", "talks to", "offscreen"), ("Ben", "talks to", "offscreen")),
    (("Ana", "walks with", "Ben"), ("Ana", "walks with", "Ben")),
    (("Dee", "asks", "unknown"), ("Dee", "asks", "Cy")),
    (("Ana", "asks", "Cy"), None),
    (None, ("Ben", "yells at", "Cy")),
    (("Cy", "watches", "Ana"), ("Cy", "watches", "Ana")),
]


def test_agreement_per_part_equals_scikit_learn(tmp_path: Path, capsys) -> None:
    from sklearn.metrics import cohen_kappa_score, f1_score

    from hhir.learn.agreement import agreement

    store = Store(tmp_path / "two.sqlite")
    video = add_scene(store, "/media/two.mp4", "fp-two", n_shots=13)
    store.set_people(video.id, [_track(0, range(0, 40, 10), x) for x in (0.1, 0.3, 0.5, 0.7)], [[0], [1], [2], [3]], "t",
                     names={0: "Ana", 1: "Ben", 2: "Cy", 3: "Dee"})
    ids = {c.name: c.id for c in store.characters(video.id)}

    def add(who: tuple[str, str, str], start: int, annotator: str) -> None:
        actor, label, whom = who
        kind = "character" if whom in ids else whom
        store.add_interaction(video.id, ids[actor], label, kind, ids.get(whom), start, start + 20, annotator)

    for n, (alice, bob) in enumerate(EVENTS):
        if alice:
            add(alice, n * 40, "alice")
        if bob:
            add(bob, n * 40 + 3, "bob")
    store.add_interaction(video.id, ids["Ana"], "asks", "character", ids["Ben"], 0, 20, "bob", state="absent")  # not a vote
    (found,) = agreement(store).interactions
    both = [(a, b) for a, b in EVENTS if a and b]
    for part, kappa in ((0, found.actor_kappa), (2, found.target_kappa), (1, found.label_kappa)):
        expected = cohen_kappa_score([a[part] for a, _ in both], [b[part] for _, b in both])
        assert kappa == pytest.approx(expected)
    # F1 over the union of records: a record both made alike is (1, 1), one only one of them made is (1, 0) or (0, 1)
    y_alice, y_bob = [], []
    for a, b in EVENTS:
        if a == b:
            y_alice.append(1), y_bob.append(1)
            continue
        if a:
            y_alice.append(1), y_bob.append(0)
        if b:
            y_alice.append(0), y_bob.append(1)
    assert found.pair_f1 == pytest.approx(f1_score(y_alice, y_bob))
    assert (found.annotator_a, found.annotator_b, found.records_a, found.records_b, found.paired, found.matched) == (
        "alice", "bob", 11, 11, 10, 6)
    db = str(store.path)
    capsys.readouterr()
    assert main(["agreement", "--db", db]) == 0
    out = capsys.readouterr().out
    assert f"kappa actor {found.actor_kappa:.3f}" in out and f"pair-level F1 {found.pair_f1:.3f}" in out
    store.close()
