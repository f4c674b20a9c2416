"""People through the whole analysis: ``hhir analyze`` on a real two-person video, the CLI, the starter."""

from __future__ import annotations

import numpy as np
import pytest
from people_media import SHOTS, make_people_video

from hhir.pipeline import AnalysisOptions, analyze, video_result
from hhir.store import Store


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("people")
    path = make_people_video(folder / "two people.mp4")
    store = Store(folder / "p.hhir")
    video_id = analyze(store, path, AnalysisOptions())
    yield store, video_id, path
    store.close()


def test_two_characters_with_tracks_in_their_shots(analyzed):
    store, video_id, _ = analyzed
    shots = store.shots(video_id)
    assert [(s.start_frame, s.end_frame) for s in shots] == [(0, 30), (30, 60), (60, 90), (90, 120)]
    chars = store.characters(video_id)
    tracks = store.person_tracks(video_id)
    assert len(chars) == 2 and not any(c.confirmed for c in chars)
    per_character = [sorted(t.shot_index for t in tracks if t.character_id == c.id) for c in chars]
    # SHOTS: both in shots 0 and 3, one alone in shot 1, the other alone in shot 2
    assert sorted(per_character) == [[0, 1, 3], [0, 2, 3]]
    for t in tracks:
        shot = shots[t.shot_index]
        assert shot.start_frame <= t.start_frame <= t.end_frame < shot.end_frame
        assert all(b.source == "detector" for b in t.boxes)
    people = video_result(store, video_id)["people"]
    assert [p["person"] for p in people] == [1, 2] and sum(len(p["tracks"]) for p in people) == len(tracks) == 6


def test_the_starter_counts_people_from_the_tracks(analyzed):
    from hhir.pipeline.feature_cache import cached_clip_features
    from hhir.scoring import starter
    from hhir.scoring.starter.cues import CUE_NAMES
    from hhir.scoring.starter.people import video_tracks, with_people

    store, video_id, _ = analyzed
    clips = store.clips(video_id)
    cues = cached_clip_features(store, store.video(video_id), clips, {"cues": starter.CUES_ID})["cues"]
    counted = with_people(cues, clips, video_tracks(store, video_id))
    col = CUE_NAMES.index("people_max")
    expected = [max(len(SHOTS[i][1]) for i in range(c.first_shot, c.last_shot + 1)) for c in clips]
    assert list(counted[:, col]) == expected
    assert np.all(counted[:, CUE_NAMES.index("faces_max")] >= 1)


def test_reanalysis_keeps_the_people_and_a_persons_names(analyzed):  # runs before the CLI test, which replaces them
    store, video_id, path = analyzed
    before = store.person_tracks(video_id)
    first = store.characters(video_id)[0]
    store.name_character(first.id, "Grace", "ann")
    analyze(store, path, AnalysisOptions())
    assert store.person_tracks(video_id) == before
    assert store.characters(video_id)[0].name == "Grace"
    store.undo(video_id, "ann")
    assert store.characters(video_id)[0].name is None


def test_cli_lists_names_exports_and_imports_people(analyzed, tmp_path, capsys):
    from hhir.cli import main

    store, video_id, _ = analyzed
    db = str(store.path)
    assert main(["people", "list", str(video_id), "--db", db]) == 0
    listed = capsys.readouterr().out
    assert listed.count("person ") == 2 and listed.count("track ") == 6 and "suggested" in listed
    assert main(["people", "name", str(video_id), "2", "Ada", "--annotator", "cli", "--db", db]) == 0
    assert store.characters(video_id)[1].name == "Ada"
    assert main(["people", "name", str(video_id), "7", "Nobody", "--db", db]) == 2
    before = store.person_tracks(video_id)
    out = tmp_path / "people.json"
    assert main(["people", "export", str(video_id), str(out), "--format", "vidor", "--db", db]) == 0
    assert main(["people", "import", str(video_id), str(out), "--format", "vidor", "--db", db]) == 2  # a person named someone
    assert main(["people", "import", str(video_id), str(out), "--format", "vidor", "--replace", "--db", db]) == 0
    after = store.person_tracks(video_id)
    assert [[b.frame for b in t.boxes] for t in after] == [[b.frame for b in t.boxes] for t in before]
    assert store.characters(video_id)[1].name == "Ada"


def test_no_people_option_skips_the_stage(tmp_path):
    from media_factory import make_video

    path = make_video(tmp_path / "plain.mp4", [(20, "red"), (20, "blue")], audio=False)
    with Store(tmp_path / "q.hhir") as store:
        video_id = analyze(store, path, AnalysisOptions(people=False))
        assert store.person_tracks(video_id) == [] and not store.stage_params("people")
        assert video_result(store, video_id)["people"] == []
