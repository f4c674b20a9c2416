"""The analysis stages, in order, each committing as it finishes."""

from __future__ import annotations

import functools
import logging
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from hhir.errors import ModelError
from hhir.jobs import CancelToken, ProgressFn, no_progress, sub_progress
from hhir.pipeline.feature_cache import compute_features
from hhir.pipeline.options import AnalysisOptions
from hhir.pipeline.predict import predict_video
from hhir.scoring.active import active_model_error
from hhir.scoring.encoders import encoders_for
from hhir.store import Store
from hhir.types import Clip, Shot, TranscriptSegment, Video, VideoInfo

log = logging.getLogger(__name__)

__all__ = ["USER_SET", "analyze", "predict_video", "rebuild_clips", "replace_shots", "replace_transcript"]

# A stage marked with these params holds what a person set (corrected or imported shots, an imported
# transcript): analysis keeps it instead of computing it again, whatever its settings.
USER_SET = "user"


class _LazyAudio:
    """Extracts a video's audio once, and only if some stage needs it."""

    def __init__(self, path: Path, info: VideoInfo) -> None:
        self._path, self._info = path, info
        self._audio: np.ndarray | None = None

    def __call__(self) -> np.ndarray:
        if self._audio is None:
            from hhir.media.audio import extract_audio

            self._audio = extract_audio(self._path) if self._info.has_audio else np.zeros(0, np.float32)
        return self._audio


