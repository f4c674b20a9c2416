"""Bad media through every media stage, each file in its own child process with a time limit.

For each damaged or awkward file the stages (probe, shots, frames, audio) must either work or
raise a ``MediaError`` that names the file, within a bounded time, and the process must never die
natively. The child runner is ``bench/isolated.py``, which is also how the app could read files it
does not trust.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from media_factory import code_frame, make_audio_only, make_video, read_frame_code

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from isolated import IsolatedResult, isolated_probe, run_isolated  # noqa: E402

from hhir.errors import MediaError  # noqa: E402

SHOTS = [(30, "red"), (30, "green"), (30, "blue"), (30, "yellow")]  # cuts at 30, 60, 90
LIMIT_S = 90.0  # per file; generous for a loaded machine, the point is that it ends


def _check_contract(result: IsolatedResult, name: str) -> None:
    """No crash, no hang, and every failure a MediaError that names the file."""
    assert not result.timed_out, f"{name}: still running after {LIMIT_S} s"
    assert not result.crashed, f"{name}: child died with signal {-result.returncode}\n{result.stderr_tail}"
    assert result.returncode == 0, result.stderr_tail
    assert result.outcomes, f"{name}: no stage reported\n{result.stderr_tail}"
    for outcome in result.outcomes:
        if not outcome.ok:
            assert outcome.error_type == "MediaError", f"{name}: {outcome.stage} raised {outcome.error_type}: {outcome.message}"
            assert name in outcome.message, f"{name}: {outcome.stage} error does not name the file: {outcome.message}"


def _stages(path: Path) -> IsolatedResult:
    result = run_isolated("stages", path, timeout=LIMIT_S)
    _check_contract(result, path.name)
    return result


def _failed_at_probe(result: IsolatedResult, words: str) -> None:
    probe = result.outcome("probe")
    assert probe is not None and not probe.ok and words in probe.message, probe
    assert [o.stage for o in result.outcomes] == ["probe"]  # nothing else ran on it


def _all_ok(result: IsolatedResult) -> None:
    assert [(o.stage, o.ok) for o in result.outcomes] == [("probe", True), ("shots", True), ("frames", True), ("audio", True)], result.outcomes


def _encode(path: Path, frames: list[np.ndarray], pts_ms: list[int], pix_fmt: str = "yuv420p") -> Path:
    """H.264 in mp4 with the given presentation times (milliseconds): any rate, any size."""
    import av

    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        stream.codec_context.time_base = Fraction(1, 1000)
        for image, pts in zip(frames, pts_ms):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = pts, Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _jittered_pts(n: int, seed: int = 3) -> list[int]:
    steps = np.random.default_rng(seed).integers(25, 56, n)  # 25-55 ms: a variable frame rate
    return [int(v) for v in np.concatenate([[0], np.cumsum(steps[:-1])])]


def _colour_frames(counts: list[tuple[int, tuple[int, int, int]]], size: tuple[int, int]) -> list[np.ndarray]:
    width, height = size
    frames = []
    for n, rgb in counts:
        for t in range(n):
            image = np.empty((height, width, 3), np.uint8)
            image[:] = rgb
            image[:, (t * 2) % width: (t * 2) % width + 6] = 255 - np.array(rgb, np.uint8)  # a moving bar
            frames.append(image)
    return frames


def test_zero_length(tmp_path: Path) -> None:
    path = tmp_path / "empty clip.mp4"
    path.touch()
    _failed_at_probe(_stages(path), "empty")


def test_text_renamed_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("These are my notes, not a video.\n" * 50)
    _failed_at_probe(_stages(path), "notes.mp4")


def test_truncated_mp4_is_refused(tmp_path: Path) -> None:
    whole = make_video(tmp_path / "whole.mp4", SHOTS)
    path = tmp_path / "truncated.mp4"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])  # the index (moov) is at the end
    _failed_at_probe(_stages(path), "truncated.mp4")


def test_truncated_stream_keeps_what_decodes(tmp_path: Path) -> None:
    whole = make_video(tmp_path / "whole.ts", SHOTS, speech=[(0.2, "one two three")])
    path = tmp_path / "truncated.ts"
    path.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.6)])
    result = _stages(path)
    _all_ok(result)  # an MPEG-TS has no index: its first part is a shorter, valid video
    frames = result.outcome("shots").summary["frames"]
    assert 10 <= frames < 120 and abs(result.outcome("probe").summary["frame_count"] - frames) <= 2
    assert 0 < result.outcome("audio").summary["samples"] < 120 / 25 * 16000


def test_video_without_audio(tmp_path: Path) -> None:
    result = _stages(make_video(tmp_path / "silent film.mp4", SHOTS, audio=False))
    _all_ok(result)
    assert result.outcome("probe").summary["has_audio"] is False
    assert result.outcome("audio").summary["samples"] == 0
    assert result.outcome("shots").summary == {"shots": 4, "frames": 120}


def test_audio_without_video(tmp_path: Path) -> None:
    _failed_at_probe(_stages(make_audio_only(tmp_path / "voice.m4a", 2.0)), "no video stream")


def test_variable_frame_rate(tmp_path: Path) -> None:
    frames = _colour_frames([(40, (200, 30, 30)), (40, (30, 190, 60)), (40, (30, 50, 210))], (160, 120))
    path = _encode(tmp_path / "vfr.mp4", frames, _jittered_pts(len(frames)))
    result = _stages(path)
    _all_ok(result)
    assert result.outcome("shots").summary == {"shots": 3, "frames": 120}


def test_variable_frame_rate_frames_are_decode_order(tmp_path: Path) -> None:
    from hhir.media.frames import sample_frames

    path = _encode(tmp_path / "vfr code.mp4", [code_frame(i, 96, 96) for i in range(100)], _jittered_pts(100))
    _all_ok(_stages(path))
    ranges = [(0, 50), (30, 100)]
    for i, got in sample_frames(path, ranges, 6, size=64):
        wanted = np.linspace(ranges[i][0], ranges[i][1] - 1, 6).astype(int)
        assert [read_frame_code(f) for f in got] == list(wanted)


def test_odd_frame_size(tmp_path: Path) -> None:
    frames = _colour_frames([(30, (200, 30, 30)), (30, (30, 50, 210))], (161, 97))
    path = _encode(tmp_path / "odd 161x97.mp4", frames, [i * 40 for i in range(60)], pix_fmt="yuv444p")
    result = _stages(path)
    _all_ok(result)
    probe = result.outcome("probe").summary
    assert (probe["width"], probe["height"]) == (161, 97)
    assert result.outcome("shots").summary == {"shots": 2, "frames": 60}


def test_corrupt_first_audio_packet(tmp_path: Path) -> None:
    import av

    good = make_video(tmp_path / "good.mp4", SHOTS, speech=[(0.5, "one two three four")])
    with av.open(str(good)) as container:
        first = next(p for p in container.demux(container.streams.audio[0]) if p.size > 0)
        offset, size = first.pos, first.size
    data = bytearray(good.read_bytes())
    data[offset: offset + size] = bytes((i * 37 + 11) % 256 for i in range(size))  # garbage in place
    path = tmp_path / "bad first audio packet.mp4"
    path.write_bytes(bytes(data))
    result = _stages(path)
    _all_ok(result)
    samples = result.outcome("audio").summary["samples"]
    assert abs(samples - 120 / 25 * 16000) <= 2 * 1024 and result.outcome("audio").summary["finite"]


@pytest.mark.parametrize("name", ["with spaces and more.mp4", "été 日本語 ü.mp4", "-leading dash.mp4", "a:b.mp4", "http:host.mp4"])
def test_awkward_names_through_every_stage(tmp_path: Path, name: str) -> None:
    from hhir.media.ffmpeg import cut_clip

    path = make_video(tmp_path / name, SHOTS, speech=[(0.2, "hello there")])
    result = _stages(path)
    _all_ok(result)
    assert result.outcome("probe").summary["path"] == str(path)
    out = cut_clip(path, 0.4, 2.0, tmp_path / f"-cut {name}")
    assert out.is_file() and isolated_probe(out).frame_count in range(38, 42)


def test_isolated_probe_time_limit_names_the_file(tmp_path: Path) -> None:
    path = make_video(tmp_path / "slow one.mp4", SHOTS)
    with pytest.raises(MediaError, match="slow one.mp4.*longer than"):
        isolated_probe(path, timeout=0.05)
    assert isolated_probe(path, timeout=LIMIT_S).frame_count == 120


@pytest.mark.slow
def test_three_hour_film_probe_and_shots_are_bounded(tmp_path: Path) -> None:
    """3 hours at 64×48, 1 fps, one cut a minute: probe + shot detection must end well within a minute."""
    shots = [(60, i % 10) for i in range(180)]
    path = make_video(tmp_path / "three hours.mp4", shots, fps=1, size=(64, 48), audio=False)
    result = run_isolated("shots", path, timeout=60)
    _check_contract(result, path.name)
    probe, found = result.outcome("probe"), result.outcome("shots")
    assert probe.ok and abs(probe.summary["duration_s"] - 3 * 3600) < 2
    assert found.ok and found.summary["frames"] == 10800
    assert 170 <= found.summary["shots"] <= 200  # 180 real shots; a few misses or extras at 1 fps
    assert result.seconds < 60


def make_long_silent_audio(path: Path, hours: float, video_s: float = 4.0) -> Path:
    """``video_s`` of picture over ``hours`` of silent AAC, in well under a second.

    One minute of silence is encoded once; the long track is that minute's packets looped by a
    stream copy (no re-encoding), the way a 4 s clip ends up with a 44-hour track in the wild.
    """
    import subprocess

    from hhir.media.ffmpeg import ffmpeg_exe

    minute, picture = path.with_name("minute.m4a"), path.with_name("picture.mp4")
    run = [ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error"]
    subprocess.run([*run, "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "60", "-c:a", "aac", "-b:a", "16k",
                    str(minute)], check=True)
    subprocess.run([*run, "-f", "lavfi", "-i", "testsrc=size=64x48:rate=25", "-t", str(video_s), "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(picture)], check=True)
    subprocess.run([*run, "-i", str(picture), "-stream_loop", str(int(hours * 60) - 1), "-i", str(minute),
                    "-map", "0:v", "-map", "1:a", "-c", "copy", str(path)], check=True)
    return path


_PEAK_CHILD = """
import json, resource, sys
from hhir.media.probe import probe
from hhir.media.audio import extract_audio
info = probe(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
audio = extract_audio(sys.argv[1])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"duration": info.duration_s, "samples": int(audio.size), "grew_mb": (after - before) / 1024}))
"""


def test_hours_of_audio_under_seconds_of_video_decode_only_the_video_span(tmp_path: Path) -> None:
    """10 h of AAC under 4 s of video: decoding it whole would take ~4.5 GB and minutes."""
    import json
    import subprocess

    path = make_long_silent_audio(tmp_path / "four seconds, ten hours.mp4", hours=10)
    result = _stages(path)
    _all_ok(result)
    assert result.outcome("audio").summary["samples"] == 4 * 16000
    assert result.seconds < LIMIT_S
    child = subprocess.run([sys.executable, "-c", _PEAK_CHILD, str(path)], capture_output=True, text=True, timeout=LIMIT_S)
    assert child.returncode == 0, child.stderr
    peak = json.loads(child.stdout)
    assert peak["duration"] == pytest.approx(4.0) and peak["samples"] == 4 * 16000
    assert peak["grew_mb"] < 40, peak  # 4 s of samples is 256 KB; the whole track would be gigabytes


def test_png_renamed_mp4_is_not_a_video(tmp_path: Path) -> None:
    import cv2

    picture = tmp_path / "holiday.png"
    assert cv2.imwrite(str(picture), np.full((48, 64, 3), 200, np.uint8))
    path = picture.rename(tmp_path / "holiday.mp4")
    _failed_at_probe(_stages(path), "holiday.mp4: not a video: this is a still image (PNG)")


def _ffmpeg(*args: str) -> None:
    import subprocess

    from hhir.media.ffmpeg import ffmpeg_exe

    subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", *args], check=True)


def _ffmpeg_first_frame(path: Path, width: int, height: int) -> np.ndarray:
    """FFmpeg's own first frame (it applies the display matrix itself), as BGR."""
    import subprocess

    from hhir.media.ffmpeg import ffmpeg_exe

    raw = subprocess.run([ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "bgr24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


def test_rotation_metadata_turns_size_and_frames(tmp_path: Path) -> None:
    import cv2

    from hhir.media.frames import sample_frames
    from hhir.media.probe import probe

    frame = np.zeros((240, 320, 3), np.uint8)
    frame[:60, :80] = (255, 255, 255)  # a white corner: which way the picture is turned shows
    upright = _encode(tmp_path / "upright.mp4", [frame] * 25, [i * 40 for i in range(25)])
    turned = tmp_path / "phone video.mp4"
    _ffmpeg("-display_rotation:v:0", "90", "-i", str(upright), "-c", "copy", str(turned))

    info = probe(turned)
    assert (info.width, info.height, info.rotation) == (240, 320, 90)
    assert (probe(upright).width, probe(upright).rotation) == (320, 0)
    (_, ours), = sample_frames(turned, [(0, 1)], 1, size=64)
    shown = cv2.resize(_ffmpeg_first_frame(turned, 240, 320), (64, 64), interpolation=cv2.INTER_AREA)
    assert np.abs(ours[0].astype(int) - shown).mean() < 6  # what FFmpeg shows, not the stored sideways picture
    (_, plain), = sample_frames(upright, [(0, 1)], 1, size=64)
    assert np.abs(plain[0].astype(int) - shown).mean() > 30


@pytest.mark.parametrize("kind", ["loop", "dangling", "newline"])
def test_odd_paths_are_named_as_given(tmp_path: Path, kind: str) -> None:
    from hhir.media.probe import probe

    if kind == "loop":
        given = tmp_path / "a.mp4"
        given.symlink_to(tmp_path / "b.mp4")
        (tmp_path / "b.mp4").symlink_to(given)
        words = "a.mp4: a loop of symbolic links"
    elif kind == "dangling":
        given = tmp_path / "shortcut.mp4"
        given.symlink_to(tmp_path / "moved away" / "film.mp4")
        words = "shortcut.mp4: a symbolic link to a file that does not exist"
    else:
        given = make_video(tmp_path / "two\nlines.mp4", SHOTS[:1], audio=False)
        given.write_bytes(b"not a video" * 100)
        words = "two\\nlines.mp4: not a readable video"
    with pytest.raises(MediaError) as caught:
        probe(given)
    assert words in str(caught.value) and "\n" not in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path))


