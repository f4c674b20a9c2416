"""Shot boundaries with PySceneDetect, and shot editing as pure functions.

Boundaries are frame indices in decode order (see :mod:`hhir.media.frames`), end exclusive; the shots
of a video always tile ``[0, frame_count)`` with no gap and no overlap.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hhir.errors import MediaError
from hhir.jobs import CancelToken, ProgressFn, no_progress
from hhir.media.probe import av_path
from hhir.types import Shot, VideoInfo

if TYPE_CHECKING:
    from hhir.media.frame_index import FrameIndex

log = logging.getLogger(__name__)
DETECTORS = ("adaptive", "content", "threshold", "histogram")
_REPORT_EVERY = 50  # frames between progress reports and cancel checks


def _detector(name: str, threshold: float | None):
    import scenedetect

    kinds = {
        "adaptive": (scenedetect.AdaptiveDetector, "adaptive_threshold"),
        "content": (scenedetect.ContentDetector, "threshold"),
        "threshold": (scenedetect.ThresholdDetector, "threshold"),
        "histogram": (scenedetect.HistogramDetector, "threshold"),
    }
    if name not in kinds:
        raise ValueError(f"unknown shot detector {name!r}; choose one of {', '.join(DETECTORS)}")
    cls, arg = kinds[name]
    return cls() if threshold is None else cls(**{arg: threshold})


def _analysis_size(width: int, height: int, downscale: int | None) -> tuple[int, int]:
    """The detection resolution: PySceneDetect's automatic factor (about 256 px wide) unless given.

    Rounded to even sides, which the fast 4:2:0 path of :func:`hhir.media.scale.to_bgr` needs.
    """
    from scenedetect.scene_manager import compute_downscale_factor

    factor = compute_downscale_factor(width) if downscale is None else max(1, downscale)
    even = lambda side: max(2, 2 * round(side / factor / 2)) if side >= 2 else 1  # noqa: E731
    return even(width), even(height)


def _cuts(path: Path, info: VideoInfo, detector, downscale: int | None, progress: ProgressFn,
          cancel: CancelToken | None) -> tuple[list[int], FrameIndex]:
    """Feed every decoded frame to ``detector``; return the cut frame indices and the frames'
    timestamps (their count is the frame count).

    Frames are decoded here rather than through PySceneDetect's SceneManager: each frame is shrunk
    to the detection size straight from the decoder's planes (:mod:`hhir.media.scale`, instead of a
    full-size BGR copy and a second resize), and no hand-off thread contends for the interpreter. Timecodes are the decode
    indices themselves, so every cut is a frame index in decode order even at a variable rate.
    """
    import av
    from scenedetect import FrameTimecode

    from hhir.media.frame_index import TimestampLog
    from hhir.media.scale import to_bgr

    cuts: list = []
    count = 0
    with av.open(av_path(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        fps = stream.average_rate or info.fps
        size = None
        timestamps = TimestampLog(container, stream)
        for frame in container.decode(stream):
            timestamps.add(frame)
            if size is None:
                size = _analysis_size(frame.width, frame.height, downscale)
            image = to_bgr(frame, size[0], size[1])
            cuts += detector.process_frame(FrameTimecode(count, fps), image)
            count += 1
            if count % _REPORT_EVERY == 0:
                if cancel is not None:
                    cancel.check()
                progress(min(count / max(info.frame_count, 1), 1.0), "Detecting shots")
        if count:
            cuts += detector.post_process(FrameTimecode(count - 1, fps))
    return sorted({c.frame_num for c in cuts if 0 < c.frame_num < count}), timestamps.index()


def shots_from_cuts(cuts: list[int], frame_count: int, fps: float) -> list[Shot]:
    """Shots tiling ``[0, frame_count)`` split at each cut frame (the first frame of a new shot)."""
    edges = [0, *sorted(c for c in set(cuts) if 0 < c < frame_count), frame_count]
    return [Shot(i, a, b, a / fps, b / fps) for i, (a, b) in enumerate(zip(edges, edges[1:]))]


def detect_shots(path: str | Path, info: VideoInfo, detector: str = "adaptive",
                 threshold: float | None = None, downscale: int | None = None,
                 progress: ProgressFn = no_progress, cancel: CancelToken | None = None) -> list[Shot]:
    """Find the shots of a video (:func:`detect_shots_and_frames` without the frame index)."""
    return detect_shots_and_frames(path, info, detector, threshold, downscale, progress, cancel)[0]


def detect_shots_and_frames(path: str | Path, info: VideoInfo, detector: str = "adaptive",
                            threshold: float | None = None, downscale: int | None = None,
                            progress: ProgressFn = no_progress,
                            cancel: CancelToken | None = None) -> tuple[list[Shot], FrameIndex]:
    """Find the shots of a video, and the timestamps of the frames decoded to find them.

    Args:
        path: The video.
        info: Its :func:`hhir.media.probe.probe` result (frame rate, estimated frame count).
        detector: ``adaptive`` (default), ``content``, ``threshold`` or ``histogram``.
        threshold: The detector's threshold; ``None`` keeps PySceneDetect's default.
        downscale: Integer factor frames are shrunk by before detection; ``None`` picks one from
            the frame width.
        progress: Called every few dozen frames.
        cancel: Checked as often; raises :class:`hhir.jobs.Cancelled`.

    Returns:
        Shots covering every decoded frame, in order (one shot when there is no cut), and the
        :class:`~hhir.media.frame_index.FrameIndex` of those frames.

    Raises:
        ValueError: unknown detector name.
        MediaError: the video cannot be decoded.
    """
    import av

    path = Path(path)
    chosen = _detector(detector, threshold)
    try:
        cuts, frames = _cuts(path, info, chosen, downscale, progress, cancel)
    except av.FFmpegError as exc:
        raise MediaError(path, f"cannot decode the video for shot detection ({exc})") from exc
    count = frames.frame_count
    if count == 0:
        raise MediaError(path, "no video frame could be decoded")
    progress(1.0, "Detecting shots")
    log.info("%s: %d cuts in %d frames (%s detector)", path.name, len(cuts), count, detector)
    return shots_from_cuts(cuts, count, info.fps), frames


def validate_shots(shots: list[Shot]) -> None:
    """Check that ``shots`` tile a range from frame 0 without gaps, overlaps or empty shots.

    Raises:
        ValueError: naming the first offending shot.
    """
    expected = 0
    for position, shot in enumerate(shots):
        if shot.index != position:
            raise ValueError(f"shot {position} carries index {shot.index}")
        if shot.start_frame != expected:
            raise ValueError(f"shot {position} starts at frame {shot.start_frame}, expected {expected}")
        if shot.end_frame <= shot.start_frame:
            raise ValueError(f"shot {position} is empty ({shot.start_frame}-{shot.end_frame})")
        expected = shot.end_frame


def _rebuild(edges: list[int], fps: float) -> list[Shot]:
    return [Shot(i, a, b, a / fps, b / fps) for i, (a, b) in enumerate(zip(edges, edges[1:]))]


def _edges(shots: list[Shot]) -> list[int]:
    validate_shots(shots)
    if not shots:
        raise ValueError("there are no shots to edit")
    return [s.start_frame for s in shots] + [shots[-1].end_frame]


def split_shot(shots: list[Shot], frame: int, fps: float) -> list[Shot]:
    """Split the shot containing ``frame`` so that a new shot starts at ``frame``.

    Raises:
        ValueError: ``frame`` is already a boundary or outside the shots.
    """
    edges = _edges(shots)
    if frame in edges or not edges[0] < frame < edges[-1]:
        raise ValueError(f"cannot split at frame {frame}: it is a boundary or outside the video")
    return _rebuild(sorted([*edges, frame]), fps)


def merge_shots(shots: list[Shot], index: int) -> list[Shot]:
    """Merge shot ``index`` with the shot after it.

    Raises:
        ValueError: ``index`` is not a shot with a successor.
    """
    validate_shots(shots)
    if not 0 <= index < len(shots) - 1:
        raise ValueError(f"cannot merge shot {index} with a next one: there are {len(shots)} shots")
    first, second = shots[index], shots[index + 1]
    merged = Shot(index, first.start_frame, second.end_frame, first.start_s, second.end_s)
    rest = [replace(s, index=i) for i, s in enumerate(shots[index + 2:], start=index + 1)]
    return [*shots[:index], merged, *rest]


def move_boundary(shots: list[Shot], index: int, new_start_frame: int, fps: float) -> list[Shot]:
    """Move the start of shot ``index`` (its boundary with the previous shot) to ``new_start_frame``.

    Raises:
        ValueError: ``index`` is the first shot or not a shot, or the move would empty a shot.
    """
    edges = _edges(shots)
    if not 1 <= index < len(shots):
        raise ValueError(f"shot {index} has no boundary with a previous shot to move")
    if not edges[index - 1] < new_start_frame < edges[index + 1]:
        raise ValueError(f"frame {new_start_frame} would leave shot {index - 1} or {index} empty")
    edges[index] = new_start_frame
    return _rebuild(edges, fps)
