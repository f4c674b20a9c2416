"""People: who is on screen (characters, tracks, boxes) and who speaks (speech turns)."""

from __future__ import annotations

from hhir.store import repo_people, rows_people
from hhir.store.base import StoreBase
from hhir.store.records import Change
from hhir.types import Character, PersonTrack, SpeechTurn


class PeopleAPI(StoreBase):
    def set_people(self, video_id: int, tracks: list[PersonTrack], groups: list[list[int]], params: str,
                   names: dict[int, str] | None = None, confirmed: bool | list[bool] = False,
                   numbers: list[int] | None = None) -> None:
        """Replace a video's people with the analysis' (or an import's): ``groups`` lists, per
        character (numbered 1, 2, ... in this order), the indices of its tracks; the stage
        ``people`` is marked with ``params``. Not an undo step: it is what analysis found.
        ``numbers``: the characters' person numbers (default 1, 2, ...); ``confirmed``: for all
        characters or one flag each."""
        with self._writing() as s:
            repo_people.set_people(s, video_id, tracks, groups, params, names, confirmed, numbers)

    def characters(self, video_id: int) -> list[Character]:
        """A video's characters by number."""
        with self._reading() as s:
            return repo_people.characters(s, video_id)

    def person_tracks(self, video_id: int) -> list[PersonTrack]:
        """A video's tracks with their stored boxes, by shot and first frame."""
        with self._reading() as s:
            return rows_people.tracks(s, video_id)

    def set_speech_turns(self, video_id: int, turns: list[SpeechTurn], params: str) -> None:
        """Replace a video's speech turns and mark the stage ``speakers`` with ``params``."""
        with self._writing() as s:
            repo_people.set_speech_turns(s, video_id, turns, params)

    def speech_turns(self, video_id: int) -> list[SpeechTurn]:
        with self._reading() as s:
            return repo_people.speech_turns(s, video_id)

    # a person's edits: each one committed, undoable (Store.undo), with its annotator ----------------
    def name_character(self, character_id: int, name: str | None, annotator: str) -> Change:
        """Name a character (confirming it), or remove its name with None."""
        with self._writing() as s:
            return repo_people.name_character(s, character_id, name, annotator)

    def confirm_character(self, character_id: int, annotator: str, confirmed: bool = True) -> Change:
        with self._writing() as s:
            return repo_people.confirm_character(s, character_id, annotator, confirmed)

    def merge_characters(self, keep_id: int, other_id: int, annotator: str) -> Change:
        """Move every track of ``other_id`` into ``keep_id`` and remove ``other_id``."""
        with self._writing() as s:
            return repo_people.merge_characters(s, keep_id, other_id, annotator)

    def split_character(self, track_ids: list[int], annotator: str) -> Change:
        """Move these tracks out of their character into a new one."""
        with self._writing() as s:
            return repo_people.assign_tracks(s, track_ids, None, annotator, new=True)

    def assign_tracks(self, track_ids: list[int], character_id: int | None, annotator: str) -> Change:
        """Put tracks in a character (None: in none)."""
        with self._writing() as s:
            return repo_people.assign_tracks(s, track_ids, character_id, annotator)

    def split_track(self, track_id: int, frame: int, annotator: str) -> tuple[Change, int]:
        """Cut a track before ``frame``; returns the change and the new (tail) track's id."""
        with self._writing() as s:
            return repo_people.split_track(s, track_id, frame, annotator)

    def merge_tracks(self, keep_id: int, other_id: int, annotator: str) -> Change:
        """Join two tracks of one shot into ``keep_id``."""
        with self._writing() as s:
            return repo_people.merge_tracks(s, keep_id, other_id, annotator)
