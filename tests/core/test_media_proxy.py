"""Playback copies: every frame kept in place, keyframes close together, built only where they help."""

from __future__ import annotations

import av
import pytest

from hhir.errors import MediaError
from hhir.jobs import CancelToken, Cancelled
from hhir.media.probe import probe
from hhir.media.proxy import (GOP, SEEK_BUDGET_PIXELS, ensure_proxy, existing_proxy, keyframe_spacing, make_proxy,
                              needs_proxy, proxy_path)
from media_factory import make_video, read_frame_code


@pytest.fixture(scope="module")
def coded_hd(tmp_path_factory):
    """100 frames at 640×360 each showing its index, with x264's default keyframe spacing, and speech."""
    return make_video(tmp_path_factory.mktemp("proxy") / "coded hd.mp4", [(100, "code")], size=(640, 360),
                      speech=[(0.5, "Give me the keys.")])


def _codes(path) -> list[int]:
    with av.open(str(path)) as container:
        return [read_frame_code(f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]


def test_the_copy_keeps_every_frame_in_place_with_keyframes_close_together(coded_hd, tmp_path):
    assert keyframe_spacing(coded_hd) == 100  # one keyframe for the whole file
    info = probe(coded_hd)
    assert needs_proxy(coded_hd, info.width, info.height)
    copy = ensure_proxy(coded_hd, info.fingerprint, info.width, info.height, folder=tmp_path)
    assert copy == proxy_path(info.fingerprint, tmp_path) and copy.is_file()
    assert keyframe_spacing(copy) <= GOP
    again = probe(copy)
    assert (again.frame_count, again.fps, again.has_audio) == (info.frame_count, info.fps, True)
    assert abs(again.duration_s - info.duration_s) < 0.05
    assert _codes(copy) == list(range(100))  # frame i of the copy is frame i of the film
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]


def test_an_existing_copy_is_reused_and_small_films_get_none(coded_hd, tmp_path):
    info = probe(coded_hd)
    first = ensure_proxy(coded_hd, info.fingerprint, info.width, info.height, folder=tmp_path)
    stamp = first.stat().st_mtime_ns
    assert ensure_proxy(coded_hd, info.fingerprint, info.width, info.height, folder=tmp_path) == first
    assert first.stat().st_mtime_ns == stamp
    small = make_video(tmp_path / "small.mp4", [(100, "code")], size=(160, 120), audio=False)
    assert keyframe_spacing(small) * 160 * 120 <= SEEK_BUDGET_PIXELS
    small_info = probe(small)
    assert ensure_proxy(small, small_info.fingerprint, 160, 120, folder=tmp_path) is None
    assert existing_proxy(small_info.fingerprint, tmp_path) is None


def test_cancel_and_bad_input_leave_nothing(coded_hd, tmp_path):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        make_proxy(coded_hd, tmp_path / "c.mp4", 360, cancel=token)
    not_video = tmp_path / "notes.mp4"
    not_video.write_text("not a film")
    with pytest.raises(MediaError, match="notes.mp4"):
        make_proxy(not_video, tmp_path / "n.mp4", 360)
    assert list(tmp_path.iterdir()) == [not_video]


@pytest.mark.parametrize("fingerprint", ["", "../../etc/passwd", "-y", "ABC"])
def test_a_copy_path_comes_from_a_fingerprint_only(fingerprint, tmp_path):
    with pytest.raises(ValueError):
        proxy_path(fingerprint, tmp_path)
    assert existing_proxy(fingerprint, tmp_path) is None


@pytest.mark.skipif(not hasattr(__import__("os"), "getpriority") or not __import__("os").path.isdir("/proc"),
                    reason="reads child processes from /proc")
def test_the_copy_is_written_at_a_lower_priority(coded_hd, tmp_path):
    """FFmpeg writing a copy runs niced, so an analysis beside it keeps the cores."""
    import os
    import threading
    import time

    from hhir.media.ffmpeg import BACKGROUND_NICE

    seen: list[int] = []
    done = threading.Event()

    def watch():
        while not done.is_set():
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        fields = stat.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == os.getpid():  # a child of this test process
                    try:
                        seen.append(os.getpriority(os.PRIO_PROCESS, int(entry)) - os.getpriority(os.PRIO_PROCESS, 0))
                    except OSError:
                        pass
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        make_proxy(coded_hd, tmp_path / "copy.mp4", 360)
    finally:
        done.set()
        watcher.join()
    # relative to this process, whatever niceness the tests were started with (`nice -n 5 make test`)
    expected = min(os.getpriority(os.PRIO_PROCESS, 0) + BACKGROUND_NICE, 19) - os.getpriority(os.PRIO_PROCESS, 0)
    assert seen and max(seen) == expected
