"""Corpus analysis on a local Ray (``ray.init(num_cpus=2)``): a worker SIGKILLed mid-video is
retried without duplicate rows; a cancelled corpus resumes where it stopped."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

from hhir.cluster import analyze_corpus
from hhir.jobs import CancelToken
from hhir.store import Store

ray = pytest.importorskip("ray", reason="Ray is the optional [cluster] extra (make setup installs it)")
pytestmark = pytest.mark.slow
COLOURS = ["green", "yellow", "magenta", "cyan"]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three short silent films of three shots each (hard cuts at frames 20 and 40)."""
    from media_factory import make_video

    folder = tmp_path_factory.mktemp("corpus")
    return [make_video(folder / f"film {i}.mp4", [(20, "red"), (20, "blue"), (20, COLOURS[i])], audio=False) for i in range(3)]


def _rows(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("videos", "shots", "clips", "stages", "predictions")}
    finally:
        conn.close()


def test_a_worker_killed_mid_video_is_retried_without_duplicates(local_ray, corpus: list[Path], tmp_path: Path) -> None:
    db = tmp_path / "project.sqlite"
    Store(db).close()
    killed: list[str] = []

    def kill_one(states) -> None:
        for s in states:
            if not killed and s.state == "running" and s.fraction > 0.3 and s.pid:
                os.kill(s.pid, signal.SIGKILL)
                killed.append(s.path)

    run = analyze_corpus(db, corpus, workers=2, progress=kill_one)
    assert killed and run.counts["done"] == 3, [(v.path, v.state, v.error) for v in run.videos]
    attempts = {Path(v.path).name: v.attempts for v in run.videos}
    assert attempts[Path(killed[0]).name] == 2 and sorted(attempts.values()) == [1, 1, 2]
    rows = _rows(db)
    store = Store(db)
    videos = store.videos()
    assert sorted(Path(v.path).name for v in videos) == sorted(p.name for p in corpus)
    assert [len(store.shots(v.id)) for v in videos] == [3, 3, 3]
    store.close()
    # Analyzing the same corpus again in one process adds nothing: the retried video was complete and single.
    again = tmp_path / "reference.sqlite"
    from hhir.pipeline import analyze

    reference = Store(again)
    for path in corpus:
        analyze(reference, path)
    reference.close()
    assert rows == _rows(again)


def test_a_cancelled_corpus_resumes_where_it_stopped(local_ray, corpus: list[Path], tmp_path: Path) -> None:
    db = tmp_path / "project.sqlite"
    Store(db).close()
    token = CancelToken()

    def cancel_midway(states) -> None:
        if any(s.state == "running" and s.fraction > 0.3 for s in states):
            token.cancel()

    first = analyze_corpus(db, corpus[:2], workers=1, progress=cancel_midway, cancel=token)
    assert first.cancelled and first.counts["done"] < 2 and first.counts["cancelled"] >= 1
    conn = sqlite3.connect(db)
    kept = dict(conn.execute("SELECT video_id || ':' || stage, done_at FROM stages").fetchall())
    conn.close()
    second = analyze_corpus(db, corpus[:2], workers=1)
    assert second.counts["done"] == 2 and not second.cancelled
    conn = sqlite3.connect(db)
    now = dict(conn.execute("SELECT video_id || ':' || stage, done_at FROM stages").fetchall())
    conn.close()
    assert kept and all(now[key] == done for key, done in kept.items())  # finished stages were not redone
    assert len(now) > len(kept)


def test_a_sqlite_project_is_refused_for_a_remote_cluster(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from hhir.cli import main

    db = tmp_path / "project.sqlite"
    assert main(["analyze", "--ray", "127.0.0.1:6379", "--db", str(db), str(tmp_path / "film.mp4")]) == 2
    err = capsys.readouterr().err
    assert "only be analyzed on the local Ray (--ray auto)" in err and "postgresql://" in err and "Traceback" not in err


@pytest.mark.postgresql
def test_workers_write_straight_into_a_team_database(local_ray, corpus: list[Path], pg_url: str) -> None:
    run = analyze_corpus(pg_url, corpus[:2], workers=2)
    assert run.counts["done"] == 2, [(v.path, v.state, v.error) for v in run.videos]
    store = Store(pg_url)
    videos = store.videos()
    assert sorted(Path(v.path).name for v in videos) == sorted(p.name for p in corpus[:2])
    assert all(len(store.shots(v.id)) == 3 and store.clips(v.id) for v in videos)
    assert {v.video_id for v in run.videos} == {v.id for v in videos}
    store.close()
