"""Disagreements on interactions and their adjudication: found by the agreement's own pairing, kept
apart from the annotators' records (never a vote, no derived clip label, not exported), one undo
step of the adjudicator's, the ``others`` policy, and ``hhir disagreements`` / ``hhir adjudicate``."""

from __future__ import annotations

from pathlib import Path

import pytest

from hhir.cli import main
from hhir.errors import StoreError
from hhir.learn.interaction_agreement import OWN, interaction_agreement, interaction_disagreements
from hhir.store import Store
from hhir.types import PersonBox, PersonTrack
from test_exchange_helpers import add_scene


def _track(shot: int, frames: range, x: float) -> PersonTrack:
    return PersonTrack(0, 0, shot, tuple(PersonBox(f, x, 0.2, x + 0.2, 0.9, 0.8) for f in frames))


@pytest.fixture
def project(tmp_path: Path):
    """Two characters; alice and bob agree on one event, differ on the label of a second, on the
    target of a third, and only alice saw a fourth (bob marked it absent)."""
    store = Store(tmp_path / "p.sqlite")
    video = add_scene(store, "/media/scene 0.mp4", "fp0", n_shots=6)
    store.set_people(video.id, [_track(0, range(0, 200, 10), 0.1), _track(0, range(0, 200, 10), 0.6)], [[0], [1]], "t",
                     names={0: "Ana", 1: "Ben"})
    ana, ben = store.characters(video.id)
    add = store.add_interaction
    add(video.id, ana.id, "asks", "character", ben.id, 0, 20, "alice")
    add(video.id, ana.id, "asks", "character", ben.id, 2, 20, "bob")  # agree (tIoU 0.9)
    add(video.id, ana.id, "asks", "character", ben.id, 40, 60, "alice")
    add(video.id, ana.id, "watches", "character", ben.id, 40, 62, "bob")  # label differs
    add(video.id, ben.id, "asks", "character", ana.id, 80, 100, "alice")
    add(video.id, ben.id, "asks", "group", None, 80, 100, "bob")  # target differs
    add(video.id, ana.id, "watches", "group", None, 120, 140, "alice")
    add(video.id, ana.id, "watches", "group", None, 120, 140, "bob", state="absent")  # presence
    yield store, video, ana, ben
    store.close()


def test_disagreements_are_the_agreement_pairing_s_differences(project) -> None:
    store, video, ana, ben = project
    found = interaction_disagreements(store, video.id)
    assert [(d.start_frame, d.parts) for d in found] == [(40, ("label",)), (80, ("target",)), (120, ("presence",))]
    presence = found[-1]
    assert presence.a is not None and presence.a.annotator == "alice"
    assert presence.b is not None and presence.b.state == "absent"  # bob's "not so" is his version
    assert all(d.decision is None for d in found)
    (agreement,) = interaction_agreement(store, video.id)
    assert agreement.paired == 3 and agreement.matched == 1  # the same pairing: 3 paired, 2 of them differ


def test_adjudication_is_kept_apart_settles_and_undoes(project, tmp_path: Path) -> None:
    store, video, ana, ben = project
    label_dispute = interaction_disagreements(store, video.id)[0]
    bobs = label_dispute.b
    assert bobs is not None
    manifest_before = store.annotations(video.id)
    _change, decided = store.adjudicate_interaction(video.id, bobs.actor_id, bobs.label, bobs.target_kind, bobs.target_id,
                                                    bobs.start_frame, bobs.end_frame, "present", "carol", "accepted bob's")
    record = store.interaction(decided)
    assert (record.annotator, record.source, record.evidence) == ("@adjudicated", "adjudication:carol", "accepted bob's")
    # apart from the annotators' records: not listed, not a vote, no derived clip label
    assert decided not in [i.id for i in store.interactions(video.id)]
    assert [i.id for i in store.interaction_adjudications(video.id)] == [decided]
    assert store.annotations(video.id) == manifest_before
    assert interaction_agreement(store, video.id)[0].matched == 1
    settled = interaction_disagreements(store, video.id)
    assert settled[0].decision is not None and settled[0].decision.id == decided
    assert [d.decision for d in settled[1:]] == [None, None]
    # only carol withdraws or changes it; her undo reverts it
    with pytest.raises(StoreError, match="carol's adjudication"):
        store.delete_interaction(decided, "alice")
    store.set_interaction(decided, "carol", end_frame=61)
    assert store.interaction(decided).annotator == "@adjudicated"
    store.undo(video.id, "carol")
    store.undo(video.id, "carol")
    assert store.interaction_adjudications(video.id) == []
    # an annotator of the span may not adjudicate it under the default policy
    with pytest.raises(StoreError, match="someone else adjudicates"):
        store.adjudicate_interaction(video.id, ana.id, "asks", "character", ben.id, 40, 60, "present", "alice")
    store.set_adjudication_policy("anyone")
    store.adjudicate_interaction(video.id, ana.id, "asks", "character", ben.id, 40, 60, "present", "alice")
    with pytest.raises(StoreError, match="present or absent"):
        store.adjudicate_interaction(video.id, ana.id, "asks", "character", ben.id, 40, 60, "unreviewed", "dan")


