"""The project's fixed train / validation / test split (see ``hhir.learn.split`` for the rule)."""

from __future__ import annotations

from hhir.store import repo_split
from hhir.store.base import StoreBase
from hhir.store.records import VideoSide


class SplitAPI(StoreBase):
    def video_sides(self) -> dict[str, VideoSide]:
        """Video fingerprint -> its stored side; videos never assigned are absent."""
        with self._reading() as s:
            return repo_split.sides(s)

    def assign_sides(self, entries: list[tuple[str, str, str | None]], seed: int) -> list[VideoSide]:
        """Store ``(fingerprint, side, film)`` for videos without a side (assigned ones never change here)."""
        with self._writing() as s:
            return repo_split.assign(s, entries, seed)

    def move_videos(self, fingerprints: list[str], side: str) -> list[VideoSide]:
        """Move videos to another side by hand; returns their sides before the move."""
        with self._writing() as s:
            return repo_split.move(s, fingerprints, side)

    def set_film(self, fingerprints: list[str], film: str | None) -> None:
        """Name the film the videos' scenes come from (they share a side); None clears it."""
        with self._writing() as s:
            repo_split.set_film(s, fingerprints, film)
