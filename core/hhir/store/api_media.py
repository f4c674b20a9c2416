"""Videos, stage bookkeeping, shots, clips and the transcript."""

from __future__ import annotations

from collections.abc import Sequence

from hhir.store import repo_annotations, repo_clips, repo_media, repo_models, shot_edit
from hhir.store.base import StoreBase
from hhir.store.common import video_row
from hhir.store.records import Change, VideoState
from hhir.media.frame_index import FileState, FrameIndex
from hhir.types import Clip, Shot, TranscriptSegment, Video, VideoInfo


class MediaAPI(StoreBase):
    # videos -------------------------------------------------------------------------------------
    def add_video(self, info: VideoInfo) -> Video:
        """Add a video, or return the one with the same fingerprint (its path updated)."""
        with self._writing() as s:
            return repo_media.add_video(s, info)

    def video(self, video_id: int) -> Video:
        """The video with this id; StoreError when there is none."""
        with self._reading() as s:
            return repo_media.to_video(video_row(s, video_id))

    def videos(self) -> list[Video]:
        """Every video of the project, in the order they were added."""
        with self._reading() as s:
            return repo_media.videos(s)

    def video_state(self, video_id: int, annotator: str | None, models: Sequence[str | None] = (None,)) -> VideoState:
        """A video's shots, clips, transcript, predictions (those of the first of ``models`` that
        scored it; None: the active model; the app passes ``hhir.scoring.shown.SHOWN_MODELS``),
        ``annotator``'s annotations and review marks, and the active model, all from one read
        transaction (one snapshot of the file, however many writers run). ``models=()`` reads no
        predictions (None)."""
        with self._reading() as s:
            predictions = None
            for model_id in models:
                predictions = repo_models.predictions(s, video_id, model_id)
                if predictions is not None:
                    break
            return VideoState(
                video=repo_media.to_video(video_row(s, video_id)), shots=repo_media.shots(s, video_id),
                clips=repo_clips.clips(s, video_id), segments=repo_media.transcript(s, video_id),
                predictions=predictions, annotations=repo_annotations.find_annotations(s, video_id, annotator),
                reviewed=repo_annotations.reviewed(s, video_id, annotator), active_model=repo_models.active_model(s),
            )

    def clip_state(self, video_id: int, clip_id: int, annotator: str | None, models: Sequence[str | None] = (None,)) -> VideoState | None:
        """What the label panel shows of one clip, read before the whole video (a film has ~20,000
        clips and ~140,000 scores): :meth:`video_state` narrowed to that clip and the scene, in one
        read transaction of indexed queries. ``clips`` holds only that clip; ``shots`` and
        ``segments`` are empty; None when the video has no such clip."""
        with self._reading() as s:
            clip = repo_clips.clip(s, video_id, clip_id)
            if clip is None:
                return None
            ids = (clip_id,)
            predictions = None
            for model_id in models:
                predictions = repo_models.predictions(s, video_id, model_id, clip_ids=ids)
                if predictions is not None:
                    break
            return VideoState(
                video=repo_media.to_video(video_row(s, video_id)), shots=[], clips=[clip], segments=[], predictions=predictions,
                annotations=repo_annotations.find_annotations(s, video_id, annotator, clip_ids=ids),
                reviewed=repo_annotations.reviewed(s, video_id, annotator, clip_ids=ids), active_model=repo_models.active_model(s),
            )

    def video_by_fingerprint(self, fingerprint: str) -> Video | None:
        """The video with this content fingerprint, or None."""
        with self._reading() as s:
            return repo_media.video_by_fingerprint(s, fingerprint)

    # stage bookkeeping --------------------------------------------------------------------------
    def stage_done(self, video_id: int, stage: str, params: str) -> bool:
        """Whether ``stage`` finished for this video with exactly these ``params``."""
        with self._reading() as s:
            return repo_media.stage_done(s, video_id, stage, params)

    def mark_stage(self, video_id: int, stage: str, params: str) -> None:
        """Record that ``stage`` finished for this video with these ``params`` (e.g. a settings hash)."""
        with self._writing() as s:
            repo_media.mark_stage(s, video_id, stage, params)

    def stage_params(self, stage: str) -> dict[int, str]:
        """Video id -> the params ``stage`` was last marked with, for every video that has it."""
        with self._reading() as s:
            return repo_media.stage_params(s, stage)

    def clear_stages(self, video_id: int, stages: list[str] | None = None) -> None:
        """Forget finished stages (all when ``stages`` is None) so the next run redoes them."""
        with self._writing() as s:
            repo_media.clear_stages(s, video_id, stages)

    # frame index ---------------------------------------------------------------------------------
    def set_frame_index(self, video_id: int, index: FrameIndex, state: FileState) -> None:
        """Keep the video's decoded frames (:mod:`hhir.media.frame_index`), decoded from the file in ``state``."""
        with self._writing() as s:
            repo_media.set_frame_index(s, video_id, index, state)

    def frame_index(self, video_id: int) -> tuple[FrameIndex, FileState] | None:
        """The kept frame index and the file state it was decoded from; None when there is none
        (or it is damaged). Whether the file is still that one: ``hhir.media.frame_index.index_matches``."""
        with self._reading() as s:
            return repo_media.frame_index(s, video_id)

    # structure ----------------------------------------------------------------------------------
    def set_shots(self, video_id: int, shots: list[Shot]) -> None:
        """Replace the shots of a video."""
        with self._writing() as s:
            repo_media.set_shots(s, video_id, shots)

    def edit_shots(self, video_id: int, shots: list[Shot], clip_size: int, clip_stride: int, clips_params: str,
                   description: str) -> tuple[Change, list[Clip]]:
        """Shots a person corrected, in one transaction and one undo step: the shots (marked as set
        by a person), clips rebuilt from them with ``clip_size``/``clip_stride`` (annotations follow
        their time range), clip texts, and the clips stage marked with ``clips_params``. Undo
        rebuilds the clips from the old shots and gives back the review marks of removed clips.

        Returns:
            The change (kind ``shots``) and the stored clips.
        """
        with self._writing() as s:
            return shot_edit.edit_shots(s, video_id, shots, clip_size, clip_stride, clips_params, description)

    def shots(self, video_id: int) -> list[Shot]:
        """The shots of a video, by index."""
        with self._reading() as s:
            return repo_media.shots(s, video_id)

    def set_clips(self, video_id: int, clips: list[Clip]) -> list[Clip]:
        """Replace the clips; annotations follow their time range and are never deleted.

        Returns:
            The stored clips with their ids (a clip whose time range existed keeps its id).
        """
        with self._writing() as s:
            return repo_clips.set_clips(s, video_id, clips)

    def clips(self, video_id: int) -> list[Clip]:
        """The clips of a video (with ids), by index."""
        with self._reading() as s:
            return repo_clips.clips(s, video_id)

    def clip_count(self, video_id: int) -> int:
        """How many clips a video has (a count query: no rows are read)."""
        with self._reading() as s:
            return repo_clips.clip_count(s, video_id)

    def set_clip_texts(self, video_id: int, texts: dict[int, str]) -> None:
        """Set the transcript text of clips, by clip id."""
        with self._writing() as s:
            repo_clips.set_clip_texts(s, video_id, texts)

    def set_transcript(self, video_id: int, segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
        """Replace the transcript; returns the segments with ids, in time order."""
        with self._writing() as s:
            return repo_media.set_transcript(s, video_id, segments)

    def edited_segments(self, video_id: int) -> list[TranscriptSegment]:
        """The segments a person has edited, with the machine's text (not the person's)."""
        with self._reading() as s:
            return repo_media.edited_segments(s, video_id)

    def transcript(self, video_id: int) -> list[TranscriptSegment]:
        """The transcript segments of a video (with ids), in time order."""
        with self._reading() as s:
            return repo_media.transcript(s, video_id)
