"""The FFmpeg binary shipped with imageio-ffmpeg, run with argument lists only (never a shell).

Every file name handed to FFmpeg is made absolute first, so a name starting with '-' can never be
read as an option and a name with ':' never as a protocol.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from hhir.errors import MediaError
from hhir.fsutil import atomic_path
from hhir.jobs import CancelToken, Cancelled
from hhir.media.probe import av_path

log = logging.getLogger(__name__)
_STDERR_LINES = 8
BACKGROUND_NICE = 10  # how much nicer than this process background FFmpeg runs are (POSIX)


def ffmpeg_exe() -> str:
    """Path of the FFmpeg executable bundled with imageio-ffmpeg."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _subject(args: list[str]) -> str:
    """The input file named in ``args``, for error messages."""
    if "-i" in args and args.index("-i") + 1 < len(args):
        return args[args.index("-i") + 1]
    return "ffmpeg"


def _wait(proc: subprocess.Popen, cancel: CancelToken | None, timeout: float | None) -> None:
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            proc.wait(timeout=0.1)
            return
        except subprocess.TimeoutExpired:
            pass
        if cancel is not None and cancel.cancelled:
            proc.kill()
            proc.wait()
            raise Cancelled()
        if deadline is not None and time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise subprocess.TimeoutExpired(proc.args, timeout or 0)


def background_niceness() -> int:
    """The niceness of a background run: ``BACKGROUND_NICE`` below this process's own (a parent
    started with ``nice`` keeps the same gap to its FFmpeg runs), at most 19, the lowest priority."""
    return min(os.getpriority(os.PRIO_PROCESS, 0) + BACKGROUND_NICE, 19)


def run_ffmpeg(args: list[str], cancel: CancelToken | None = None, timeout: float | None = None,
               background: bool = False) -> None:
    """Run FFmpeg with ``args`` (no shell); stop it when ``cancel`` is set.

    Args:
        args: Arguments after the executable. Pass file names as absolute paths.
        cancel: Checked every 0.1 s; when set, FFmpeg is killed and :class:`Cancelled` raised.
        timeout: Seconds before FFmpeg is killed.
        background: Run FFmpeg at a lower scheduling priority, so analysis and the app go first.

    Raises:
        MediaError: FFmpeg failed or timed out; the message ends with its last stderr lines.
        Cancelled: ``cancel`` was set.
    """
    # stderr goes to a file, not a pipe: a chatty FFmpeg can never block on a full pipe.
    with tempfile.TemporaryFile() as err:
        cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", *args]
        log.debug("running %s", cmd)
        flags = getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0) if background else 0  # Windows
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, creationflags=flags)
        if background and hasattr(os, "setpriority"):
            with contextlib.suppress(OSError):  # already finished, or not allowed: it runs at normal priority
                os.setpriority(os.PRIO_PROCESS, proc.pid, background_niceness())
        try:
            _wait(proc, cancel, timeout)
        except subprocess.TimeoutExpired as exc:
            raise MediaError(_subject(args), f"ffmpeg took longer than {timeout} s") from exc
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-_STDERR_LINES:]
    if proc.returncode != 0:
        detail = "\n".join(tail) or f"exit status {proc.returncode}"
        raise MediaError(_subject(args), f"ffmpeg failed: {detail}")


def cut_clip(src: str | Path, start_s: float, end_s: float, dst: str | Path,
             cancel: CancelToken | None = None) -> Path:
    """Write ``src`` from ``start_s`` to ``end_s`` as an H.264/AAC mp4, re-encoded so the cut is frame-exact.

    ``start_s`` and ``end_s`` are frame-clock seconds (``frame / fps``, as shots and clips store
    them): the clip holds decoded frames ``round(start_s * fps)`` up to, not including,
    ``round(end_s * fps)``, whatever the stream's start time or frame rate changes. The file appears
    at ``dst`` only when complete (written beside it, then renamed).

    Raises:
        ValueError: the range is empty.
        MediaError: FFmpeg failed.
    """
    from hhir.media.timebase import file_timebase

    if end_s <= start_s:
        raise ValueError(f"clip range {start_s}-{end_s}s is empty")
    frames: list[str] = []
    try:
        timebase = file_timebase(src)
    except Exception as exc:  # noqa: BLE001 - av's errors (imported lazily); FFmpeg below names the problem
        log.info("%s: no timestamps (%s); cutting at the given seconds", src, exc)
        begin, length = start_s, end_s - start_s
    else:
        first = round(start_s * timebase.fps)
        stop = max(round(end_s * timebase.fps), first + 1)
        # FFmpeg counts -ss from the container's start, as the time base does, and keeps the frames
        # after it: half-way between two frames, a late-starting stream neither loses its first
        # frame nor gains the one before. The frame count, not -t (whose end FFmpeg rounds to its
        # own clock), ends the video; -t, half a frame longer, only ends the audio.
        begin = timebase.boundary(first)
        length = timebase.boundary(stop) - begin + 0.5 / timebase.fps
        frames = ["-frames:v", str(stop - first)]
    dst = Path(av_path(dst))
    # -ss before -i seeks the input; with re-encoding FFmpeg decodes from the previous keyframe and
    # drops the frames before the start. setpts starts the clip at 0; passthrough and the filter's
    # clock keep every frame and timestamp (no frame dropped or doubled for a variable rate).
    args = ["-y", "-ss", f"{begin:.6f}", "-i", av_path(src), "-t", f"{length:.6f}",
            "-map", "0:v:0", "-map", "0:a:0?", "-vf", "setpts=PTS-STARTPTS", *frames,
            "-fps_mode", "passthrough", "-enc_time_base:v", "filter",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", "-f", "mp4"]
    with atomic_path(dst) as part:  # a cancelled or failed cut leaves nothing at dst
        run_ffmpeg([*args, str(part)], cancel=cancel)
    return dst


def to_mp3(audio: np.ndarray, sample_rate: int, dst: str | Path) -> Path:
    """Write a mono float32 waveform as an mp3 through pydub (and the bundled FFmpeg)."""
    import warnings

    with warnings.catch_warnings():
        # pydub warns at import when no ffmpeg is on PATH; we point it at the bundled one below.
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment

    AudioSegment.converter = ffmpeg_exe()
    pcm = (np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0) * 32767).astype("<i2")
    segment = AudioSegment(data=pcm.tobytes(), sample_width=2, frame_rate=sample_rate, channels=1)
    dst = Path(av_path(dst))
    with dst.open("wb") as handle:
        segment.export(handle, format="mp3")
    return dst