def analyze(
    store: Store,
    path: str | Path,
    options: AnalysisOptions = AnalysisOptions(),
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> int:
    """Analyze one video into the project database and return its video id.

    Args:
        store: the project database.
        path: the video file.
        options: detector, clip window, profile and model settings.
        progress: receives ``(fraction, message)``.
        cancel: stops the run between batches; what was committed stays.

    Raises:
        MediaError: the file is not a readable video (nothing in the database changes).
        Cancelled: the cancel token was set.
    """
    from hhir.media.probe import probe

    cancel = cancel or CancelToken()
    # absolute, not resolved: errors and the stored path name the file the user gave (a symlink
    # stays a symlink), and a symlink loop is probe's one-line error rather than resolve()'s.
    path = Path(path).absolute()
    progress(0.0, f"Reading {path.name}")
    info = probe(path)
    # A video new to the project gets its row together with its shots: a file that fails shot
    # detection (e.g. its middle is missing) leaves nothing behind.
    video = store.add_video(info) if store.video_by_fingerprint(info.fingerprint) else None
    cancel.check()
    audio = _LazyAudio(path, info)
    speech = _Speech.start(store, video, info, audio, options, cancel)  # beside shot detection, on the other core
    try:
        video, shots = _shots_stage(store, video, path, info, options, sub_progress(progress, 0.01, 0.2), cancel)
        clips = _clips_stage(store, video, shots, options)
        segments = _transcript_stage(store, video, speech, sub_progress(progress, 0.2, 0.4), cancel)
    finally:
        speech.stop()
    clips = _clip_texts(store, video.id, clips, segments)
    if options.people:
        from hhir.pipeline.people import people_stage

        people_stage(store, video, path, shots, options.people_options(), sub_progress(progress, 0.4, 0.55), cancel)
    if options.voices:
        from hhir.pipeline.voices import voices_stage

        if voices_stage(store, video, audio, sub_progress(progress, 0.55, 0.6), cancel) and speech.recognised:
            # new voices, and the words still in memory: cut the transcript where they change
            split = _split_at_turns(store, video.id, speech.recognised)
            if _times_and_texts(split) != _times_and_texts(speech.split):
                segments = store.set_transcript(video.id, split)
                clips = _clip_texts(store, video.id, clips, segments)
    if options.people and options.pairs:
        from hhir.pipeline.pairs import pairs_stage

        pairs_stage(store, video, path, cancel)
    encoders = encoders_for(store, options.profile, options.model_bundle)
    try:
        compute_features(store, video, path, clips, audio, encoders, sub_progress(progress, 0.6, 0.95), cancel,
                         batch=options.feature_batch)
        cancel.check()
        predict_video(store, video.id, options, sub_progress(progress, 0.95, 1.0), cancel, encoders=encoders)
    except ModelError as exc:
        active = store.active_model()
        if options.model_bundle or active is None or encoders.source != f"bundle:{active.id}" or "rollback" in str(exc):
            raise
        raise active_model_error(exc, active.id) from None  # its encoders load only now, on first use
    progress(1.0, f"{path.name}: done")
    return video.id


def _shots_stage(
    store: Store, video: Video | None, path: Path, info: VideoInfo, options: AnalysisOptions,
    progress: ProgressFn, cancel: CancelToken,
) -> tuple[Video, list[Shot]]:
    """The video's shots, detected unless stored; a new video (``None``) is added once they are."""
    key = options.key("detector", "threshold")
    if video is not None and (store.stage_done(video.id, "shots", key) or store.stage_done(video.id, "shots", USER_SET)):
        _frames_stage(store, video, path, info, progress, cancel)
        return video, store.shots(video.id)
    from hhir.media.frame_index import FileState
    from hhir.segment.shots import detect_shots_and_frames

    state = FileState.of(path, info.fingerprint)  # before decoding: a file changed meanwhile is decoded again
    shots, frames = detect_shots_and_frames(path, info, detector=options.detector, threshold=options.threshold,
                                            progress=progress, cancel=cancel)
    video = video or store.add_video(info)
    store.set_shots(video.id, shots)
    store.set_frame_index(video.id, frames, state)
    store.clear_stages(video.id, ["clips"])
    store.mark_stage(video.id, "shots", key)
    return video, shots


def _frames_stage(store: Store, video: Video, path: Path, info: VideoInfo, progress: ProgressFn,
                  cancel: CancelToken) -> None:
    """Decode the frame index of a video whose shots are kept, unless the project holds it for
    this very file (a project from before frame indexes, or a file replaced since)."""
    from hhir.media.frame_index import FileState, build_frame_index
    from hhir.pipeline.frames import kept_frame_index

    if kept_frame_index(store, video, path) is None:
        state = FileState.of(path, info.fingerprint)
        store.set_frame_index(video.id, build_frame_index(path, info.frame_count, progress, cancel), state)


def _clips_stage(store: Store, video: Video, shots: list[Shot], options: AnalysisOptions) -> list[Clip]:
    key = options.key("detector", "threshold", "clip_size", "clip_stride")
    if store.stage_done(video.id, "clips", key):
        return store.clips(video.id)
    from hhir.segment.clips import build_clips

    clips = store.set_clips(video.id, build_clips(shots, size=options.clip_size, stride=options.clip_stride))
    store.mark_stage(video.id, "clips", key)
    return clips


class _Speech:
    """The transcript, recognised on a worker thread while shot detection decodes the video.

    Speech recognition needs only the audio, shot detection only the frames: each keeps about one
    core busy, so on a machine with two or more they overlap. The worker only computes; the
    database is written on the calling thread (:func:`_transcript_stage`). Its progress is relayed
    from there, and it stops at the next segment when the run is cancelled or fails.
    """

    def __init__(self, key: str, stored: bool) -> None:
        self.key, self.stored = key, stored
        self.recognised: list[TranscriptSegment] = []
        """The segments as recognised, with their words (which the store does not keep)."""
        self.split: list[TranscriptSegment] = []
        """What was stored: ``recognised`` cut where the voice changes."""
        self._future: Future[list[TranscriptSegment]] | None = None
        self._stop = CancelToken()
        self._latest: tuple[float, str] = (0.0, "Transcribing speech")

    @classmethod
    def start(cls, store: Store, video: Video | None, info: VideoInfo, audio: _LazyAudio, options: AnalysisOptions,
              cancel: CancelToken) -> _Speech:
        """Start recognising, unless the transcript is stored (a video new to the project has none)."""
        from hhir.models.profiles import get_profile

        model = get_profile(options.profile).asr_model
        key = f"asr:{model}"
        stored = video is not None and (store.stage_done(video.id, "transcript", key)
                                        or store.stage_done(video.id, "transcript", USER_SET))
        speech = cls(key, stored)
        if not speech.stored and info.has_audio:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hhir-speech")
            speech._future = pool.submit(speech._run, model, audio, cancel)
            pool.shutdown(wait=False)  # the thread ends with its one task
        return speech

    def _run(self, model: str, audio: _LazyAudio, cancel: CancelToken) -> list[TranscriptSegment]:
        either = _EitherCancel(cancel, self._stop)
        either.check()
        samples = audio()
        return transcriber(model).transcribe(samples, progress=self._note, cancel=either)

    def _note(self, fraction: float, message: str) -> None:
        self._latest = (fraction, message)

    def result(self, progress: ProgressFn, cancel: CancelToken) -> list[TranscriptSegment]:
        """The recognised segments (empty without audio), relaying progress until they are ready."""
        from concurrent.futures import wait

        if self._future is None:
            return []
        while not wait([self._future], timeout=0.2).done:
            progress(*self._latest)
            cancel.check()
        return self._future.result()

    def stop(self) -> None:
        """Ask the worker to stop (it does at its next segment) and wait for it."""
        self._stop.cancel()
        if self._future is not None:
            from concurrent.futures import wait

            wait([self._future])


class _EitherCancel(CancelToken):
    """Set when either token is: the run's own, or the one that stops a worker."""

    def __init__(self, *tokens: CancelToken) -> None:
        super().__init__()
        self._tokens = tokens

    @property
    def cancelled(self) -> bool:
        return any(t.cancelled for t in self._tokens)

    def check(self) -> None:
        for token in self._tokens:
            token.check()


def _transcript_stage(
    store: Store, video: Video, speech: _Speech, progress: ProgressFn, cancel: CancelToken,
) -> list[TranscriptSegment]:
    if speech.stored:
        return store.transcript(video.id)
    progress(0.0, "Transcribing speech")
    speech.recognised = speech.result(progress, cancel)
    # cut at the stored voices' changes already (a new transcript of a video whose voices are
    # known): a person's edit of a cut segment is then kept (Store.set_transcript)
    speech.split = _split_at_turns(store, video.id, speech.recognised)
    segments = store.set_transcript(video.id, speech.split)
    store.mark_stage(video.id, "transcript", speech.key)
    return segments


def _split_at_turns(store: Store, video_id: int, recognised: list[TranscriptSegment]) -> list[TranscriptSegment]:
    """The recognised segments cut where the stored speech turns' voice changes, except those a
    person has edited (:func:`hhir.pipeline.voices.split_at_turns`)."""
    turns = store.speech_turns(video_id)
    if not turns or not any(s.words for s in recognised):
        return recognised
    from hhir.pipeline.voices import split_at_turns

    return split_at_turns(recognised, turns, store.edited_segments(video_id))


def _times_and_texts(segments: list[TranscriptSegment]) -> list[tuple[float, float, str]]:
    return [(s.start_s, s.end_s, s.text) for s in segments]


def _clip_texts(store: Store, video_id: int, clips: list[Clip], segments: list[TranscriptSegment]) -> list[Clip]:
    """Each clip's text is the (possibly corrected) transcript overlapping it; cheap, so always fresh."""
    from hhir.segment.clips import clip_text

    texts = {c.id: clip_text(c, segments) for c in clips}
    if any(texts[c.id] != c.text for c in clips):
        store.set_clip_texts(video_id, texts)
        clips = store.clips(video_id)
    return clips


@functools.lru_cache(maxsize=2)
def transcriber(model: str):
    """One loaded speech model per process: the app analyzes many videos in a row."""
    from hhir.speech.asr import Transcriber

    return Transcriber(model)


def replace_shots(store: Store, video_id: int, shots: list[Shot], options: AnalysisOptions = AnalysisOptions(),
                  description: str | None = None) -> list[Clip]:
    """Store shots a person corrected or imported and rebuild the clips: one transaction, one undo
    step (:func:`hhir.pipeline.shot_edits.replace_shots`)."""
    from hhir.pipeline import shot_edits

    return shot_edits.replace_shots(store, video_id, shots, options, description)


def replace_transcript(store: Store, video_id: int, segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
    """Store an imported transcript, keep it from re-transcription, and refresh the clip texts."""
    stored = store.set_transcript(video_id, segments)
    store.mark_stage(video_id, "transcript", USER_SET)
    _clip_texts(store, video_id, store.clips(video_id), stored)
    return stored


def rebuild_clips(store: Store, video_id: int, options: AnalysisOptions = AnalysisOptions()) -> list[Clip]:
    """Rebuild a video's clips from its (corrected) shots; annotations follow their time ranges.

    Features of new clips are computed on the next analysis; predictions are refreshed from what is
    cached now.
    """
    from hhir.segment.clips import build_clips

    shots = store.shots(video_id)
    clips = store.set_clips(video_id, build_clips(shots, size=options.clip_size, stride=options.clip_stride))
    store.mark_stage(video_id, "clips", options.key("detector", "threshold", "clip_size", "clip_stride"))
    return _clip_texts(store, video_id, clips, store.transcript(video_id))

