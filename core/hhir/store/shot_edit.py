"""A person's shot correction as one undo step: the shots replaced, the clips rebuilt with every
decision moved by the rule of ``repo_shots``, the shots and both regions logged (``editlog``). Apart
from ``repo_shots`` because the undo log lists that module's row kind: neither imports the other's
importer.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hhir.store import editlog
from hhir.store.common import video_row
from hhir.store.records import Change
from hhir.store.repo_shots import ShotsKey, ShotsValue, encode_shots, rebuild
from hhir.store.schema import ShotRow
from hhir.types import Clip, Shot


def _shots(s: Session, video_id: int) -> list[Shot]:
    cols = (ShotRow.index, ShotRow.start_frame, ShotRow.end_frame, ShotRow.start_s, ShotRow.end_s)
    return [Shot(*r) for r in s.execute(select(*cols).where(ShotRow.video_id == video_id).order_by(ShotRow.index))]


def edit_shots(s: Session, video_id: int, shots: list[Shot], clip_size: int, clip_stride: int,
               clips_params: str, description: str) -> tuple[Change, list[Clip]]:
    """Replace the shots, rebuild the clips and log it as one undo step (see ``repo_shots``)."""
    video_row(s, video_id)
    key = ShotsKey(video_id, clip_size, clip_stride, clips_params)
    before_shots = _shots(s, video_id)
    rebuilt = rebuild(s, key, shots)
    change = Change(video_id, "shots", description, ())
    if encode_shots(before_shots) != encode_shots(shots):
        before = ShotsValue(encode_shots(before_shots), [], rebuilt.before.encode())
        after = ShotsValue(encode_shots(shots), [], rebuilt.after.encode())
        editlog.record(s, change, [editlog.RowEdit(key, before, after)])
    return change, rebuilt.clips
