"""The seed layout: files open with the seed's own libraries, clips are frame-exact cuts, and a reader
doing what the seed's notebook does trains on it."""

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
    store.annotate(Target(video.id, clips[1].id), "no_interaction", AnnotationState.PRESENT, "ann")
    store.set_reviewed(Target(video.id, clips[1].id), "ann")
    return video, clips


def _codes(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        return [read_frame_code(f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]


def test_seed_export_opens_with_seed_libraries(store, coded_video: Path, tmp_path: Path) -> None:
    video, clips = _project(store, coded_video)
    report = export(store, "seed", tmp_path / "out", ExportOptions(test_fraction=0.0))
    scene = "Coded_scene-1"
    labels = pd.read_csv(tmp_path / "out" / "train_labels" / f"{scene}.csv")
    assert list(labels.columns) == ["Clip", "Interaction"]
    assert labels.values.tolist() == [[f"{scene}-clip0000", "talks to"], [f"{scene}-clip0000", "asks"],
                                      [f"{scene}-clip0001", "no_interaction"]]
    assert report.rows == 3 and len(clips) == 2
    for clip in clips:
        rel = Path(scene) / f"w{clip.index:04d}" / f"{scene}-clip{clip.index:04d}"
        mp4 = tmp_path / "out" / "clip_train" / rel.with_suffix(".mp4")
        assert _codes(mp4) == list(range(clip.start_frame, clip.end_frame))  # frame-exact cut
        with av.open(str(tmp_path / "out" / "audio_train" / rel.with_suffix(".mp3"))) as mp3:
            seconds = sum(f.samples for f in mp3.decode(audio=0)) / mp3.streams.audio[0].rate
        assert seconds == pytest.approx(clip.end_s - clip.start_s, abs=0.08)
    subs = pysrt.open(str(tmp_path / "out" / "dialogue_train" / Path(scene) / "w0000" / f"{scene}-clip0000.srt"), encoding="utf-8")
    assert [(s.start.ordinal, s.end.ordinal, s.text) for s in subs] == [(200, 900, "Hello."), (1000, 1300, "(laughs) Bye!")]
    later = pysrt.open(str(tmp_path / "out" / "dialogue_train" / Path(scene) / "w0001" / f"{scene}-clip0001.srt"), encoding="utf-8")
    # clip 1 starts at frame 12 (0.48 s): times are clip-relative and the first cue is clamped at 0
    assert [(s.start.ordinal, s.end.ordinal) for s in later] == [(0, 900 - 480), (1000 - 480, 1300 - 480)]
    assert not [p for p in (tmp_path / "out").rglob("*") if ".part" in p.name]


def test_cancelled_seed_export_leaves_nothing(store, coded_video: Path, tmp_path: Path) -> None:
    _project(store, coded_video)
    token = CancelToken()
    seen: list[float] = []

    def progress(fraction: float, message: str) -> None:
        seen.append(fraction)
        if fraction > 0.4:
            token.cancel()

    before = sorted(tmp_path.iterdir())
    with pytest.raises(Cancelled):
        export(store, "seed", tmp_path / "out", ExportOptions(test_fraction=0.0), progress, token)
    assert max(seen) > 0.4  # cancelled half-way, with clips already cut
    # the export was written beside the folder and is removed whole: no partial seed tree
    assert sorted(tmp_path.iterdir()) == before and not (tmp_path / "out").exists()


def test_missing_original_is_a_clear_error(store, tmp_path: Path) -> None:
    from hhir.errors import HHIRError
    from test_exchange_helpers import add_scene

    add_scene(store, str(tmp_path / "gone.mp4"), "fpgone")
    with pytest.raises(HHIRError, match=r"gone\.mp4: the original video is missing"):
        export(store, "seed", tmp_path / "out", ExportOptions())
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.*"))


def _labelled(store, path: Path, labels: dict[int, list[str]], reviewed: set[int]):
    """A video with its shots as clips; ``labels``: clip position -> present labels."""
    video, clips = _project(store, path)
    for a in store.annotations(video.id):
        store.annotate(a.target, a.label, None, a.annotator)
    for i in reviewed:
        store.set_reviewed(Target(video.id, clips[i].id), "ann")
    for i, names in labels.items():
        for name in names:
            store.annotate(Target(video.id, clips[i].id), name, AnnotationState.PRESENT, "ann")
    return video, clips


def test_seed_notebook_trains_on_the_export(store, tmp_path: Path) -> None:
    from seed_notebook_reader import read_labels, scene_labels

    # A movie name with "-" in it, and one that already reads <movie>-<part> as the seed's data does.
    dashed = make_video(tmp_path / "Super-Hero-2.mp4", SHOTS, speech=[(0.2, "One.")])
    plain = make_video(tmp_path / "SuperHero-2.mp4", SHOTS, speech=[(0.3, "Two.")])
    _labelled(store, dashed, {0: ["asks", "talks to"], 1: ["talks to"]}, reviewed=set())
    _, plain_clips = _labelled(store, plain, {0: ["watches", "yells at"], 1: ["no_interaction"]}, reviewed={1})
    report = export(store, "seed", tmp_path / "out", ExportOptions(test_fraction=0.0))
    scenes = scene_labels(tmp_path / "out", "train")
    # every scene's present labels, no_interaction where it is ticked, reach the notebook
    assert scenes == {"Super_Hero_2-1": {"asks", "talks to"}, "SuperHero-2": {"watches", "no_interaction"}}
    assert len(plain_clips) == 2
    labels = read_labels(tmp_path / "out", "train")
    assert labels["SuperHero-2-clip0001"] == "no_interaction"
    # one clip cannot carry two labels for the notebook: the CSV keeps both, and the report says so
    csv_rows = pd.read_csv(tmp_path / "out" / "train_labels" / "SuperHero-2.csv").values.tolist()
    assert ["SuperHero-2-clip0000", "watches"] in csv_rows and ["SuperHero-2-clip0000", "yells at"] in csv_rows
    assert any("one label per clip" in n and "2 further clip labels" in n for n in report.notes)
    assert any(n.startswith("SuperHero-2: label(s) yells at reach the seed's notebook on no clip") for n in report.notes)


def test_unreviewed_clips_are_left_out_files_and_all(store, tmp_path: Path, coded_video: Path) -> None:
    from seed_notebook_reader import scene_labels

    _labelled(store, coded_video, {1: ["gives to"]}, reviewed=set())
    report = export(store, "seed", tmp_path / "out", ExportOptions(test_fraction=0.0))
    assert [p.stem for p in (tmp_path / "out").rglob("*.mp4")] == ["Coded_scene-1-clip0001"]
    assert scene_labels(tmp_path / "out", "train") == {"Coded_scene-1": {"gives to"}}  # no -1 row to stop on
    assert any("1 unreviewed clips without a present label left out" in n for n in report.notes)


def test_export_reads_back_as_seed_labels(store, tmp_path: Path, coded_video: Path) -> None:
    from hhir.exchange import ImportOptions, import_

    video, clips = _project(store, coded_video)
    export(store, "seed", tmp_path / "out", ExportOptions(test_fraction=0.0))
    report = import_(store, "seed", tmp_path / "out" / "train_labels", ImportOptions(annotator="ann"))
    assert report.conflicts == () and report.unchanged == 3 and report.annotations_written == 0


def test_a_reviewed_clip_with_nothing_ticked_is_not_given_no_interaction(store, tmp_path: Path, coded_video: Path) -> None:
    """One rule in every format: no_interaction is present where it is ticked; a reviewed clip with
    nothing ticked has it absent (as the manifest, Label Studio and EAF say), so the seed layout,
    which needs a present label per clip, leaves that clip out and says so."""
    from hhir.exchange.manifest_read import read_manifest

    video, clips = _labelled(store, coded_video, {0: ["asks"]}, reviewed={1})
    report = export(store, "seed", tmp_path / "out", ExportOptions(test_fraction=0.0))
    assert [p.stem for p in (tmp_path / "out").rglob("*.mp4")] == ["Coded_scene-1-clip0000"]
    assert any(n.startswith("1 reviewed clips with no label present left out") for n in report.notes)
    export(store, "manifest", tmp_path / "manifest", ExportOptions(encoders=(("text", "none"),)))
    manifest = read_manifest(tmp_path / "manifest")
    row = next(r for r in manifest.rows if r.clip_index == clips[1].index)
    assert row.values[manifest.labels.index("no_interaction")] == 0


def test_a_single_video_is_refused_with_the_reason_unless_no_test_split_is_asked(store, tmp_path: Path, coded_video: Path) -> None:
    from hhir.errors import HHIRError

    _project(store, coded_video)
    with pytest.raises(HHIRError, match=r"all in the train split: the seed's notebook trains on clip_train/ and its test cell reads clip_test/"):
        export(store, "seed", tmp_path / "out", ExportOptions(test_fraction=0.2))
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.*"))  # refused before any cut
    report = export(store, "seed", tmp_path / "train-only", ExportOptions(test_fraction=0.0))
    assert report.rows == 3 and (tmp_path / "train-only" / "clip_train").is_dir()


def test_two_labelled_videos_give_the_test_cell_its_clips(store, tmp_path: Path) -> None:
    from seed_notebook_reader import scene_labels

    for name in ("One-1.mp4", "Two-1.mp4"):
        _labelled(store, make_video(tmp_path / name, SHOTS, speech=[(0.2, name[:3])]), {0: ["asks"]}, reviewed=set())
    export(store, "seed", tmp_path / "out", ExportOptions(test_fraction=0.5))
    assert len(scene_labels(tmp_path / "out", "train")) == len(scene_labels(tmp_path / "out", "test")) == 1
