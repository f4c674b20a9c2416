"""The audio track of a video as one mono waveform, decoded once and tolerant of damaged packets.

Only the span the video covers is decoded: a file may claim (or hold) far more audio than video,
e.g. 4 s of picture over a 44-hour silent track, and analysis needs none of what lies past the
last frame. Packets are decoded one at a time, so memory grows with the span, not the track.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from hhir.errors import MediaError
from hhir.media.probe import av_path

log = logging.getLogger(__name__)


def _timeline_start(container) -> float:
    """Where time 0 of the video is, so that audio sample 0 lines up with frame 0."""
    streams = container.streams.video or container.streams.audio
    stream = streams[0]
    if stream.start_time is None or not stream.time_base:
        return 0.0
    return float(stream.start_time * stream.time_base)


def _video_end(container) -> float | None:
    """Where the video's last frame ends on the container's clock; None when unknown or audio-only."""
    if not container.streams.video:
        return None
    stream = container.streams.video[0]
    if stream.duration and stream.time_base:
        start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        return start + float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000  # AV_TIME_BASE
    return None


class _Samples:
    """The waveform, written in place into one preallocated array.

    Sized from the span to decode: ``np.zeros`` takes its pages from the OS on first write, so an
    estimate that is too large costs no memory, and the peak is the waveform itself (once), not a
    list of decoded chunks plus their joined copy (twice). A short estimate grows by doubling.
    """

    def __init__(self, capacity: int) -> None:
        self.data = np.zeros(max(capacity, 1), np.float32)
        self.n = 0
        self.skip = 0

    def start_at(self, shift: int) -> None:
        """``shift`` samples of leading silence before the first decoded one (negative: drop that many)."""
        self.n, self.skip = max(shift, 0), max(-shift, 0)
        self._reserve(self.n)

    def add(self, samples: np.ndarray) -> None:
        if self.skip:
            cut = min(self.skip, len(samples))
            samples, self.skip = samples[cut:], self.skip - cut
        end = self.n + len(samples)
        self._reserve(end)
        self.data[self.n:end] = samples
        self.n = end

    def _reserve(self, size: int) -> None:
        if size > len(self.data):
            grown = np.zeros(max(size, 2 * len(self.data)), np.float32)
            grown[: self.n] = self.data[: self.n]
            self.data = grown

    def result(self) -> np.ndarray:
        return self.data[: self.n]


_MAX_ESTIMATE_S = 6 * 3600  # a header's claim never preallocates more than this (it grows if truly longer)


def _estimate(container, stream, end: float | None, origin: float, sample_rate: int) -> int:
    if end is not None:
        seconds = end - origin
    elif stream.duration and stream.time_base:
        seconds = float(stream.duration * stream.time_base)
    else:
        seconds = 60.0
    return int(min(max(seconds, 1.0), _MAX_ESTIMATE_S) * sample_rate) + sample_rate


def _decode_tolerant(container, stream, resampler, end: float | None, origin: float, sample_rate: int) -> np.ndarray:
    """Mono samples from time ``origin`` up to ``end`` (container seconds; None: the whole track)."""
    import av

    samples = _Samples(_estimate(container, stream, end, origin, sample_rate))
    started, skipped = False, 0
    for packet in container.demux(stream):
        if end is not None and packet.pts is not None and packet.time_base and float(packet.pts * packet.time_base) > end:
            break  # past the video: nothing analysis needs, however long the track claims to be
        try:
            frames = packet.decode()
        except (av.InvalidDataError, av.error.UndefinedError) as exc:
            # A damaged packet costs its own samples, not the whole track. FFmpeg reports garbage
            # as invalid data, or (AAC) as an undefined error code from avcodec_send_packet.
            skipped += 1
            log.debug("%s: damaged audio packet at %s: %s", container.name, packet.pts, exc)
            continue
        for frame in frames:
            if not started:  # sample 0 is time 0 of the video: pad (or cut) to where the audio starts
                first = float(frame.time) if frame.time is not None else origin
                samples.start_at(int(round((first - origin) * sample_rate)))
                started = True
            for out in resampler.resample(frame):
                samples.add(out.to_ndarray().reshape(-1))
    for out in resampler.resample(None):
        samples.add(out.to_ndarray().reshape(-1))
    if skipped and not started:
        raise MediaError(container.name, f"every audio packet is damaged ({skipped} of them)")
    if skipped:
        log.warning("%s: skipped %d damaged audio packets", container.name, skipped)
    return samples.result()


def extract_audio(path: str | Path, sample_rate: int = 16000) -> np.ndarray:
    """Decode the first audio stream to mono float32 at ``sample_rate``, over the video's span.

    Sample 0 is time 0 of the video (leading gaps are padded with silence); the waveform ends
    where the video does (audio past the last frame is neither decoded nor returned). An
    audio-only file, or one whose video length is unknown, is decoded whole. Packets FFmpeg
    rejects as invalid data are skipped.

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
            end, origin = _video_end(container), _timeline_start(container)
            audio = _decode_tolerant(container, container.streams.audio[0], resampler, end, origin, sample_rate)
    except av.FFmpegError as exc:
        raise MediaError(path, f"cannot read the audio ({exc.strerror or exc})") from exc
    if end is not None:
        audio = audio[: max(int(round((end - origin) * sample_rate)), 0)]
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
