"""Scene lists: written by PySceneDetect's writer, read back by the scenedetect CLI, conflicts named."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from hhir.exchange import ExportOptions, ImportOptions, export, import_
from hhir.media.probe import probe
from hhir.store import Store
from hhir.types import Shot
from media_factory import make_video

FPS = 25.0


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("media") / "cuts.mp4", [(30, "code"), (20, "code"), (25, "code")])


def _shots(edges: list[int]) -> list[Shot]:
    return [Shot(i, a, b, a / FPS, b / FPS) for i, (a, b) in enumerate(zip(edges, edges[1:]))]


def _rows(path: Path) -> list[tuple[int, int]]:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))[2:]
    return [(int(r[1]), int(r[4])) for r in rows if r]


def test_scenedetect_reads_our_list_as_we_wrote_it(film: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "p.sqlite")
    video = store.add_video(probe(film))
    store.set_shots(video.id, _shots([0, 30, 50, 74]))  # our last shot one frame short of the file's end
    export(store, "shots", tmp_path / "ours", ExportOptions())
    ours = tmp_path / "ours" / "cuts-Scenes.csv"
    done = subprocess.run([sys.executable, "-m", "scenedetect", "-i", str(film), "-o", str(tmp_path / "theirs"), "-q",
                           "load-scenes", "-i", str(ours), "list-scenes"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    theirs = _rows(next((tmp_path / "theirs").glob("*.csv")))
    assert theirs == _rows(ours) == [(1, 30), (31, 50), (51, 75)]  # PySceneDetect ends the last scene at the file's end
    assert ours.read_text().splitlines()[0] == "Timecode List:,00:00:01.200,00:00:02.000"
    store.close()


def test_shot_conflict_names_the_cut_that_differs(film: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "p.sqlite")
    video = store.add_video(probe(film))
    store.set_shots(video.id, _shots([0, 30, 50, 75]))
    other = Store(tmp_path / "q.sqlite")
    moved = other.add_video(probe(film))
    other.set_shots(moved.id, _shots([0, 32, 50, 75]))
    export(other, "shots", tmp_path / "file", ExportOptions())
    report = import_(store, "shots", tmp_path / "file" / "cuts-Scenes.csv", ImportOptions(video_id=video.id))
    assert [(c.existing, c.imported) for c in report.conflicts] == [
        ("3 shots, cut at frame 30 (1.200 s)", "3 shots, no cut at frame 30 (next at 32)")]
    assert [(s.start_frame, s.end_frame) for s in store.shots(video.id)] == [(0, 30), (30, 50), (50, 75)]
    store.close(), other.close()


def test_our_scene_list_and_scenedetects_copy_import_back_unchanged(film: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "p.sqlite")
    video = store.add_video(probe(film))
    store.set_shots(video.id, _shots([0, 30, 50, 75]))
    export(store, "shots", tmp_path / "ours", ExportOptions())
    ours = tmp_path / "ours" / "cuts-Scenes.csv"
    report = import_(store, "shots", ours, ImportOptions(video_id=video.id))
    assert (report.conflicts, report.shots_written) == ((), 0)
    done = subprocess.run([sys.executable, "-m", "scenedetect", "-i", str(film), "-o", str(tmp_path / "theirs"), "-q",
                           "load-scenes", "-i", str(ours), "list-scenes"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = import_(store, "shots", next((tmp_path / "theirs").glob("*.csv")), ImportOptions(video_id=video.id))
    assert (report.conflicts, report.shots_written) == ((), 0)
    store.close()


def test_a_list_ending_one_past_the_decoded_frames_ends_at_the_last_decoded_frame(film: Path, tmp_path: Path) -> None:
    from hhir.exchange.scenes import scene_list_csv

    store = Store(tmp_path / "p.sqlite")
    video = store.add_video(probe(film))
    assert video.frame_count == 75
    store.set_shots(video.id, _shots([0, 30, 50, 75]))
    # PySceneDetect's length from the duration can count one frame more than are decoded.
    theirs = tmp_path / "cuts-Scenes.csv"
    theirs.write_text(scene_list_csv(tuple(_shots([0, 32, 50, 75])), FPS, end_frame=76))
    report = import_(store, "shots", theirs, ImportOptions(video_id=video.id, replace=True))
    assert (report.replaced, report.shots_written) == (1, 3)
    assert [(s.start_frame, s.end_frame) for s in store.shots(video.id)] == [(0, 32), (32, 50), (50, 75)]
    store.close()


def test_cli_replace_says_what_it_replaced(film: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from hhir.cli import main

    db = str(tmp_path / "p.sqlite")
    store = Store(db)
    video = store.add_video(probe(film))
    store.set_shots(video.id, _shots([0, 30, 50, 75]))
    store.close()
    other = Store(tmp_path / "q.sqlite")
    moved = other.add_video(probe(film))
    other.set_shots(moved.id, _shots([0, 32, 50, 75]))
    export(other, "shots", tmp_path / "file", ExportOptions())
    other.close()
    assert main(["import", "--format", "shots", str(tmp_path / "file" / "cuts-Scenes.csv"), "--db", db, "--replace"]) == 0
    out = capsys.readouterr()
    assert "3 shots written" in out.out and "(1 replaced)" in out.out
    assert "cut at frame 30" in out.err