def test_the_cli_lists_and_adjudicates_interactions(project, capsys) -> None:
    store, video, ana, ben = project
    db = str(store.path)
    found = interaction_disagreements(store, video.id)
    assert main(["disagreements", "--db", db]) == 0
    out = capsys.readouterr()
    lines = [line for line in out.out.splitlines() if "interaction frames" in line]
    assert len(lines) == 3 and all("not adjudicated" in line for line in lines)
    assert "differ on target" in lines[1] and "Ben -> group" in lines[1]
    # accept alice's version of the target dispute
    alices = found[1].a
    assert alices is not None
    assert main(["adjudicate", str(video.id), alices.label, "present", "--accept", str(alices.id),
                 "--adjudicator", "carol", "--db", db]) == 0
    (decision,) = store.interaction_adjudications(video.id)
    assert (decision.actor_id, decision.target_id, decision.start_frame, decision.end_frame) == (ben.id, ana.id, 80, 100)
    assert decision.evidence == f"accepted alice's (interaction {alices.id})"
    # her own decision on the presence dispute: no such interaction
    assert main(["adjudicate", str(video.id), "watches", "absent", "--actor", "Ana", "--target", "group",
                 "--start", "120", "--end", "140", "--adjudicator", "carol", "--db", db]) == 0
    own = [d for d in store.interaction_adjudications(video.id) if d.id != decision.id]
    assert [(d.state, d.evidence) for d in own] == [("absent", OWN)]
    capsys.readouterr()
    assert main(["disagreements", "--db", db]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "interaction frames" in line]
    assert ["adjudicated" in line and "not adjudicated" not in line for line in lines] == [False, True, True]
    # none withdraws it
    assert main(["adjudicate", str(video.id), "watches", "none", "--actor", "Ana", "--target", "group",
                 "--start", "120", "--end", "140", "--adjudicator", "carol", "--db", db]) == 0
    assert [d.id for d in store.interaction_adjudications(video.id)] == [decision.id]
    # a bad reference is one line, nothing changes
    assert main(["adjudicate", str(video.id), "asks", "present", "--actor", "Zed", "--target", "group",
                 "--start", "1", "--end", "5", "--adjudicator", "carol", "--db", db]) != 0
    assert "Zed" in capsys.readouterr().err
    assert len(store.interaction_adjudications(video.id)) == 1


def test_who_acts_is_a_part_of_its_own_and_unpaired_spans_are_presence() -> None:
    from hhir.learn.interaction_agreement import disagreements_between
    from hhir.types import Interaction

    def record(n: int, actor: int, start: int, end: int, who: str, state: str = "present") -> Interaction:
        return Interaction(n, 1, actor, "asks", "character", 9, start, end, state, who)

    alice = [record(1, 7, 0, 10, "alice"), record(2, 7, 50, 60, "alice")]
    bob = [record(3, 8, 1, 10, "bob"), record(4, 7, 54, 70, "bob")]  # tIoU 6/20 < 0.5: not the same event
    found = disagreements_between(alice, bob, ("alice", "bob"))
    assert [(d.parts, d.a.id if d.a else None, d.b.id if d.b else None) for d in found] == [
        (("actor",), 1, 3), (("presence",), 2, None), (("presence",), None, 4)]


@pytest.mark.postgresql
def test_a_decision_is_stored_and_undone_on_postgresql(pg_url: str) -> None:
    """The source check of migration 0008 admits ``adjudication:NAME`` on the server too."""
    store = Store(pg_url)
    try:
        video = add_scene(store, "/media/scene 0.mp4", "fp-pg", n_shots=2)
        store.set_people(video.id, [_track(0, range(0, 40, 10), 0.1), _track(0, range(0, 40, 10), 0.6)], [[0], [1]], "t")
        ana, ben = store.characters(video.id)
        store.add_interaction(video.id, ana.id, "asks", "character", ben.id, 0, 20, "alice")
        store.add_interaction(video.id, ana.id, "asks", "group", None, 0, 20, "bob")
        (dispute,) = interaction_disagreements(store, video.id)
        assert dispute.parts == ("target",)
        _change, decided = store.adjudicate_interaction(video.id, ana.id, "asks", "group", None, 0, 20, "present", "carol")
        assert store.interaction(decided).source == "adjudication:carol"
        assert interaction_disagreements(store, video.id)[0].decision is not None
        store.undo(video.id, "carol")
        assert store.interaction_adjudications(video.id) == []
    finally:
        store.close()


def test_the_analysis_suggestions_are_nobody_s_version(project) -> None:
    """Untouched pair suggestions (annotator @suggested, unreviewed) are neither a third annotator's
    version in the disagreements nor a side of the agreement."""
    from hhir.types import Interaction

    store, video, ana, ben = project
    before = interaction_disagreements(store, video.id)
    suggestion = Interaction(0, video.id, ana.id, "talks to", "character", ben.id, 0, 30, "unreviewed", "", "suggestion",
                             "p=0.50 · next speaker")
    assert store.replace_suggestions(video.id, [suggestion]) == (1, 0)
    assert any(i.annotator == "@suggested" for i in store.interactions(video.id))
    assert interaction_disagreements(store, video.id) == before
    assert [(a.annotator_a, a.annotator_b) for a in interaction_agreement(store, video.id)] == [("alice", "bob")]
