"""The whole app, killed: the real window labels while an analysis and a training run in child
processes and an export runs in its own process, another process opens and closes the project in
a loop, and the app is SIGKILLed at random moments (tests/app_kill.py; the long run of the same
harness is ``python bench/reliability.py app-kills``)."""

from __future__ import annotations

import sys

import pytest

KILLS = 3


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/fd; SIGKILL is POSIX")
def test_the_app_killed_at_random_moments_loses_no_confirmed_edit_and_keeps_its_wal(tmp_path):
    from app_kill import make_project, run_kills

    db, video = make_project(tmp_path / "project")
    figures = run_kills(db, video, tmp_path / "exports", KILLS, seed=23, max_delay_s=8.0)
    assert figures.kills == KILLS and figures.lives_up == KILLS, figures.problems
    assert figures.confirmed > 0, "no edit was confirmed before the kills: nothing was tested"
    assert figures.integrity_failures == 0, figures.problems
    assert figures.lost == 0, figures.problems
    assert figures.fd_samples > 0 and figures.deleted_wal_sightings == 0
