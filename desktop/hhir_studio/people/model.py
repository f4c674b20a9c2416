"""The open video's people as the views need them, read once per change (no Qt here).

Boxes are looked up by decoded frame index, the index the player shows (``PlayerView.current_frame``):
a track's stored box on that frame, or the box interpolated between the two stored around it
(:meth:`hhir.types.PersonTrack.box_at`), as the exports do.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hhir.types import Character, PersonTrack, SpeechTurn

if TYPE_CHECKING:
    from hhir.store import Store

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class OnScreen:
    """One person on one frame: the track, its character (None: nobody yet) and the box there."""

    track: PersonTrack
    character: Character | None
    box: Box

    @property
    def label(self) -> str:
        return character_label(self.character)


def character_label(character: Character | None) -> str:
    """What the picture and the lanes call a character: its name, else ``person N``."""
    if character is None:
        return "nobody"
    return character.name or f"person {character.number}"


@dataclass(frozen=True)
class Lane:
    """A character's row on the timeline: when their tracks show them and when they speak (seconds)."""

    character: Character
    on_screen: tuple[tuple[float, float], ...]
    speaking: tuple[tuple[float, float], ...]

    @property
    def label(self) -> str:
        return character_label(self.character)


@dataclass(frozen=True)
class PeopleSnapshot:
    """A video's characters, tracks (with their stored boxes) and speech turns."""

    video_id: int
    fps: float
    characters: tuple[Character, ...] = ()
    tracks: tuple[PersonTrack, ...] = ()
    turns: tuple[SpeechTurn, ...] = ()
    _by_id: dict[int, Character] = field(init=False, repr=False, compare=False)
    _starts: list[int] = field(init=False, repr=False, compare=False)
    _reach: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.tracks, key=lambda t: (t.start_frame, t.id)))
        object.__setattr__(self, "tracks", ordered)
        object.__setattr__(self, "_by_id", {c.id: c for c in self.characters})
        object.__setattr__(self, "_starts", [t.start_frame for t in ordered])
        object.__setattr__(self, "_reach", max((t.end_frame - t.start_frame for t in ordered), default=0))

    @classmethod
    def read(cls, store: Store, video_id: int, fps: float) -> PeopleSnapshot:
        """One video's people from ``store`` (a :class:`hhir.store.Store`)."""
        return cls(video_id, fps, tuple(store.characters(video_id)), tuple(store.person_tracks(video_id)),
                   tuple(store.speech_turns(video_id)))

    def character(self, character_id: int | None) -> Character | None:
        return self._by_id.get(character_id) if character_id is not None else None

    def at(self, frame: int) -> list[OnScreen]:
        """Who is on ``frame``, left to right (the order Tab steps through)."""
        lo = bisect.bisect_left(self._starts, frame - self._reach)
        hi = bisect.bisect_right(self._starts, frame)
        found = []
        for track in self.tracks[lo:hi]:
            box = track.box_at(frame)
            if box is not None:
                found.append(OnScreen(track, self.character(track.character_id), box))
        return sorted(found, key=lambda o: (o.box[0], o.track.id))

    def names(self) -> list[str]:
        """The names already given, for type-ahead."""
        return sorted({c.name for c in self.characters if c.name})

    def lanes(self) -> list[Lane]:
        """One lane per character, by number: their tracks' spans and their speech turns."""
        out = []
        for c in sorted(self.characters, key=lambda c: c.number):
            spans = sorted((t.start_frame / self.fps, (t.end_frame + 1) / self.fps)
                           for t in self.tracks if t.character_id == c.id)
            spoken = sorted((s.start_s, s.end_s) for s in self.turns if s.character_id == c.id)
            out.append(Lane(c, tuple(spans), tuple(spoken)))
        return out


def step(current: int | None, count: int, direction: int) -> int | None:
    """The next (``direction`` 1) or previous (-1) of ``count`` people on screen after ``current``,
    wrapping around; None when nobody is on screen."""
    if count == 0:
        return None
    if current is None or not 0 <= current < count:
        return 0 if direction > 0 else count - 1
    return (current + direction) % count
