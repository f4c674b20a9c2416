"""A person's shot correction as one undo step: the shots replaced, the clips rebuilt (``repo_shots``),
the shots before and after logged (``editlog``). Apart from ``repo_shots`` because the undo log lists
that module's row kind: neither imports the other's importer.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hhir.store import editlog, repo_media
from hhir.store.common import video_row
from hhir.store.records import Change
from hhir.store.repo_shots import ShotsKey, ShotsValue, encode_shots, rebuild
from hhir.types import Clip, Shot


def edit_shots(s: Session, video_id: int, shots: list[Shot], clip_size: int, clip_stride: int,
               clips_params: str, description: str) -> tuple[Change, list[Clip]]:
    """Replace the shots, rebuild the clips and log it as one undo step (see ``repo_shots``)."""
    video_row(s, video_id)
    key = ShotsKey(video_id, clip_size, clip_stride, clips_params)
    before_shots = repo_media.shots(s, video_id)
    clips, lost = rebuild(s, key, shots, [])
    change = Change(video_id, "shots", description, ())
    if encode_shots(before_shots) != encode_shots(shots):
        edit = editlog.RowEdit(key, ShotsValue(encode_shots(before_shots), lost), ShotsValue(encode_shots(shots), []))
        editlog.record(s, change, [edit])
    return change, clips
