"""Small helpers shared by the repositories."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session

from hhir.errors import StoreError
from hhir.store.schema import VideoRow

WRITE_OPTION = "hhir_write"  # execution option of the connections that write (BEGIN IMMEDIATE)
TIME_TOLERANCE_S = 0.001  # clips re-attach by time range within a millisecond


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def same_range(a_start: float | None, a_end: float | None, b_start: float | None, b_end: float | None) -> bool:
    if a_start is None or a_end is None or b_start is None or b_end is None:
        return False
    tol = TIME_TOLERANCE_S + 1e-9
    return abs(a_start - b_start) <= tol and abs(a_end - b_end) <= tol


def video_row(s: Session, video_id: int) -> VideoRow:
    row = s.get(VideoRow, video_id)
    if row is None:
        raise StoreError(f"no video with id {video_id} in this project")
    return row

