"""The ``ava-slowfast`` flavour read by SlowFast's own ``ava_helper.py`` (tests/fixtures/slowfast).

Its ``parse_bboxes_file`` takes only AVA's keyframe seconds 902-1798 (our plain ``ava`` rows, 0 on,
are a ``KeyError``); ``get_keyframe_data`` turns them into frame indices, and ``load_image_lists``
reads the frame lists. The frames FFmpeg writes with the command in the export's notes are decoded,
and the one at each keyframe's index is the frame a player shows at that second of the video.
"""

from __future__ import annotations

import importlib.util
import shlex
import subprocess
import sys
import types
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from hhir.exchange import ExportOptions, export
from hhir.media.probe import probe
from hhir.segment.clips import build_clips
from hhir.store import Store
from hhir.types import AnnotationState, Shot, Target
from media_factory import make_timed_video, read_frame_code

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "slowfast" / "ava_helper.py"


@pytest.fixture(scope="module")
def ava_helper():
    """SlowFast's file as it is; only its ``slowfast.utils.env.pathmgr`` (iopath's opener, SlowFast not
    being installed) is a module whose ``open`` is Python's."""
    env = types.ModuleType("slowfast.utils.env")
    env.pathmgr = SimpleNamespace(open=open)  # type: ignore[attr-defined]
    stubs = {"slowfast": types.ModuleType("slowfast"), "slowfast.utils": types.ModuleType("slowfast.utils"), "slowfast.utils.env": env}
    saved = {k: sys.modules.get(k) for k in stubs}
    sys.modules.update(stubs)
    try:
        spec = importlib.util.spec_from_file_location("slowfast_ava_helper", FIXTURE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value
    return module


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("slowfast")
    film = make_timed_video(folder / "late start.mp4", [0.5 + i / 25 for i in range(100)])  # 0.5-4.5 s on the player's clock
    store = Store(folder / "p.sqlite")
    video = store.add_video(probe(film))
    edges = [0, 20, 45, 60, 100]
    shots = [Shot(i, a, b, a / video.fps, b / video.fps) for i, (a, b) in enumerate(zip(edges, edges[1:]))]
    store.set_shots(video.id, shots)
    store.set_clips(video.id, build_clips(shots))
    clips = store.clips(video.id)
    store.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.PRESENT, "alice")
    store.annotate(Target(video.id, clips[1].id), "watches", AnnotationState.PRESENT, "alice")
    yield store, video, film, folder
    store.close()


def test_plain_ava_rows_are_what_slowfast_refuses(ava_helper, project) -> None:
    store, _, _, folder = project
    export(store, "ava", folder / "plain", ExportOptions(test_fraction=0.0))
    with pytest.raises(KeyError):
        ava_helper.parse_bboxes_file([str(folder / "plain" / "ava.csv")], [True], 0.9)


def test_slowfast_reads_keyframes_and_frame_lists(ava_helper, project, tmp_path: Path) -> None:
    store, video, film, folder = project
    report = export(store, "ava-slowfast", tmp_path / "sf", ExportOptions(test_fraction=0.0))
    ann = tmp_path / "sf" / "annotations"
    boxes, count, unique = ava_helper.parse_bboxes_file([str(ann / "ava_train_v2.2.csv")], [True], 0.9)
    plain = export(store, "ava", tmp_path / "plain", ExportOptions(test_fraction=0.0))
    assert count == plain.rows == report.rows > 0
    ours = {(int(r.split(",")[1]), int(r.split(",")[6])) for r in (tmp_path / "plain" / "ava.csv").read_text().splitlines()}
    name = next(iter(boxes))
    got = {(sec - 902, label) for sec, found in boxes[name].items() for _, labels in found for label in labels}
    assert got == ours  # every second moved into SlowFast's window, nothing lost or added
    keyframes, _ = ava_helper.get_keyframe_data([boxes[name]])
    assert sorted(k[2] - 902 for k in keyframes) == sorted({s for s, _ in ours})

    cfg = SimpleNamespace(AVA=SimpleNamespace(FRAME_LIST_DIR=str(tmp_path / "sf" / "frame_lists"), TRAIN_LISTS=["train.csv"],
                                              TEST_LISTS=["val.csv"], FRAME_DIR=str(tmp_path / "frames")))
    paths, names = ava_helper.load_image_lists(cfg, is_train=True)
    assert names == [name]

    # the frames the notes' command writes, and the one at each keyframe's index
    command = next(n for n in report.notes if n.startswith("frames for SlowFast: "))
    args = shlex.split(command.removeprefix("frames for SlowFast: "))
    args = [a.replace("FRAMES", str(tmp_path / "frames")) for a in args]
    (tmp_path / "frames" / name).mkdir(parents=True)
    from hhir.media.ffmpeg import ffmpeg_exe

    assert args[:3] == ["ffmpeg", "-i", str(film)]
    # the bundled FFmpeg, where no ffmpeg is on the PATH
    done = subprocess.run([ffmpeg_exe(), "-loglevel", "error", *args[1:]], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    from hhir.media.timebase import read_timebase

    clock = read_timebase(film)
    import av

    for video_idx, _, sec, frame_index in keyframes:
        second = sec - 902
        with av.open(paths[video_idx][frame_index]) as image:
            code = read_frame_code(next(image.decode(video=0)).to_ndarray(format="rgb24"))
        assert code == min(clock.frame_at(second), clock.frame_count - 1), second
    assert np.all([Path(p).is_file() for p in paths[0]])


def test_a_long_video_is_cut_into_parts_inside_slowfasts_window(ava_helper) -> None:
    from hhir.exchange.ava_slowfast import ava_second

    assert [ava_second(s) for s in (0, 896, 897, 2000)] == [(0, 902), (0, 1798), (1, 902), (2, 1108)]
    assert all(sec in ava_helper.AVA_VALID_FRAMES for s in range(0, 3000, 7) for _, sec in [ava_second(s)])