def test_failed_shot_detection_leaves_no_video_row(tmp_path: Path) -> None:
    """The file's middle 30 % is missing: probing passes (the index is at the front), shot detection
    fails, and the project is left as it was."""
    from hhir.pipeline import analyze
    from hhir.store import Store

    whole = make_video(tmp_path / "whole.mp4", SHOTS, speech=[(0.2, "hello there")])
    front = tmp_path / "index first.mp4"
    _ffmpeg("-i", str(whole), "-c", "copy", "-movflags", "+faststart", str(front))
    data = front.read_bytes()
    holed = tmp_path / "middle missing.mp4"
    holed.write_bytes(data[: int(len(data) * 0.35)] + data[int(len(data) * 0.65):])
    with Store(tmp_path / "p.sqlite") as store:
        with pytest.raises(MediaError, match=r"middle missing\.mp4: cannot decode the video for shot detection"):
            analyze(store, holed)
        assert store.videos() == []


def test_a_long_track_is_decoded_into_one_array_not_twice_its_size(tmp_path: Path) -> None:
    """An hour of audio (no video: all of it is needed) peaks at the waveform, not chunks plus a joined copy."""
    import json
    import subprocess

    minute = tmp_path / "minute.m4a"
    _ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "60", "-c:a", "aac", "-b:a", "16k", str(minute))
    hour = tmp_path / "an hour.m4a"
    _ffmpeg("-stream_loop", "59", "-i", str(minute), "-c", "copy", str(hour))
    child = """
import json, resource, sys
import av, numpy
from hhir.media.audio import extract_audio
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
audio = extract_audio(sys.argv[1])
print(json.dumps({"mb": audio.nbytes / 2**20, "grew_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}))
"""
    done = subprocess.run([sys.executable, "-c", child, str(hour)], capture_output=True, text=True, timeout=LIMIT_S)
    assert done.returncode == 0, done.stderr
    peak = json.loads(done.stdout)
    assert peak["mb"] == pytest.approx(3600 * 16000 * 4 / 2**20, rel=0.01)
    assert peak["grew_mb"] < 1.3 * peak["mb"], peak  # decoding into chunks and joining them took 2x
