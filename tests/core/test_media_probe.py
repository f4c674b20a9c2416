"""Probing real generated files, and every kind of bad input a user can pick."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hhir.errors import MediaError
from hhir.media.probe import fingerprint, probe
from media_factory import make_audio_only, make_video


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("probe") / "v.mp4", [(30, "red"), (20, "blue")], fps=25,
                      size=(160, 120))


def test_probe_reports_what_was_encoded(video: Path) -> None:
    info = probe(video)
    assert (info.width, info.height, info.frame_count, info.fps) == (160, 120, 50, 25.0)
    assert info.duration_s == pytest.approx(2.0, abs=0.05)
    assert info.has_audio and info.has_video
    assert Path(info.path).is_absolute()
    assert info.fingerprint == fingerprint(video)


def test_video_without_audio(tmp_path: Path) -> None:
    info = probe(make_video(tmp_path / "mute.mp4", [(12, None)], fps=24, audio=False))
    assert not info.has_audio and info.frame_count == 12 and info.fps == 24.0


def test_mpeg4_codec_and_odd_rate(tmp_path: Path) -> None:
    info = probe(make_video(tmp_path / "m4.mp4", [(15, None)], fps=30000 / 1001, codec="mpeg4"))
    assert info.fps == pytest.approx(29.97, abs=0.01) and info.frame_count == 15


@pytest.mark.parametrize("name", ["with space.mp4", "ñoño—видео.mp4", "-leading.mp4", "a:b.mp4",
                                  "--help.mp4", "file:x.mp4"])
def test_awkward_names(video: Path, tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    shutil.copy(video, target)
    info = probe(target)
    assert info.frame_count == 50 and info.fingerprint == fingerprint(video)


def test_fingerprint_is_path_independent_but_content_sensitive(video: Path, tmp_path: Path) -> None:
    copy = shutil.copy(video, tmp_path / "elsewhere.mp4")
    assert fingerprint(copy) == fingerprint(video)
    other = make_video(tmp_path / "other.mp4", [(50, "green")], audio=False)
    assert fingerprint(other) != fingerprint(video)
    changed = tmp_path / "changed.mp4"
    data = bytearray(video.read_bytes())
    data[len(data) // 2] ^= 0xFF
    changed.write_bytes(bytes(data))
    assert fingerprint(changed) != fingerprint(video)


def _bad(path: Path, problem: str) -> None:
    with pytest.raises(MediaError) as caught:
        probe(path)
    assert str(path.name) in str(caught.value)
    assert problem in caught.value.problem


def test_text_renamed_to_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("these are my notes, not a film\n" * 20)
    _bad(path, "not a readable video")


def test_zero_length(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.touch()
    _bad(path, "empty")


@pytest.mark.parametrize("keep", [0.001, 0.5])
def test_truncated(video: Path, tmp_path: Path, keep: float) -> None:
    data = video.read_bytes()
    path = tmp_path / "cut short.mp4"
    path.write_bytes(data[: max(1, int(len(data) * keep))])
    with pytest.raises(MediaError) as caught:
        probe(path)
    assert "cut short.mp4" in str(caught.value)


@pytest.mark.parametrize("suffix", [".m4a", ".wav"])
def test_audio_only(tmp_path: Path, suffix: str) -> None:
    _bad(make_audio_only(tmp_path / f"voice{suffix}", 1.0), "audio-only")


def test_audio_only_mp4(tmp_path: Path) -> None:
    _bad(make_video(tmp_path / "sound.mp4", [(25, None)], video=False), "no video stream")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    _bad(tmp_path / "nowhere.mp4", "not found")
    with pytest.raises(MediaError, match="not a file"):
        probe(tmp_path)


def test_an_mp4_whose_track_timescale_is_zero_is_refused_by_name(video: Path, tmp_path: Path) -> None:
    """FFmpeg reads such a track at 1/512 of its rate (one 512 s shot for 2 s of film): refused."""
    data = bytearray(video.read_bytes())
    box = data.find(b"mdhd")  # the video track's media header comes first in the file the factory writes
    assert box > 0 and data[box + 4] == 0  # version 0: creation, modification, then the timescale
    assert int.from_bytes(data[box + 16:box + 20], "big") > 0
    data[box + 16:box + 20] = bytes(4)
    broken = tmp_path / "timescale zero.mp4"
    broken.write_bytes(bytes(data))
    with pytest.raises(MediaError, match=r"timescale zero\.mp4: its video timing contradicts itself.*timescale is 0"):
        probe(broken)


def test_an_oversized_y4m_is_refused_by_its_size(tmp_path: Path) -> None:
    huge = tmp_path / "huge.y4m"
    huge.write_bytes(b"YUV4MPEG2 W30000 H30000 F25:1 Ip A1:1 C420jpeg\nFRAME\n" + bytes(4096))
    with pytest.raises(MediaError, match=r"huge\.y4m: its pictures are 30000×30000, larger than HHIR Studio reads"):
        probe(huge)
    nonsense = tmp_path / "nonsense.y4m"
    nonsense.write_bytes(b"YUV4MPEG2 W0 H-5 F25:1\nFRAME\n")
    with pytest.raises(MediaError, match="nonsense.y4m: a YUV4MPEG2 file with an impossible picture size"):
        probe(nonsense)
