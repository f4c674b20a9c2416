"""Shot boundary corrections at the playhead: split, merge, move. The new shots are computed with
``hhir.segment.shots``' pure functions here and stored at once by the session (an annotator's edit
never waits behind an analysis); only the new clips' scores are computed in the background.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from hhir.types import Shot
from hhir_studio.player.view import PlayerView
from hhir_studio.session import ReviewSession


class ShotEditor:
    def __init__(self, session: ReviewSession, player: PlayerView) -> None:
        self.session = session
        self.player = player

    def _playhead_frame(self) -> int:
        return self.player.current_frame()

    def _apply(self, edit: Callable[[ModuleType, list[Shot], float], list[Shot]]) -> bool:
        from hhir.segment import shots as shot_ops

        data = self.session.data
        if data is None or not data.shots:
            return False
        try:
            new_shots = edit(shot_ops, data.shots, data.video.fps)
        except ValueError as exc:
            self.session.status_reported.emit(f"Cannot edit shots: {exc}")
            return False
        return self.session.edit_shots(new_shots)

    def split_at_playhead(self) -> bool:
        frame = self._playhead_frame()
        return self._apply(lambda ops, shots, fps: ops.split_shot(shots, frame, fps))

    def merge_at_playhead(self) -> bool:
        """Merge the shot under the playhead with the one after it."""
        frame = self._playhead_frame()
        return self._apply(lambda ops, shots, fps: ops.merge_shots(shots, _shot_index(shots, frame)))

    def move_nearest_cut(self) -> bool:
        """Move the cut nearest to the playhead onto the playhead."""
        frame = self._playhead_frame()

        def edit(ops: Any, shots: list[Shot], fps: float) -> list[Shot]:
            if len(shots) < 2:
                raise ValueError("the video has a single shot, there is no cut to move")
            index = min(range(1, len(shots)), key=lambda i: abs(shots[i].start_frame - frame))
            return ops.move_boundary(shots, index, frame, fps)

        return self._apply(edit)


def _shot_index(shots: Sequence[Shot], frame: int) -> int:
    for shot in shots:
        if shot.start_frame <= frame < shot.end_frame:
            return shot.index
    raise ValueError(f"frame {frame} is outside every shot")
