"""The whole analysis on generated media with known cuts and speech, through the real models."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from hhir.errors import MediaError
from hhir.jobs import CancelToken, Cancelled
from hhir.pipeline import AnalysisOptions, analyze, video_result
from hhir.store import Store

CUTS_S = [40 / 25, 75 / 25, 120 / 25, 150 / 25]


class CountingStore(Store):
    """The real store, counting how many feature rows each run writes."""

    feature_rows = 0

    def put_features(self, rows):
        CountingStore.feature_rows += len(rows)
        return super().put_features(rows)


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory, scene_video):
    db = CountingStore(tmp_path_factory.mktemp("db") / "p.sqlite")
    video_id = analyze(db, scene_video)
    yield db, video_id
    db.close()


def test_shots_clips_transcript_and_starter_predictions(analyzed):
    db, video_id = analyzed
    result = video_result(db, video_id)
    assert result["frame_count"] == 200 and result["has_audio"] is True
    starts = [s["start_s"] for s in result["shots"][1:]]
    assert len(starts) == 4 and all(abs(a - b) <= 1 / 25 + 1e-6 for a, b in zip(starts, CUTS_S))
    assert [(c["first_shot"], c["last_shot"]) for c in result["clips"]] == [(0, 2), (1, 3), (2, 4)]
    words = " ".join(t["text"].lower() for t in result["transcript"])
    assert "station" in words and "bridge" in words
    assert "station" in result["clips"][0]["text"].lower()
    preds = result["predictions"]
    assert preds["model"]["kind"] == "starter"
    labels = {label.name for label in db.labels()}
    assert set(preds["scene"]) == labels
    assert [c["clip"] for c in preds["clips"]] == [0, 1, 2]
    assert all(0.0 <= p <= 1.0 for c in preds["clips"] for p in c["scores"].values())


def test_manifest_export_carries_the_cached_features_by_default(analyzed, tmp_path):
    from hhir.exchange import ExportOptions, export, read_manifest

    db, video_id = analyzed
    export(db, "manifest", tmp_path / "m", ExportOptions())
    manifest = read_manifest(tmp_path / "m")
    assert set(manifest.encoders) == {"video", "text", "audio"}
    clip_rows = [i for i, row in enumerate(manifest.rows) if not row.is_scene]
    assert clip_rows and all(manifest.present[m][i] for m in ("video", "text", "audio") for i in clip_rows)
    assert manifest.features["video"].shape[1] == 1024 and manifest.features["text"].shape[1] == 384


def test_second_run_recomputes_nothing(analyzed):
    db, video_id = analyzed
    before = CountingStore.feature_rows
    assert analyze(db, db.video(video_id).path) == video_id
    assert CountingStore.feature_rows == before


def test_moved_file_is_the_same_video(analyzed, tmp_path):
    db, video_id = analyzed
    moved = shutil.copy(db.video(video_id).path, tmp_path / "renamed copy.mp4")
    assert analyze(db, moved) == video_id
    assert len(db.videos()) == 1


def test_cancel_keeps_finished_stages_and_resumes(tmp_path, scene_video):
    db = CountingStore(tmp_path / "p.sqlite")
    token = CancelToken()

    def progress(fraction: float, message: str) -> None:
        if fraction >= 0.45:  # inside the feature stage: shots, clips and transcript are committed
            token.cancel()

    with pytest.raises(Cancelled):
        analyze(db, scene_video, progress=progress, cancel=token)
    (video,) = db.videos()
    assert len(db.shots(video.id)) == 5 and db.transcript(video.id)
    key = AnalysisOptions().key("detector", "threshold")
    assert db.stage_done(video.id, "shots", key)
    analyze(db, scene_video)
    assert video_result(db, video.id)["predictions"] is not None


def test_not_a_video_changes_nothing(tmp_path, store):
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("this is a text file, not a video\n")
    with pytest.raises(MediaError) as err:
        analyze(store, bogus)
    assert "notes.mp4" in str(err.value)
    assert store.videos() == []


@pytest.mark.parametrize("name", ["-leading dash.mp4", "naïve café ünïcode.mp4"])
def test_hostile_names_no_audio_and_two_shots(tmp_path, name):
    from media_factory import make_video

    path = make_video(tmp_path / name, [(30, "red"), (30, "blue")], audio=False)
    db = Store(tmp_path / "p.sqlite")
    result = video_result(db, analyze(db, path))
    assert result["has_audio"] is False and result["transcript"] == []
    assert len(result["shots"]) == 2
    assert [(c["first_shot"], c["last_shot"]) for c in result["clips"]] == [(0, 1)]
    assert result["predictions"] is not None
    db.close()


@pytest.mark.slow
def test_cli_json(tmp_path, scene_video):
    out = tmp_path / "out.json"
    db = tmp_path / "cli.sqlite"
    proc = subprocess.run([sys.executable, "-m", "hhir.cli", "analyze", str(scene_video), "--db", str(db), "--json", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    (video,) = json.loads(out.read_text())["videos"]
    assert {"path", "duration_s", "fps", "frame_count", "width", "height", "has_audio", "shots", "clips", "transcript",
            "predictions"} <= set(video)
    assert video["predictions"]["model"]["kind"] == "starter"
    assert "starter" in proc.stderr


def test_cli_bad_file_names_it(tmp_path):
    bogus = tmp_path / "broken.mp4"
    bogus.write_bytes(b"\x00" * 100)
    proc = subprocess.run([sys.executable, "-m", "hhir.cli", "analyze", str(bogus), "--db", str(tmp_path / "x.sqlite")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "broken.mp4" in proc.stderr and "Traceback" not in proc.stderr


def test_user_set_shots_and_transcript_survive_reanalysis(tmp_path, scene_video):
    from hhir.pipeline import replace_shots, replace_transcript
    from hhir.segment.shots import merge_shots
    from hhir.types import TranscriptSegment

    db = Store(tmp_path / "p.sqlite")
    video_id = analyze(db, scene_video)
    merged = merge_shots(db.shots(video_id), 0)
    clips = replace_shots(db, video_id, merged)
    assert [(c.first_shot, c.last_shot) for c in clips] == [(0, 2), (1, 3)]
    replace_transcript(db, video_id, [TranscriptSegment(0.2, 2.0, "Could you pass the salt?")])
    analyze(db, scene_video)
    assert [(s.start_frame, s.end_frame) for s in db.shots(video_id)] == [(s.start_frame, s.end_frame) for s in merged]
    assert [t.text for t in db.transcript(video_id)] == ["Could you pass the salt?"]
    assert db.clips(video_id)[0].text == "Could you pass the salt?"
    db.close()


def _speech_threads() -> list:
    import threading

    return [t for t in threading.enumerate() if t.name.startswith("hhir-speech")]


def test_speech_is_recognised_beside_shot_detection(tmp_path, scene_video, monkeypatch):
    """The transcript runs on a worker thread while the main thread detects shots; both land."""
    import threading

    from hhir.pipeline import run as pipeline_run
    from hhir.segment import shots as shots_module

    seen: dict[str, str] = {}
    real_transcriber, real_detect = pipeline_run.transcriber, shots_module.detect_shots_and_frames

    def transcriber(model):
        seen["speech"] = threading.current_thread().name
        return real_transcriber(model)

    def detect_shots(*args, **kwargs):
        seen["shots"] = threading.current_thread().name
        return real_detect(*args, **kwargs)

    monkeypatch.setattr(pipeline_run, "transcriber", transcriber)
    monkeypatch.setattr(shots_module, "detect_shots_and_frames", detect_shots)
    db = Store(tmp_path / "p.sqlite")
    steps: list[float] = []
    video_id = analyze(db, scene_video, progress=lambda f, m: steps.append(f))
    assert seen["shots"] == threading.main_thread().name
    assert seen["speech"].startswith("hhir-speech")
    assert "station" in " ".join(s.text for s in db.transcript(video_id)).lower()
    assert len(db.shots(video_id)) == 5 and steps[-1] == 1.0
    assert not _speech_threads()
    db.close()


def test_failed_shot_detection_stops_the_speech_worker_and_stores_no_transcript(tmp_path, scene_video, monkeypatch):
    from hhir.segment import shots as shots_module

    def broken(path, *args, **kwargs):
        raise MediaError(path, "cannot decode the video for shot detection (test)")

    monkeypatch.setattr(shots_module, "detect_shots_and_frames", broken)
    db = Store(tmp_path / "p.sqlite")
    with pytest.raises(MediaError, match="shot detection"):
        analyze(db, scene_video)
    assert db.videos() == []  # a new video gets its row with its shots: nothing of it is stored
    assert not _speech_threads()
    db.close()


def test_cancel_during_shot_detection_stops_both(tmp_path, scene_video):
    db = Store(tmp_path / "p.sqlite")
    token = CancelToken()

    def progress(fraction: float, message: str) -> None:
        if "shots" in message.lower():
            token.cancel()

    with pytest.raises(Cancelled):
        analyze(db, scene_video, progress=progress, cancel=token)
    assert db.videos() == []  # cancelled before its first stage finished: nothing stored
    assert not _speech_threads()
    db.close()


def _asr_model() -> str:
    from hhir.models.profiles import get_profile

    return get_profile("offline").asr_model
