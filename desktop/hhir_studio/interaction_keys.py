"""Who does what to whom from the keyboard: the key handling, without Qt, so the people overlay can
wire its keys and boxes to it and it can be tested on a real project.

The flow: select the actor (Tab through the people on the frame, or click a box: :meth:`select`),
press a label's key (:meth:`label`: the span starts at the playhead), select the target (Tab, which
now skips the actor, or a click; G: the group, O: someone off-screen), Enter. The common case takes
three keystrokes once the actor is selected: the label key, Tab, Enter. ``[`` and ``]`` set the
span's start and end at the playhead while playing (before Enter), or move the last recorded
interaction's start or end after it; Escape drops the draft. With no ``]`` the span ends at the
frame shown at Enter, or runs :data:`DEFAULT_SPAN_S` from its start when the playhead has not moved.

``commit`` records a finished draft (``Store.add_interaction`` with the annotator) and returns its
id; ``adjust`` moves a recorded interaction's span (``Store.set_interaction``). Each method returns a
short line for the status bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

DEFAULT_SPAN_S = 1.0


@dataclass(frozen=True)
class Draft:
    """An interaction being entered: set fields so far (``end_frame`` exclusive)."""

    actor_id: int | None = None
    label: str | None = None
    target_kind: str | None = None
    target_id: int | None = None
    start_frame: int | None = None
    end_frame: int | None = None


class InteractionKeys:
    """The key handler of one open video (``fps`` and ``frame_count`` of its stream)."""

    def __init__(self, commit: Callable[[Draft], int], adjust: Callable[[int, int, int], None], fps: float, frame_count: int,
                 names: dict[int, str] | None = None) -> None:
        self._commit, self._adjust = commit, adjust
        self.fps, self.frame_count = fps, frame_count
        self.names = names or {}
        self.selected: int | None = None  # the character Tab or a click selected
        self.draft = Draft()
        self.last: tuple[int, int, int] | None = None  # the last recorded interaction: id, start, end

    @property
    def phase(self) -> str:
        """``actor`` (choose who), ``target`` (choose whom) or ``ready`` (Enter records)."""
        if self.draft.label is None:
            return "actor"
        return "ready" if self.draft.target_kind is not None else "target"

    def _name(self, character_id: int | None) -> str:
        return "nobody" if character_id is None else self.names.get(character_id, f"person id {character_id}")

    # selecting people -------------------------------------------------------------------------------
    def tab(self, on_frame: list[int], direction: int = 1) -> str:
        """Step to the next (or previous) person on the frame, left to right; choosing the target,
        the actor is skipped."""
        people = [c for c in on_frame if self.phase == "actor" or c != self.draft.actor_id]
        if not people:
            return "nobody else on this frame: G for the group, O for someone off-screen"
        if self.selected in people:
            chosen = people[(people.index(self.selected) + direction) % len(people)]
        else:
            chosen = people[0] if direction > 0 else people[-1]
        return self.select(chosen)

    def select(self, character_id: int) -> str:
        """Select a person (a click on their box): the actor, or after a label key the target."""
        if self.phase == "actor":
            self.selected = character_id
            return f"{self._name(character_id)}: press a label's key"
        if character_id == self.draft.actor_id:
            return f"{self._name(character_id)} is the actor; Tab to someone else, G or O"
        self.selected = character_id
        self.draft = replace(self.draft, target_kind="character", target_id=character_id)
        return self._line()

    def group(self) -> str:
        return self._other("group")

    def offscreen(self) -> str:
        return self._other("offscreen")

    def _other(self, kind: str) -> str:
        if self.phase == "actor":
            return "first a label's key, then the target"
        self.draft = replace(self.draft, target_kind=kind, target_id=None)
        return self._line()

    # the label and the span ---------------------------------------------------------------------------
    def label(self, name: str, playhead: int) -> str:
        """A label's key: the selected person is the actor, the span starts at the playhead."""
        if self.phase == "actor" and self.selected is None:
            return "select who acts first (Tab or click a box)"
        actor = self.draft.actor_id if self.phase != "actor" else self.selected
        start = self.draft.start_frame if self.draft.start_frame is not None else playhead
        self.draft = replace(self.draft, actor_id=actor, label=name, start_frame=start)
        return self._line()

    def start_here(self, playhead: int) -> str:
        """``[``: the draft's start at the playhead, or else the last recorded interaction's."""
        return self._bound(playhead, start=True)

    def end_here(self, playhead: int) -> str:
        """``]``: the draft's end (through the frame shown), or else the last recorded interaction's."""
        return self._bound(playhead, start=False)

    def _bound(self, playhead: int, start: bool) -> str:
        if self.phase == "actor":
            if self.last is None:
                return "nothing to adjust yet"
            iid, a, b = self.last
            a, b = (playhead, b) if start else (a, playhead + 1)
            a, b = self._ordered(a, b)
            self._adjust(iid, a, b)
            self.last = (iid, a, b)
            return f"interaction {iid}: frames {a}-{b}"
        if start:
            self.draft = replace(self.draft, start_frame=playhead)
        else:
            self.draft = replace(self.draft, end_frame=playhead + 1)
        return self._line()

    def _ordered(self, a: int, b: int) -> tuple[int, int]:
        """A span of at least one frame inside the video, whichever way the bounds were set."""
        a, b = min(a, b - 1), max(b, a + 1)
        a = max(0, a)
        if self.frame_count > 0:
            b = min(b, self.frame_count)
            a = min(a, b - 1)
        return a, b

    # recording ----------------------------------------------------------------------------------------
    def enter(self, playhead: int, commit: Callable[[Draft], int] | None = None) -> str:
        """Record the draft (with ``commit`` instead of the handler's own, e.g. as an adjudicated
        decision); the actor stays selected for their next interaction."""
        if self.phase != "ready":
            return "choose whom first (Tab, click, G or O)" if self.phase == "target" else "nothing to record"
        d = self.draft
        assert d.start_frame is not None
        end = d.end_frame
        if end is None:
            end = playhead + 1 if playhead > d.start_frame else d.start_frame + max(1, round(DEFAULT_SPAN_S * self.fps))
        start, end = self._ordered(d.start_frame, end)
        iid = (commit or self._commit)(replace(d, start_frame=start, end_frame=end))
        self.last = (iid, start, end)
        self.selected, self.draft = d.actor_id, Draft()
        return f"recorded {self._name(d.actor_id)} {d.label} {self._whom(d)}, frames {start}-{end}"

    def escape(self) -> str:
        actor = self.draft.actor_id
        self.draft = Draft()
        self.selected = actor if actor is not None else self.selected
        return "dropped"

    def _whom(self, d: Draft) -> str:
        return self._name(d.target_id) if d.target_kind == "character" else d.target_kind or "…"

    def _line(self) -> str:
        d = self.draft
        span = f"from frame {d.start_frame}" + (f" to {d.end_frame}" if d.end_frame is not None else "")
        hint = "Enter records" if self.phase == "ready" else "Tab, click, G or O for whom"
        return f"{self._name(d.actor_id)} {d.label} {self._whom(d)} {span}; {hint}"
