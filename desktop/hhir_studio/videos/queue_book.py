"""Every video added to the project is written down at once, with where its analysis stands.

A video dropped on the window is probed and stored as a row before its analysis is queued, and
its state (queued, analyzing, done, failed, cancelled) is recorded as it changes, so a video still
waiting when the app closed is neither lost nor forgotten: the next start resumes it. The state
lives in the project's stage table (stage :data:`STAGE`), beside the pipeline's own stages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hhir.types import Video

if TYPE_CHECKING:
    from hhir.store import Store

STAGE = "app_queue"
# The stored values: "analysing" is what projects already hold, so it keeps that spelling.
QUEUED, ANALYZING, DONE, FAILED, CANCELLED = "queued", "analysing", "done", "failed", "cancelled"
UNFINISHED = (QUEUED, ANALYZING)


class QueueBook:
    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, path: str) -> Video:
        """Probe ``path`` and store it as a video in state ``queued``.

        Raises:
            MediaError: not a readable video (nothing is stored).
        """
        from hhir.media.probe import probe

        video = self.store.add_video(probe(path))
        self.mark(video.id, QUEUED)
        return video

    def mark(self, video_id: int, state: str) -> None:
        self.store.mark_stage(video_id, STAGE, state)

    def states(self) -> dict[int, str]:
        """Video id -> its recorded analysis state (videos from before this was recorded have none)."""
        return self.store.stage_params(STAGE)

    def to_resume(self) -> list[Video]:
        """Videos whose analysis was queued or running when the app last closed, plus older
        videos without a recorded state and without any scores (an interrupted analysis)."""
        from hhir.scoring.shown import has_shown_predictions

        states, store = self.states(), self.store
        out = []
        for video in store.videos():
            state = states.get(video.id)
            unscored = not has_shown_predictions(store, video.id)
            if state in UNFINISHED or (state is None and unscored):
                out.append(video)
        return out
