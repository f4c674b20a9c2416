"""Importing a transcript or shot boundaries: the video's whole transcript or shot list at once.

A video that already has a different transcript (or shot list) is a conflict unless ``replace``
is set: the transcript may hold a person's corrections, and the shots decide the clips.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hhir.errors import ImportFormatError
from hhir.exchange.apply import Resolver
from hhir.exchange.model import Conflict, ImportData, ImportOptions, ImportReport
from hhir.types import Shot, Target, TranscriptSegment, Video

if TYPE_CHECKING:
    from hhir.store import Store


def import_transcripts(store: Store, data: ImportData, fmt: str, path: str, options: ImportOptions) -> ImportReport:
    from hhir.pipeline import replace_transcript

    resolver = Resolver(store, options)
    plans = [(resolver.video(ref, path), list(segments)) for ref, segments in data.transcripts]
    conflicts, written, videos, replaced = [], 0, [], 0
    for video, segments in plans:
        current = store.transcript(video.id)
        if _same_segments(current, segments):
            continue
        if current:
            existing, imported = _segment_difference(current, segments)
            conflicts.append(Conflict(Target(video.id), "transcript", existing, imported, "", path))
            if not options.replace:
                continue
            replaced += 1  # one video's transcript
        replace_transcript(store, video.id, segments)
        written += len(segments)
        videos.append(video.id)
    return ImportReport(fmt, path, conflicts=tuple(conflicts), replaced=replaced, segments_written=written, videos=tuple(videos))


def _segment_difference(current: list[TranscriptSegment], imported: list[TranscriptSegment]) -> tuple[str, str]:
    """The first segment where two transcripts differ, as each side has it."""
    n = next((i for i, (a, b) in enumerate(zip(current, imported)) if not _same_segments([a], [b])), min(len(current), len(imported)))

    def side(segments: list[TranscriptSegment]) -> str:
        head = f"{len(segments)} segments"
        if n >= len(segments):
            return f"{head}, none from segment {n + 1}"
        seg = segments[n]
        return f"{head}, segment {n + 1} at {seg.start_s:.3f}-{seg.end_s:.3f} s: {seg.text.strip()[:60]!r}"

    return side(current), side(imported)


def _same_segments(a: list[TranscriptSegment], b: list[TranscriptSegment]) -> bool:
    key = lambda s: (round(s.start_s, 3), round(s.end_s, 3), s.text.strip())  # noqa: E731 - ids differ
    return [key(s) for s in a] == [key(s) for s in b]


def import_shots(store: Store, data: ImportData, fmt: str, path: str, options: ImportOptions) -> ImportReport:
    resolver = Resolver(store, options)
    plans = [(video, _timed(video, shots, path)) for ref, shots in data.shots for video in [resolver.video(ref, path)]]
    conflicts, written, videos, replaced = [], 0, [], 0
    for video, shots in plans:
        current = store.shots(video.id)
        if [(s.start_frame, s.end_frame) for s in current] == [(s.start_frame, s.end_frame) for s in shots]:
            continue
        if current:
            existing, imported = _first_difference(current, shots, video.fps or 25.0)
            conflicts.append(Conflict(Target(video.id), "shots", existing, imported, "", path))
            if not options.replace:
                continue
            replaced += 1  # one video's shot list
        _write_shots(store, video.id, shots)
        written += len(shots)
        videos.append(video.id)
    return ImportReport(fmt, path, conflicts=tuple(conflicts), replaced=replaced, shots_written=written, videos=tuple(videos))


def _first_difference(current: list[Shot], imported: list[Shot], fps: float) -> tuple[str, str]:
    """The first cut (or end) where two shot lists differ, as each side has it, e.g.
    ``"7 shots, cut at frame 120 (4.800 s)"`` / ``"7 shots, no cut at frame 120 (next at 126)"``."""
    ours, theirs = ({s.start_frame for s in shots[1:]} for shots in (current, imported))
    differing = sorted(ours ^ theirs)
    if not differing:  # the same cuts: the lists end differently
        return tuple(f"{len(shots)} shots, ending at frame {shots[-1].end_frame}" for shots in (current, imported))  # type: ignore[return-value]
    frame = differing[0]

    def side(shots: list[Shot], cuts: set[int]) -> str:
        if frame in cuts:
            return f"{len(shots)} shots, cut at frame {frame} ({frame / fps:.3f} s)"
        later = min((c for c in cuts if c > frame), default=None)
        return f"{len(shots)} shots, no cut at frame {frame}" + (f" (next at {later})" if later is not None else "")

    return side(current, ours), side(imported, theirs)


def _timed(video: Video, shots: tuple[Shot, ...], path: str) -> list[Shot]:
    """Shots with times from their frame numbers at the video's rate, checked against its length.

    The shots must tile the video from frame 0 (what ``replace_shots`` stores); an empty list
    would delete every clip, so it is refused too.
    """
    from hhir.segment.shots import validate_shots

    if not shots:
        raise ImportFormatError(f"{path}: no shots in the file")
    try:
        validate_shots(list(shots))
    except ValueError as exc:
        raise ImportFormatError(f"{path}: {exc}") from None
    if video.frame_count and shots[-1].end_frame > video.frame_count + 1:
        raise ImportFormatError(f"{path}: shots run to frame {shots[-1].end_frame}, the video has {video.frame_count}")
    ends = [s.end_frame for s in shots]
    if video.frame_count and ends[-1] == video.frame_count + 1 and shots[-1].start_frame < video.frame_count:
        ends[-1] = video.frame_count  # PySceneDetect's length from the duration: the decoded count is the truth
    fps = video.fps or 25.0
    return [Shot(i, s.start_frame, end, s.start_frame / fps, end / fps) for i, (s, end) in enumerate(zip(shots, ends))]


def _write_shots(store: Store, video_id: int, shots: list[Shot]) -> None:
    from hhir.pipeline import replace_shots

    # Marked as set by a person: the next analysis keeps these shots; clips are rebuilt and
    # annotations follow their time ranges.
    replace_shots(store, video_id, shots)
