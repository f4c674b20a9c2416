"""What a media file holds: duration, frame rate, frame count, size, audio; and a content fingerprint."""

from __future__ import annotations

import hashlib
import logging
from fractions import Fraction
from pathlib import Path

from hhir.errors import MediaError
from hhir.types import VideoInfo

log = logging.getLogger(__name__)

_BLOCK = 1 << 20  # fingerprint reads three 1 MiB blocks: start, middle, end


def av_path(path: str | Path) -> str:
    """The path as given to FFmpeg: absolute, so that a name with ':' is never read as a protocol."""
    return str(Path(path).absolute())


def fingerprint(path: str | Path) -> str:
    """A content hash that does not depend on where the file lives or what it is called.

    sha256 over the size and the first, middle and last MiB: cheap on long films, and different for
    any re-encode or cut.

    Raises:
        MediaError: the file cannot be read.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        digest = hashlib.sha256(str(size).encode())
        with path.open("rb") as handle:
            for offset in sorted({0, max(0, size // 2 - _BLOCK // 2), max(0, size - _BLOCK)}):
                handle.seek(offset)
                digest.update(handle.read(_BLOCK))
    except OSError as exc:
        raise MediaError(path, f"cannot read the file ({exc.strerror or exc})") from exc
    return digest.hexdigest()


def _check_file(path: Path) -> None:
    if not path.exists():
        raise MediaError(path, "file not found")
    if not path.is_file():
        raise MediaError(path, "not a file")
    if path.stat().st_size == 0:
        raise MediaError(path, "the file is empty (0 bytes)")


def _frame_rate(stream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and Fraction(rate) > 0:
            return float(rate)
    return 0.0


def _duration(container, stream) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000  # AV_TIME_BASE
    return 0.0


def _first_frame_decodes(container, stream) -> bool:
    """A header alone proves little: a truncated file can still describe its streams."""
    import av

    try:
        for _frame in container.decode(stream):
            return True
    except av.FFmpegError as exc:
        log.info("first frame of %s did not decode: %s", container.name, exc)
    return False


def _read_info(path: Path, container) -> VideoInfo:
    if not container.streams.video:
        kind = "an audio-only file" if container.streams.audio else "a file"
        raise MediaError(path, f"no video stream: this is {kind}, not a video")
    stream = container.streams.video[0]
    fps, duration = _frame_rate(stream), _duration(container, stream)
    width, height = stream.codec_context.width, stream.codec_context.height
    if fps <= 0 or width <= 0 or height <= 0:
        raise MediaError(path, "the video stream has no usable frame rate or frame size")
    # The container's count is exact when present; otherwise estimate from duration and rate.
    frames = stream.frames if stream.frames > 0 else int(round(duration * fps))
    if duration <= 0:
        duration = frames / fps
    if not _first_frame_decodes(container, stream):
        raise MediaError(path, "no video frame can be decoded (damaged or truncated file)")
    return VideoInfo(path=str(path), duration_s=duration, fps=fps, frame_count=frames, width=width,
                     height=height, has_audio=bool(container.streams.audio))


def probe(path: str | Path) -> VideoInfo:
    """Describe a video file.

    Args:
        path: The video; any name (spaces, non-ASCII, a leading '-', ':') is fine.

    Returns:
        The file's :class:`VideoInfo`, with ``path`` absolute and ``fingerprint`` filled in.

    Raises:
        MediaError: the file is missing, empty, not a media file, has no video stream, or no frame
            of it decodes.
    """
    import av

    path = Path(av_path(path))
    _check_file(path)
    try:
        with av.open(str(path)) as container:
            info = _read_info(path, container)
    except av.FFmpegError as exc:
        raise MediaError(path, f"not a readable video ({exc.strerror or exc})") from exc
    return VideoInfo(**{**info.__dict__, "fingerprint": fingerprint(path)})
