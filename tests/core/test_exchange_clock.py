"""Exported times are on the stream's own clock: the presentation time PyAV decodes for the frame.

Real files made by PyAV: a video stream starting 0.036 s and 0.5 s after the container (audio
first, as in real files), and a variable frame rate. Every exported start and end of a shot or
clip (EAF read by pympi, the scene list, Label Studio tasks, AVA keyframe seconds) is compared
with the ``pts`` of the decoded frame it names; imports take a time within half a frame.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from hhir.errors import ImportFormatError
from hhir.exchange import ExportOptions, ImportOptions, export, import_
from hhir.media.probe import probe
from hhir.segment.clips import build_clips
from hhir.store import Store
from hhir.types import AnnotationState, Shot, Target
from media_factory import make_timed_video

EDGES = [0, 20, 45, 60, 80]


def _late(offset: float) -> list[float]:
    return [offset + i / 25 for i in range(EDGES[-1])]


def _variable() -> list[float]:
    times, t = [], 0.0
    for i in range(EDGES[-1]):
        times.append(round(t, 4))
        t += 0.04 if i < 40 else 0.08  # 25 then 12.5 frames a second
    return times


FILES = {"late-36ms": lambda: _late(0.036), "late-500ms": lambda: _late(0.5), "vfr": _variable}


def _decoded_times(path: Path) -> tuple[list[float], float]:
    """PyAV's own presentation time of every decoded frame (seconds from the container's start),
    and where the last one stops."""
    import av

    with av.open(str(path)) as container:
        origin = (container.start_time or 0) / 1_000_000
        frames = [(float(f.pts * f.time_base) - origin, float((f.duration or 0) * f.time_base)) for f in container.decode(video=0)]
    return [t for t, _ in frames], frames[-1][0] + (frames[-1][1] or (frames[-1][0] - frames[-2][0]))


@pytest.fixture(scope="module", params=sorted(FILES))
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp(request.param)
    film = make_timed_video(folder / f"{request.param}.mp4", FILES[request.param]())
    store = Store(folder / "p.sqlite")
    info = probe(film)
    video = store.add_video(info)
    fps = video.fps
    shots = [Shot(i, a, b, a / fps, b / fps) for i, (a, b) in enumerate(zip(EDGES, EDGES[1:]))]
    store.set_shots(video.id, shots)
    store.set_clips(video.id, build_clips(shots))
    clips = store.clips(video.id)
    store.annotate(Target(video.id, clips[1].id), "asks", AnnotationState.PRESENT, "alice")
    times, end = _decoded_times(film)
    assert len(times) == EDGES[-1]
    yield store, video, clips, times + [end], folder
    store.close()


def _at(times: list[float], frame: int) -> float:
    return times[frame]


def test_eaf_shots_clips_and_labels_are_frame_presentation_times(project) -> None:
    from pympi.Elan import Eaf

    store, video, clips, times, folder = project
    export(store, "eaf", folder / "eaf", ExportOptions())
    eaf = Eaf(str(next((folder / "eaf").glob("*.eaf"))))
    ms = lambda frame: round(_at(times, frame) * 1000)  # noqa: E731
    assert eaf.get_annotation_data_for_tier("shots") == [(ms(a), ms(b), str(i)) for i, (a, b) in enumerate(zip(EDGES, EDGES[1:]))]
    got = sorted(a for tier in eaf.get_tier_names() if tier.startswith("clips") for a in eaf.get_annotation_data_for_tier(tier))
    assert got == sorted((ms(c.start_frame), ms(c.end_frame), str(c.index)) for c in clips)
    assert eaf.get_annotation_data_for_tier("asks@alice") == [(ms(clips[1].start_frame), ms(clips[1].end_frame), "present")]


def test_scene_list_labelstudio_and_ava_times(project) -> None:
    store, video, clips, times, folder = project
    export(store, "shots", folder / "shots", ExportOptions())
    with next((folder / "shots").glob("*.csv")).open(newline="") as handle:
        rows = [r for r in list(csv.reader(handle))[2:] if r]
    assert [x for r in rows for x in (float(r[3]), float(r[6]))] == pytest.approx(
        [x for a, b in zip(EDGES, EDGES[1:]) for x in (_at(times, a), _at(times, b))], abs=0.0005)
    assert [(int(r[1]) - 1, int(r[4])) for r in rows] == list(zip(EDGES, EDGES[1:]))  # frames stay frames

    export(store, "labelstudio", folder / "ls", ExportOptions())
    tasks = [t for t in json.loads((folder / "ls" / "tasks.json").read_text()) if t["data"]["clip_index"] >= 0]
    by_index = {c.index: c for c in clips}
    assert [x for t in tasks for x in (t["data"]["start"], t["data"]["end"])] == pytest.approx(
        [_at(times, getattr(by_index[t["data"]["clip_index"]], side)) for t in tasks for side in ("start_frame", "end_frame")],
        abs=1e-6)

    export(store, "ava", folder / "ava", ExportOptions())
    seconds = sorted(int(line.split(",")[1]) for line in (folder / "ava" / "ava.csv").read_text().splitlines())
    start, end = _at(times, clips[1].start_frame), _at(times, clips[1].end_frame)
    assert seconds == list(range(math.ceil(start), math.ceil(end))) or seconds == [round((start + end) / 2)]


def _eaf_with(folder: Path, name: str, video, start_s: float, end_s: float) -> Path:
    """An EAF as an ELAN user saves it: one label annotation drawn at the given times."""
    from pympi.Elan import Eaf

    eaf = Eaf(author="elan")
    eaf.add_linked_file(Path(video.path).as_uri(), mimetype="video/mp4")
    eaf.add_property("hhir:fingerprint", video.fingerprint)
    eaf.add_controlled_vocabulary("hhir-states")
    eaf.add_linguistic_type("hhir-label-state")
    eaf.add_tier("watches@bob", ling="hhir-label-state", part="bob", ann="bob")
    eaf.add_annotation("watches@bob", round(start_s * 1000), round(end_s * 1000), "present")
    path = folder / name
    eaf.to_file(str(path))
    return path


def test_import_accepts_a_time_within_half_a_frame_of_the_frame(project) -> None:
    store, video, clips, times, folder = project
    clip = clips[0]
    start, end = _at(times, clip.start_frame), _at(times, clip.end_frame)
    step = times[clip.start_frame + 1] - times[clip.start_frame]
    near = _eaf_with(folder, "near.eaf", video, start + 0.4 * step, end - 0.4 * (end - times[clip.end_frame - 1]))
    report = import_(store, "eaf", near, ImportOptions())
    assert report.annotations_written == 1
    assert store.annotations(video.id, "bob")[0].target == Target(video.id, clip.id)
    far = _eaf_with(folder, "far.eaf", video, start + 1.2 * step, end)
    with pytest.raises(ImportFormatError, match="no clip of video"):
        import_(store, "eaf", far, ImportOptions())


def test_our_eaf_imports_back_to_the_same_clips(project, tmp_path: Path) -> None:
    store, video, clips, times, folder = project
    export(store, "eaf", tmp_path / "eaf", ExportOptions(annotator="alice"))
    other = Store(tmp_path / "q.sqlite")
    copy = other.add_video(probe(video.path))
    fps = copy.fps
    shots = [Shot(i, a, b, a / fps, b / fps) for i, (a, b) in enumerate(zip(EDGES, EDGES[1:]))]
    other.set_shots(copy.id, shots)
    other.set_clips(copy.id, build_clips(shots))
    import_(other, "eaf", tmp_path / "eaf", ImportOptions())
    index = {c.id: c.index for c in other.clips(copy.id)}
    assert {(index[a.target.clip_id], a.label, a.state) for a in other.annotations(copy.id) if a.state is AnnotationState.PRESENT} == {
        (clips[1].index, "asks", AnnotationState.PRESENT)}
    other.close()
