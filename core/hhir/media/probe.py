"""What a media file holds: duration, frame rate, frame count, size, audio; and a content fingerprint."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from fractions import Fraction
from pathlib import Path

from hhir.errors import MediaError, printable
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
    """Refuse what is not a readable, non-empty file, naming the path as given (never a link's target)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise MediaError(path, f"a symbolic link to a file that does not exist ({printable(os.readlink(path))})") from None
        raise MediaError(path, "file not found") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise MediaError(path, "a loop of symbolic links, not a file") from None
        raise MediaError(path, f"cannot read the file ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise MediaError(path, "not a file")
    if st.st_size == 0:
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


def _first_frame(container, stream):
    """The first decoded frame, or None: a header alone proves little (a truncated file can still
    describe its streams)."""
    import av

    try:
        for frame in container.decode(stream):
            return frame
    except av.FFmpegError as exc:
        log.info("first frame of %s did not decode: %s", container.name, exc)
    return None


def quarter_turns(frame) -> int:
    """How many quarter turns counterclockwise a decoded frame is shown at (its display matrix)."""
    degrees = getattr(frame, "rotation", 0) or 0
    return int(round(degrees / 90)) % 4


def _still_image(container) -> bool:
    """FFmpeg reads a single picture (PNG, JPEG, ...) through its image demuxers, whatever the name."""
    name = container.format.name
    return name.startswith("image2") or name.endswith("_pipe")


MAX_PIXELS = 8192 * 8192
"""The largest picture read (8K × 8K, 67 megapixels): larger frames are no film, and one decoded
frame would take gigabytes."""


def _check_size(path: Path, width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise MediaError(path, f"its pictures are {width}×{height}, larger than HHIR Studio reads "
                               f"(at most {MAX_PIXELS // 1_000_000} megapixels, e.g. 8192×8192)")


def _check_raw_header(path: Path) -> None:
    """A raw YUV4MPEG2 (.y4m) file states its picture size in a one-line text header, and FFmpeg's
    reader refuses an oversized one with a bare "Device or resource busy": read the size here to
    name the problem. The header is ``YUV4MPEG2`` then space-separated tokens (``W…``, ``H…``);
    reading two tokens is simpler than any library for it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(256)
    except OSError:
        return  # av.open says why
    if not head.startswith(b"YUV4MPEG2 "):
        return
    tokens = head.split(b"\n", 1)[0].split(b" ")[1:]
    sizes = {t[:1]: t[1:] for t in tokens if t[:1] in (b"W", b"H")}
    try:
        width, height = int(sizes[b"W"]), int(sizes[b"H"])
    except (KeyError, ValueError):
        raise MediaError(path, "a YUV4MPEG2 file whose header gives no picture size") from None
    if width <= 0 or height <= 0:
        raise MediaError(path, f"a YUV4MPEG2 file with an impossible picture size ({width}×{height})")
    _check_size(path, width, height)


def _check_timing(path: Path, frames: int, fps: float, duration: float) -> None:
    """Refuse a video whose header's frame rate contradicts its own frame count and duration.

    An mp4 whose track header (``mdhd``) has a timescale of 0 is read by FFmpeg with a time base
    of one second, so a 25 fps film comes out at 0.002 frames per second, its frames 512 s apart:
    shots, clips and every exported time would be wrong by that factor, and the decoded timestamps
    are in the same broken unit, so they cannot repair it. The count and the duration still agree
    with each other (100 frames in 4 s), which is what gives it away.
    """
    if frames <= 0 or duration <= 0:
        return
    counted = frames / duration
    if not 0.5 <= counted / fps <= 2.0:
        raise MediaError(path, f"its video timing contradicts itself ({fps:.3g} frames per second in the "
                               f"header, but {frames} frames in {duration:.3g} s; an mp4 whose track timescale "
                               "is 0 looks like this): re-mux or re-encode it, e.g. with ffmpeg")


def _read_info(path: Path, container) -> VideoInfo:
    if not container.streams.video:
        kind = "an audio-only file" if container.streams.audio else "a file"
        raise MediaError(path, f"no video stream: this is {kind}, not a video")
    if _still_image(container):
        codec = container.streams.video[0].codec_context.name
        raise MediaError(path, f"not a video: this is a still image ({codec.upper()})")
    stream = container.streams.video[0]
    fps, duration = _frame_rate(stream), _duration(container, stream)
    width, height = stream.codec_context.width, stream.codec_context.height
    if fps <= 0 or width <= 0 or height <= 0:
        raise MediaError(path, "the video stream has no usable frame rate or frame size")
    _check_size(path, width, height)
    _check_timing(path, stream.frames, fps, duration)
    # The container's count is exact when present; otherwise estimate from duration and rate.
    frames = stream.frames if stream.frames > 0 else int(round(duration * fps))
    if duration <= 0:
        duration = frames / fps
    first = _first_frame(container, stream)
    if first is None:
        raise MediaError(path, "no video frame can be decoded (damaged or truncated file)")
    turns = quarter_turns(first)
    if turns % 2:
        width, height = height, width  # shown turned on its side
    return VideoInfo(path=str(path), duration_s=duration, fps=fps, frame_count=frames, width=width,
                     height=height, has_audio=bool(container.streams.audio), rotation=turns * 90)


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
    _check_raw_header(path)
    try:
        with av.open(str(path)) as container:
            info = _read_info(path, container)
    except av.FFmpegError as exc:
        raise MediaError(path, f"not a readable video ({exc.strerror or exc})") from exc
    return VideoInfo(**{**info.__dict__, "fingerprint": fingerprint(path)})
