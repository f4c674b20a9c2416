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
