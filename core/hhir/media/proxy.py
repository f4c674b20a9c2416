"""Playback proxies: a copy of a film that the player can seek in quickly.

A seek shows the new frame only after the decoder has decoded everything from the keyframe before
it. Films are encoded with keyframes seconds apart (at most 250 frames with x264's defaults; cuts
often add one), so on an HD film a seek can take a few hundred milliseconds to show its frame. The
proxy is the same film with a keyframe every :data:`GOP` frames, no B-frames, at most
:data:`MAX_HEIGHT` lines: a seek decodes at most ``GOP`` small frames. Every frame and timestamp is
kept (no frame rate change), so frame numbers, times, shots and clips are the same on both; the
original file stays what analysis and export read.

Proxies live in the app's data folder (``proxies/``) under the film's content fingerprint, are written beside
their final name and renamed when complete, and are built only where they help
(:func:`needs_proxy`: a 160×120 film decodes 250 frames faster than a 720p film decodes 15).
"""

from __future__ import annotations

import logging
from pathlib import Path

from hhir.fsutil import atomic_path
from hhir.jobs import CancelToken
from hhir.media.probe import av_path

log = logging.getLogger(__name__)

GOP = 12  # frames between keyframes in a proxy: about half a second at 25 fps
MAX_HEIGHT = 720
# The most a seek may have to decode, in pixels (frames from the keyframe × frame size): 15 frames of
# 720p, a few tens of milliseconds on a laptop core. Films above it get a proxy.
SEEK_BUDGET_PIXELS = 15 * 1280 * 720
_SCAN_PACKETS = 3000  # packets read (not decoded) to find the keyframe spacing


def proxy_dir() -> Path:
    from hhir.appdirs import user_data_dir

    return user_data_dir() / "proxies"


def proxy_path(fingerprint: str, folder: Path | None = None) -> Path:
    """Where the proxy of the film with ``fingerprint`` lives (it may not exist)."""
    if not fingerprint or not all(c in "0123456789abcdef" for c in fingerprint):
        raise ValueError(f"not a content fingerprint: {fingerprint!r}")
    return (folder or proxy_dir()) / f"{fingerprint}.mp4"


def existing_proxy(fingerprint: str, folder: Path | None = None) -> Path | None:
    """The proxy of this film when one was built, else None."""
    try:
        path = proxy_path(fingerprint, folder)
    except ValueError:
        return None
    return path if path.is_file() and path.stat().st_size > 0 else None


def keyframe_spacing(path: str | Path) -> int:
    """The longest run of frames between keyframes in the first packets of the video stream.

    Reads packets only (no decoding). A stream with a single keyframe in the scanned packets
    counts as spaced by all of them.
    """
    import av

    longest, since, seen_key = 0, 0, False
    with av.open(av_path(path)) as container:
        stream = container.streams.video[0]
        for count, packet in enumerate(container.demux(stream)):
            if packet.size == 0:
                continue
            if packet.is_keyframe:
                if seen_key:
                    longest = max(longest, since)
                seen_key, since = True, 0
            since += 1
            if count >= _SCAN_PACKETS:
                break
    return max(longest, since)


def needs_proxy(path: str | Path, width: int, height: int) -> bool:
    """Whether a seek may decode more than :data:`SEEK_BUDGET_PIXELS` (keyframe spacing × frame size)."""
    return keyframe_spacing(path) * width * height > SEEK_BUDGET_PIXELS


def make_proxy(src: str | Path, dst: str | Path, height: int, cancel: CancelToken | None = None) -> Path:
    """Write the proxy of ``src`` to ``dst`` (H.264 with a keyframe every :data:`GOP` frames, AAC).

    Raises:
        MediaError: FFmpeg failed (nothing is left at ``dst``).
        Cancelled: ``cancel`` was set (nothing is left at ``dst``).
    """
    from hhir.media.ffmpeg import run_ffmpeg

    dst = Path(av_path(dst))
    lines = min(height, MAX_HEIGHT)
    lines -= lines % 2
    args = ["-y", "-i", av_path(src), "-map", "0:v:0", "-map", "0:a:0?",
            "-vf", f"scale=-2:{lines}", "-fps_mode", "passthrough",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
            "-g", str(GOP), "-keyint_min", str(GOP), "-bf", "0", "-sc_threshold", "0",
            "-c:a", "aac", "-b:a", "160k", "-f", "mp4"]
    with atomic_path(dst) as part:  # never urgent: analysis and the app go first
        run_ffmpeg([*args, str(part)], cancel=cancel, background=True)
    log.info("%s: playback proxy written (%d lines, keyframe every %d frames)", Path(src).name, lines, GOP)
    return dst


def ensure_proxy(src: str | Path, fingerprint: str, width: int, height: int, folder: Path | None = None,
                 cancel: CancelToken | None = None) -> Path | None:
    """The film's proxy, built now if it helps and is missing; None when the film seeks fast as it is."""
    found = existing_proxy(fingerprint, folder)
    if found is not None:
        return found
    if not needs_proxy(src, width, height):
        return None
    return make_proxy(src, proxy_path(fingerprint, folder), height, cancel)
