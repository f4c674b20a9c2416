"""Who does what to whom, from the keyboard, in the window: the keys of
:class:`hhir_studio.interaction_keys.InteractionKeys` wired to the people overlay, and a list of the
selected person's interactions (an "Interactions" dock) to jump to and delete.

The rule for the keys that already had a meaning (README, keys table):
- a label's key (1..9) starts an interaction while a person is selected on the picture (Tab or a
  click); with nobody selected it toggles the clip's label as before. Escape drops an interaction
  being made; with none, it clears the person's selection (the label keys act on the clip again);
- while an interaction is being made (after its label key, before Enter or Escape): Tab and
  Shift+Tab pick the target (skipping the actor), Enter (Return) records it instead of "reviewed,
  next", and ``[`` ``]`` set the span's start and end at the playhead instead of the playback speed.

Each record is one committed, undoable store step with the annotator (Ctrl+Z undoes it), made on
this thread as the label edits are; the clips' labels it implies show at once (a re-read).

A click on a box selects the person as Tab does (the actor; while an interaction is being made,
whom). Where annotators disagree, D and the dock's adjudication panel
(:mod:`hhir_studio.people.adjudication`).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from hhir.errors import HHIRError
from hhir.types import Interaction
from hhir_studio.actions import ActionRegistry, ActionSpec
from hhir_studio.interaction_keys import Draft, InteractionKeys
from hhir_studio.labels import logic
from hhir_studio.people.model import character_label

if TYPE_CHECKING:
    from hhir_studio.main_window import MainWindow

MENU = "&People"


class InteractionList(QListWidget):
    """The selected person's interactions (as actor or target), or the whole video's with nobody
    selected, by start frame; a row's selection seeks to its start."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("interactionList")
        self.ids: list[int] = []
        self.records: list[Interaction] = []  # the rows' interactions as last read


