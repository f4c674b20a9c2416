"""What a people file says, as the formats read it (``hhir.exchange.people_io`` stores it)."""

from __future__ import annotations

from dataclasses import dataclass

from hhir.types import PersonTrack


@dataclass(frozen=True)
class PeopleImport:
    """What a file says about a video's people: tracks, and per character the indices of its tracks,
    its person number, name and whether a person confirmed it."""

    tracks: list[PersonTrack]
    groups: list[list[int]]
    numbers: list[int]
    names: list[str | None]
    confirmed: list[bool]
