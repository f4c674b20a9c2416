"""``hhir disagreements``, ``hhir adjudicate`` and ``hhir agreement`` on the live project, on a
SQLite file and on the PostgreSQL server."""

from __future__ import annotations

import pytest

from hhir.cli import main
from hhir.store import Store
from hhir.types import AnnotationState, Clip, Target, VideoInfo

BOTH_BACKENDS = True
P, A = AnnotationState.PRESENT, AnnotationState.ABSENT


def test_disagreements_adjudicate_and_agreement_read_the_live_project(store: Store, capsys: pytest.CaptureFixture) -> None:
    db = store.reopen_value()
    v = store.add_video(VideoInfo("/f/cli.mp4", 9.0, 25.0, 225, 160, 120, False, fingerprint="fp-cli-team"))
    clips = store.set_clips(v.id, [Clip(i, i, i, float(i * 3), float(i * 3 + 3), i * 75, i * 75 + 75) for i in range(3)])
    for who, state in (("ana", P), ("ben", A)):
        store.annotate(Target(v.id, clips[1].id), "asks", state, who)
        store.annotate(Target(v.id, clips[0].id), "asks", P, who)
    assert main(["disagreements", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"video {v.id} clip {clips[1].id} (3.0-6.0 s) 'asks': ana present, ben absent; not adjudicated"
    assert main(["adjudicate", "--db", db, str(v.id), "asks", "absent", "--clip", str(clips[1].id), "--adjudicator", "carla"]) == 0
    assert "adjudicated by carla" in capsys.readouterr().out
    [decision] = store.adjudications(v.id)  # the open Store sees the other process's commit at once
    assert (decision.target.clip_id, decision.state, decision.adjudicator) == (clips[1].id, A, "carla")
    assert main(["disagreements", "--db", db]) == 0
    assert capsys.readouterr().out.strip().endswith("; adjudicated: absent")
    assert main(["agreement", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "annotators: ana, ben" in out and "carla" not in out and "@adjudicated" not in out


def test_adjudicate_names_the_clip_it_was_given_and_the_policy_decides_who_may(store: Store, capsys: pytest.CaptureFixture) -> None:
    db = store.reopen_value()
    first = store.add_video(VideoInfo("/f/one.mp4", 9.0, 25.0, 225, 160, 120, False, fingerprint="fp-one"))
    store.set_clips(first.id, [Clip(i, i, i, float(i * 3), float(i * 3 + 3), i * 75, i * 75 + 75) for i in range(3)])
    v = store.add_video(VideoInfo("/f/two.mp4", 9.0, 25.0, 225, 160, 120, False, fingerprint="fp-two"))
    clips = store.set_clips(v.id, [Clip(i, i, i, float(i * 3), float(i * 3 + 3), i * 75, i * 75 + 75) for i in range(3)])
    disputed = clips[1]
    assert disputed.index + 1 != disputed.id  # the id and the position differ: the bug printed the position
    for who, state in (("ana", P), ("ben", A)):
        store.annotate(Target(v.id, disputed.id), "asks", state, who)

    # the default policy: an annotator of the disagreement cannot settle it
    assert main(["adjudication-policy", "--db", db]) == 0
    assert capsys.readouterr().out.startswith("adjudication policy: others")
    assert main(["adjudicate", "--db", db, str(v.id), "asks", "present", "--clip", str(disputed.id), "--adjudicator", "ana"]) == 2
    err = capsys.readouterr().err
    assert "ana decided 'asks' on clip" in err and "someone else adjudicates it" in err and len(err.strip().splitlines()) == 1
    assert store.adjudications(v.id) == []

    assert main(["adjudicate", "--db", db, str(v.id), "asks", "absent", "--clip", str(disputed.id), "--adjudicator", "carla"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == f"adjudicated by carla: video {v.id} clip {disputed.id} (3.0-6.0 s) 'asks': absent"

    # the project allows annotators to settle their own: ana may now, and it is the project's setting
    assert main(["adjudication-policy", "anyone", "--db", db]) == 0
    assert capsys.readouterr().out.startswith("adjudication policy: anyone")
    assert store.adjudication_policy() == "anyone"
    assert main(["adjudicate", "--db", db, str(v.id), "asks", "present", "--clip", str(disputed.id), "--adjudicator", "ana"]) == 0
    capsys.readouterr()
    [decision] = store.adjudications(v.id)
    assert (decision.state, decision.adjudicator) == (P, "ana")