class InteractionController:
    """The interaction keys of the open video and the Interactions dock."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.session = window.session
        self.people = window.people
        self.keys: InteractionKeys | None = None
        self._video_id: int | None = None
        self.list = InteractionList()
        self._listed_for: tuple[int | None, int | None] = (None, None)  # (video, person) the list shows
        self.list.currentRowChanged.connect(self._jump)
        self.session.data_changed.connect(self._on_data_changed)
        self.people.people_changed.connect(self._refresh_list)
        # the selection also ends when the person leaves the picture: the list follows it
        window.player.position_changed.connect(self._follow_selection)
        self.people.overlay.clicked.connect(self.click)
        from hhir_studio.people.adjudication import AdjudicationController

        self.adjudication = AdjudicationController(self)
        self.dock: QDockWidget | None = None

    # --- the keys ------------------------------------------------------------------------
    def register(self, registry: ActionRegistry) -> None:
        making = self.making
        for n in range(1, 10):
            registry.divert(f"label.{n}", partial(self.label_key, n), self._person_selected)
        registry.divert("play.slower", lambda: making() and self._say(self._k().start_here(self._frame())), making)
        registry.divert("play.faster", lambda: making() and self._say(self._k().end_here(self._frame())), making)
        registry.divert("review.reviewed_next", lambda: making() and self.enter(), making)
        # choosing whom: Tab on the picture (in a panel it moves the focus, as the people's Tab does)
        registry.divert("people.next", lambda: self.tab(1) if self._choosing() else self._cycled(1), making)
        registry.divert("people.prev", lambda: self.tab(-1) if self._choosing() else self._cycled(-1), making)
        add = registry.register
        add(ActionSpec("interaction.group", "Target: the &group", ("G",), MENU,
                       tip="While an interaction is being made: its target is the group in frame"),
            lambda: self._say(self._k().group()), making)
        add(ActionSpec("interaction.offscreen", "Target: someone &off-screen", ("O",), MENU,
                       tip="While an interaction is being made: its target is someone off-screen"),
            lambda: self._say(self._k().offscreen()), making)
        add(ActionSpec("interaction.escape", "Drop the interaction, or clear the selection", ("Escape",), MENU,
                       tip="Drops the interaction being made; else unselects the person (label keys act on the clip again)"),
            self.escape, lambda: making() or self.people.selected is not None)
        delete = add(ActionSpec("interaction.delete", "&Delete the interaction chosen in the list", ("Delete",), MENU,
                                tip="In the Interactions list: deletes the chosen row (undoable)"),
                     self.delete_current, lambda: self.list.currentRow() >= 0)
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # only with the list focused
        self.list.addAction(delete)
        # A on a suggested pair chosen in the list (the list focused) accepts it; elsewhere A accepts the clip's suggestions
        registry.divert("review.accept", self.accept_current, self._suggestion_chosen)
        self.adjudication.register(registry)

    def _cycled(self, direction: int) -> bool:
        """Tab with no interaction being made: the people's own selection, then this person's list."""
        self.people.cycle(direction)
        self._refresh_list()
        return True

    def making(self) -> bool:
        """Whether an interaction is being made (its label key pressed, not yet recorded or dropped)."""
        return self.keys is not None and self.keys.phase != "actor"

    def _choosing(self) -> bool:
        return self.making() and self.people._watching()

    def _person_selected(self) -> bool:
        return self.people.selected_person() is not None and self.session.data is not None

    def _k(self) -> InteractionKeys:
        assert self.keys is not None
        return self.keys

    def _frame(self) -> int:
        return self.window.player.current_frame()

    def _say(self, line: str) -> bool:
        self.session.status_reported.emit(line)
        self._refresh_list()
        self.window.registry.refresh()
        return True

    def label_key(self, number: int) -> bool:
        """A label's key: starts an interaction of the selected person (True), or, with nobody
        selected, leaves the key to the clip's label (False)."""
        keys = self.keys
        if keys is None or (not self.making() and self.people.selected_person() is None):
            return False
        label = logic.label_for_key(self.session.labels, number)
        if label is None:
            return self._say(f"No label on key {number}")
        if not self.making():
            person = self.people.selected_person()
            assert person is not None
            if person.character is None:
                return self._say("This track belongs to nobody yet: put it in a character first")
            keys.selected = person.character.id
        return self._say(keys.label(label.name, self._frame()))

    def tab(self, direction: int) -> bool:
        """Tab while choosing whom: the next person on the frame other than the actor."""
        keys = self._k()
        self.people.update_frame()
        on_frame = [o.character.id for o in self.people.on_screen if o.character is not None]
        line = keys.tab(on_frame, direction)
        chosen = next((o for o in self.people.on_screen if o.character is not None and o.character.id == keys.draft.target_id), None)
        if chosen is not None:
            self.people.selected = chosen.track.id
            self.people.update_frame()
        return self._say(line)

    def click(self, track_id: int | None) -> None:
        """A click on the picture: while an interaction is being made, a box chooses whom (as Tab
        does); otherwise it selects the actor (off every box: nobody)."""
        self.window.player.setFocus()  # the keys that follow act on the picture
        if not self.making():
            self.people.select_track(track_id)
            self._refresh_list()
            return
        person = next((o for o in self.people.on_screen if o.track.id == track_id), None)
        if person is None:
            return
        if person.character is None:
            self._say("This track belongs to nobody yet: put it in a character first")
            return
        line = self._k().select(person.character.id)
        if self._k().draft.target_id == person.character.id:
            self.people.selected = person.track.id
            self.people.update_frame()
        self._say(line)

    def enter(self) -> bool:
        keys = self._k()
        actor = keys.draft.actor_id
        try:
            line = keys.enter(self._frame())
        except HHIRError as exc:
            return self._say(f"Not recorded: {exc}")
        # the actor stays selected for their next interaction
        track = next((o.track.id for o in self.people.on_screen if o.character is not None and o.character.id == actor), None)
        if track is not None:
            self.people.selected = track
            self.people.update_frame()
        self.session.reload()  # the clips' labels it implies
        return self._say(line)

    def escape(self) -> None:
        if self.making():
            self._say(self._k().escape())
            return
        self.people.selected = None
        self.people.update_frame()
        self._say("No one selected: the label keys act on the clip")

    def _commit(self, draft: Draft) -> int:
        data = self.session.data
        assert data is not None and draft.actor_id is not None and draft.label is not None
        assert draft.target_kind is not None and draft.start_frame is not None and draft.end_frame is not None
        _change, interaction_id = self.session.store.add_interaction(
            data.video.id, draft.actor_id, draft.label, draft.target_kind, draft.target_id,
            draft.start_frame, draft.end_frame, self.session.annotator)
        return interaction_id

    def _adjust(self, interaction_id: int, start: int, end: int) -> None:
        self.session.store.set_interaction(interaction_id, self.session.annotator, start_frame=start, end_frame=end)
        self.session.reload()

    # --- the open video ------------------------------------------------------------------
    def _on_data_changed(self) -> None:
        data = self.session.data
        if data is None or data.video.id != self._video_id:
            self.adjudication.current, self.adjudication._at = None, None
        if data is None:
            self.keys, self._video_id = None, None
        elif data.video.id != self._video_id:
            frames = data.shots[-1].end_frame if data.shots else data.video.frame_count
            self.keys = InteractionKeys(self._commit, self._adjust, data.video.fps, frames)
            self._video_id = data.video.id
        self._refresh_list()
        self.adjudication.refresh()

    def _names(self) -> dict[int, str]:
        snapshot = self.people.snapshot
        return {c.id: character_label(c) for c in snapshot.characters} if snapshot is not None else {}

    # --- the list ------------------------------------------------------------------------
    def place_dock(self) -> None:
        """The list in an "Interactions" dock, tabbed with the People gallery, the adjudication
        panel under it (shown while D is on an interaction's disagreement)."""
        window = self.window
        dock = QDockWidget("Interactions", window)
        dock.setObjectName("dock Interactions")
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addWidget(self.adjudication.panel)
        dock.setWidget(holder)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        beside = window.findChild(QDockWidget, "dock People")
        if beside is not None:
            window.tabifyDockWidget(beside, dock)
        self.dock = dock

    def show_dock(self) -> None:
        if self.dock is not None:
            self.dock.show()
            self.dock.raise_()

    def shown(self) -> list[Interaction]:
        """The interactions the list shows: the selected person's, else the video's."""
        data = self.session.data
        if data is None:
            return []
        person = self.people.selected_person()
        if self.keys is not None and self.making():
            character = self.keys.draft.actor_id
        else:
            character = person.character.id if person is not None and person.character is not None else None
        return self.session.store.interactions(data.video.id, character_id=character)

    def _whose(self) -> tuple[int | None, int | None]:
        data = self.session.data
        return (data.video.id if data is not None else None), self.people.selected

    def _follow_selection(self) -> None:
        if self._whose() != self._listed_for:
            self._refresh_list()

    def _refresh_list(self) -> None:
        self._listed_for = self._whose()
        names = self._names()
        if self.keys is not None:
            self.keys.names = names
        rows = self.shown()
        ids = [i.id for i in rows]
        texts = [self._row_text(i, names) for i in rows]
        self.list.records = rows
        if ids == self.list.ids and [self.list.item(k).text() for k in range(self.list.count())] == texts:
            return
        current = self.list.currentRow()
        self.list.blockSignals(True)
        self.list.clear()
        for i, text in zip(rows, texts, strict=True):
            item = QListWidgetItem(text)
            if i.evidence:
                item.setToolTip(i.evidence)  # the whole cue
            self.list.addItem(item)
        self.list.ids = ids
        if 0 <= current < len(ids):
            self.list.setCurrentRow(current)
        self.list.blockSignals(False)

    @staticmethod
    def _row_text(i: Interaction, names: dict[int, str]) -> str:
        """A row: who does what to whom, when, whose; a suggestion nobody judged shows its cue (A accepts it)."""
        whom = names.get(i.target_id, "?") if i.target_kind == "character" and i.target_id is not None else i.target_kind
        what = f"{names.get(i.actor_id, '?')} {i.label} {whom}: frames {i.start_frame}-{i.end_frame}"
        if i.source == "suggestion" and i.state == "unreviewed":
            return f"suggested: {what} ({i.evidence or 'no cue'})"
        return f"{what} ({i.annotator}{'' if i.state == 'present' else ', ' + i.state})"

    def _jump(self, row: int) -> None:
        if 0 <= row < len(self.list.ids):
            interaction = self.session.store.interaction(self.list.ids[row])
            self.window.player.seek_frame(interaction.start_frame)
        self.window.registry.refresh()

    def _suggestion_chosen(self) -> bool:
        """Whether the list has the focus and its chosen row is a suggestion nobody judged."""
        row = self.list.currentRow()
        if not self.list.hasFocus() or not 0 <= row < len(self.list.records):
            return False
        chosen = self.list.records[row]  # as last read: no store query on every refresh of the actions
        return chosen.source == "suggestion" and chosen.state == "unreviewed"

    def accept_current(self) -> bool:
        """A on a suggested pair in the list: it becomes present, the annotator's own (one undoable
        step; its cue is kept as its evidence). False (the clip's A) when no suggestion is chosen."""
        if not self._suggestion_chosen():
            return False
        try:
            change = self.session.store.set_interaction(self.list.ids[self.list.currentRow()], self.session.annotator, state="present")
        except HHIRError as exc:  # judged or deleted meanwhile (another annotator of a team project)
            self._refresh_list()
            self.session.status_reported.emit(f"Not accepted: {exc}")
            return True
        self.session.reload()  # the clips' labels it implies
        self._refresh_list()
        self.session.status_reported.emit(f"Accepted: {change.description}")
        return True

    def delete_current(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.list.ids):
            return
        change = self.session.store.delete_interaction(self.list.ids[row], self.session.annotator)
        self.session.reload()
        self._refresh_list()
        self.session.status_reported.emit(change.description)
