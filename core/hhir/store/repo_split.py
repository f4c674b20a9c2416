"""The project's fixed train / validation / test split, one row per video fingerprint."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hhir.errors import StoreError
from hhir.store.common import now_iso
from hhir.store.records import VideoSide
from hhir.store.schema import VideoSplitRow

SIDES = ("train", "validation", "test")


def _check_side(side: str) -> None:
    if side not in SIDES:
        raise StoreError(f"a split side is one of {', '.join(SIDES)}, not {side!r}")


def _to_side(row: VideoSplitRow) -> VideoSide:
    return VideoSide(row.fingerprint, row.side, row.film, row.seed, row.assigned_at, row.moved_at)


def sides(s: Session) -> dict[str, VideoSide]:
    return {r.fingerprint: _to_side(r) for r in s.scalars(select(VideoSplitRow))}


def assign(s: Session, entries: list[tuple[str, str, str | None]], seed: int) -> list[VideoSide]:
    """Store sides for ``(fingerprint, side, film)`` of videos that have none; existing rows are kept."""
    now, out = now_iso(), []
    for fingerprint, side, film in entries:
        _check_side(side)
        if s.get(VideoSplitRow, fingerprint) is None:
            row = VideoSplitRow(fingerprint=fingerprint, side=side, film=film, seed=seed, assigned_at=now)
            s.add(row)
            out.append(_to_side(row))
    s.flush()
    return out


def move(s: Session, fingerprints: list[str], side: str) -> list[VideoSide]:
    """Move assigned videos to ``side`` (by hand); returns their rows before the move."""
    _check_side(side)
    now, before = now_iso(), []
    for fingerprint in fingerprints:
        row = s.get(VideoSplitRow, fingerprint)
        if row is None:
            raise StoreError(f"video {fingerprint[:12]} has no side yet (it gets one when it is first annotated and trained on)")
        before.append(_to_side(row))
        row.side, row.moved_at = side, now
    s.flush()
    return before



def set_film(s: Session, fingerprints: list[str], film: str | None) -> None:
    """Name the film of assigned videos (None: no film)."""
    for fingerprint in fingerprints:
        row = s.get(VideoSplitRow, fingerprint)
        if row is None:
            raise StoreError(f"video {fingerprint[:12]} has no side yet")
        row.film = film or None
    s.flush()
