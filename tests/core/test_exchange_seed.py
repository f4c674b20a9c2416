"""The seed layout: files open with the seed's own libraries and clips are frame-exact cuts."""

from __future__ import annotations

from pathlib import Path

import av
import pandas as pd
import pysrt
import pytest

from hhir.exchange import ExportOptions, export
from hhir.jobs import CancelToken, Cancelled
from hhir.media.probe import probe
from hhir.segment.clips import build_clips
from hhir.types import AnnotationState, Shot, Target, TranscriptSegment
from media_factory import make_video, read_frame_code

SHOTS = [(12, "code"), (10, "code"), (14, "code"), (9, "code")]


@pytest.fixture(scope="module")
def coded_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("media") / "Coded scene!.mp4", SHOTS, speech=[(0.2, "Hello.")])


def _project(store, path: Path):
    video = store.add_video(probe(path))
    bounds, start = [], 0
    for i, (n, _) in enumerate(SHOTS):
        bounds.append(Shot(i, start, start + n, start / video.fps, (start + n) / video.fps))
        start += n
    store.set_shots(video.id, bounds)
    clips = store.set_clips(video.id, build_clips(bounds))
    store.set_transcript(video.id, [TranscriptSegment(0.2, 0.9, "Hello."), TranscriptSegment(1.0, 1.3, "(laughs) Bye!")])
    store.annotate(Target(video.id, clips[0].id), "talks to", AnnotationState.PRESENT, "ann")
    store.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.PRESENT, "ann")
    store.annotate(Target(video.id, clips[1].id), "watches", AnnotationState.ABSENT, "ann")
    return video, clips


def _codes(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        return [read_frame_code(f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]


def test_seed_export_opens_with_seed_libraries(store, coded_video: Path, tmp_path: Path) -> None:
    video, clips = _project(store, coded_video)
    report = export(store, "seed", tmp_path / "out", ExportOptions(test_fraction=0.0))
    scene = "Coded_scene"
    labels = pd.read_csv(tmp_path / "out" / "train_labels" / f"{scene}.csv")
    assert list(labels.columns) == ["Clip", "Interaction"]
    assert labels.values.tolist() == [[f"{scene}_clip0000", "asks"], [f"{scene}_clip0000", "talks to"]]
    assert report.rows == 2 and len(clips) == 2
    for clip in clips:
        rel = Path(scene) / f"w{clip.index:04d}" / f"{scene}_clip{clip.index:04d}"
        mp4 = tmp_path / "out" / "clip_train" / rel.with_suffix(".mp4")
        assert _codes(mp4) == list(range(clip.start_frame, clip.end_frame))  # frame-exact cut
        with av.open(str(tmp_path / "out" / "audio_train" / rel.with_suffix(".mp3"))) as mp3:
            seconds = sum(f.samples for f in mp3.decode(audio=0)) / mp3.streams.audio[0].rate
        assert seconds == pytest.approx(clip.end_s - clip.start_s, abs=0.08)
    subs = pysrt.open(str(tmp_path / "out" / "dialogue_train" / Path(scene) / "w0000" / f"{scene}_clip0000.srt"), encoding="utf-8")
    assert [(s.start.ordinal, s.end.ordinal, s.text) for s in subs] == [(200, 900, "Hello."), (1000, 1300, "(laughs) Bye!")]
    later = pysrt.open(str(tmp_path / "out" / "dialogue_train" / Path(scene) / "w0001" / f"{scene}_clip0001.srt"), encoding="utf-8")
    # clip 1 starts at frame 12 (0.48 s): times are clip-relative and the first cue is clamped at 0
    assert [(s.start.ordinal, s.end.ordinal) for s in later] == [(0, 900 - 480), (1000 - 480, 1300 - 480)]
    assert not [p for p in (tmp_path / "out").rglob("*") if ".part" in p.name]


def test_cancelled_seed_export_leaves_only_whole_files(store, coded_video: Path, tmp_path: Path) -> None:
    _project(store, coded_video)
    token = CancelToken()
    seen: list[str] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(message)
        if fraction > 0.4:
            token.cancel()

    with pytest.raises(Cancelled):
        export(store, "seed", tmp_path / "out", ExportOptions(test_fraction=0.0), progress, token)
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert files and not [p for p in files if ".part" in p.name]
    for mp4 in (p for p in files if p.suffix == ".mp4"):
        assert _codes(mp4)  # every clip that exists decodes
    assert not list((tmp_path / "out").rglob("*.csv"))  # labels come after the clips they name


def test_missing_original_is_a_clear_error(store, tmp_path: Path) -> None:
    from hhir.errors import HHIRError
    from test_exchange_helpers import add_scene

    add_scene(store, str(tmp_path / "gone.mp4"), "fpgone")
    with pytest.raises(HHIRError, match=r"gone\.mp4: the original video is missing"):
        export(store, "seed", tmp_path / "out", ExportOptions())
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.*"))
