"""The project's frame index of a video (:mod:`hhir.media.frame_index`): the one kept for the file
as it is now, or decoded and kept.

Analysis keeps it while detecting shots; :func:`ensure_frame_index` decodes it for a video the
project has not analysed (the app runs it in the background when it opens one) or whose file
changed since. :func:`kept_frame_index` only reads: a stat of the file, and its fingerprint when
only the modification time differs.
"""

from __future__ import annotations

import logging
from pathlib import Path

from hhir.jobs import CancelToken, ProgressFn, no_progress
from hhir.media.frame_index import FileState, FrameIndex, build_frame_index, index_matches
from hhir.store import Store
from hhir.types import Video

log = logging.getLogger(__name__)


def kept_frame_index(store: Store, video: Video, path: str | Path | None = None) -> FrameIndex | None:
    """The kept index of ``video`` if it was decoded from the file now at ``path`` (its stored
    path by default), else None."""
    kept = store.frame_index(video.id)
    if kept is None:
        return None
    index, state = kept
    return index if index_matches(state, path or video.path) else None


def ensure_frame_index(store: Store, video_id: int, progress: ProgressFn = no_progress,
                       cancel: CancelToken | None = None) -> FrameIndex:
    """The kept index of the video's file, decoded and kept first when there is none for the file
    as it is now.

    Raises:
        MediaError: the file cannot be read or decoded.
        Cancelled: ``cancel`` was set.
    """
    video = store.video(video_id)
    index = kept_frame_index(store, video)
    if index is not None:
        return index
    state = FileState.of(video.path)  # before decoding: a file changed meanwhile is decoded again next time
    index = build_frame_index(video.path, video.frame_count, progress, cancel)
    store.set_frame_index(video_id, index, state)
    log.info("%s: frame index kept (%d frames)", Path(video.path).name, index.frame_count)
    return index
