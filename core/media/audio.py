"""The audio track of a video as one mono waveform, decoded once and tolerant of damaged packets."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from core.errors import MediaError
from core.media.probe import av_path

log = logging.getLogger(__name__)


def _timeline_start(container) -> float:
    """Where time 0 of the video is, so that audio sample 0 lines up with frame 0."""
    streams = container.streams.video or container.streams.audio
    stream = streams[0]
    if stream.start_time is None or not stream.time_base:
        return 0.0
    return float(stream.start_time * stream.time_base)


def _decode_tolerant(container, stream, resampler) -> tuple[list[np.ndarray], float | None]:
    import av

    chunks: list[np.ndarray] = []
    first_time: float | None = None
    skipped = 0
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except (av.InvalidDataError, av.error.UndefinedError) as exc:
            # A damaged packet costs its own samples, not the whole track. FFmpeg reports garbage
            # as invalid data, or (AAC) as an undefined error code from avcodec_send_packet.
            skipped += 1
            log.debug("%s: damaged audio packet at %s: %s", container.name, packet.pts, exc)
            continue
        for frame in frames:
            if first_time is None and frame.time is not None:
                first_time = float(frame.time)
            chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
    chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
    if skipped and not chunks:
        raise MediaError(container.name, f"every audio packet is damaged ({skipped} of them)")
    if skipped:
        log.warning("%s: skipped %d damaged audio packets", container.name, skipped)
    return chunks, first_time


def extract_audio(path: str | Path, sample_rate: int = 16000) -> np.ndarray:
    """Decode the first audio stream to mono float32 at ``sample_rate``.

    Sample 0 is time 0 of the video (leading gaps are padded with silence). Packets FFmpeg rejects
    as invalid data are skipped.

    Args:
        path: Video or audio file.
        sample_rate: Output rate in Hz.

    Returns:
        A 1-D float32 array; empty when the file has no audio stream.

    Raises:
        MediaError: the file cannot be opened as media.
    """
    import av

    try:
        with av.open(av_path(path)) as container:
            if not container.streams.audio:
                return np.zeros(0, dtype=np.float32)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
            chunks, first_time = _decode_tolerant(container, container.streams.audio[0], resampler)
            offset = (first_time or 0.0) - _timeline_start(container)
    except av.FFmpegError as exc:
        raise MediaError(path, f"cannot read the audio ({exc.strerror or exc})") from exc
    audio = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    shift = int(round(offset * sample_rate))
    if shift > 0:
        audio = np.concatenate([np.zeros(shift, np.float32), audio])
    elif shift < 0:
        audio = audio[-shift:]
    return audio


def audio_slice(audio: np.ndarray, start_s: float, end_s: float, sample_rate: int = 16000) -> np.ndarray:
    """The samples of ``audio`` from ``start_s`` to ``end_s`` (clamped to the track; may be empty).

    Raises:
        ValueError: ``end_s`` is before ``start_s``.
    """
    if end_s < start_s:
        raise ValueError(f"audio slice ends ({end_s}s) before it starts ({start_s}s)")
    start = min(max(int(round(start_s * sample_rate)), 0), len(audio))
    end = min(max(int(round(end_s * sample_rate)), start), len(audio))
    return audio[start:end]
