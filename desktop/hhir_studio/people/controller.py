"""PeopleController: the people of the open video in the window: the boxes over the picture (a
toggle), Tab and Shift+Tab through the people on the frame (or a click on a box), P to name the selected person's
character, a track split at the playhead and two tracks merged, and the lanes under the timeline.

Every edit is one operation (``people_edit`` of :mod:`hhir_studio.operations`): committed at once,
one undo step with the annotator; the views re-read the people when the window routes its
``OpChanges.people`` here (:meth:`refresh`), and after an undo or redo (a re-read video).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QCompleter, QDialog, QDockWidget, QSplitter, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from typing import Any

import numpy as np

from hhir.jobs import CancelToken
from hhir.types import PersonTrack
from hhir_studio.actions import ActionRegistry, ActionSpec
from hhir_studio.jobs import Job, JobSpec
from hhir_studio.people.gallery import PeopleGallery
from hhir_studio.people.model import OnScreen, PeopleSnapshot, character_label, step
from hhir_studio.people.overlay import PeopleOverlay
from hhir_studio.timeline.people_lanes import PeopleLanes

if TYPE_CHECKING:
    from hhir_studio.session import VideoSnapshot
    from hhir_studio.main_window import MainWindow

MENU = "&People"


class NameDialog(QDialog):
    """One line for a character's name, with type-ahead over the names already given."""

    def __init__(self, parent: QWidget, who: str, current: str, names: list[str]) -> None:
        super().__init__(parent)
        self.setObjectName("peopleNameDialog")
        self.setWindowTitle(f"Name {who}")
        self.edit = QLineEdit(current, self)
        self.edit.setObjectName("peopleName")
        self.edit.selectAll()
        completer = QCompleter(names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        self.edit.setCompleter(completer)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(QLabel(f"Name of {who}, in every shot (empty: no name):", self))
        box.addWidget(self.edit)
        box.addWidget(buttons)

    def name(self) -> str | None:
        return self.edit.text().strip() or None


class PeopleController(QObject):
    people_changed = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.player = window.player
        self.snapshot: PeopleSnapshot | None = None
        self.selected: int | None = None  # the selected track's id
        self.on_screen: list[OnScreen] = []
        self.name_dialog: NameDialog | None = None
        self.marked: PersonTrack | None = None  # the track the first merge press marked
        self._read_from: VideoSnapshot | None = None  # the video snapshot the people were read with
        self.overlay = PeopleOverlay(self.player.video)
        self.lanes = PeopleLanes(window.timeline)
        self.lanes.seek_requested.connect(self.player.seek)
        self.gallery = PeopleGallery(self._edit)
        self.dock: QDockWidget | None = None
        self._thumbs_for: tuple[str, frozenset[int]] | None = None  # (video fingerprint, tracks) asked for
        self.session.data_changed.connect(self._on_data_changed)
        self.player.position_changed.connect(lambda _s: self.update_frame())

    def place_lanes(self) -> None:
        """Put the lanes right under the timeline, in whatever holds it."""
        holder = self.window.timeline.parentWidget()
        layout = holder.layout() if holder is not None else None
        if isinstance(holder, QSplitter):
            holder.insertWidget(holder.indexOf(self.window.timeline) + 1, self.lanes)
        elif isinstance(layout, QBoxLayout):
            layout.insertWidget(layout.indexOf(self.window.timeline) + 1, self.lanes)

    def place_gallery(self) -> None:
        """The gallery in a "People" dock, tabbed with the transcript where there is one."""
        window = self.window
        dock = QDockWidget("People", window)
        dock.setObjectName("dock People")
        dock.setWidget(self.gallery)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        beside = window.findChild(QDockWidget, "dock Transcript")
        if beside is not None:
            window.tabifyDockWidget(beside, dock)
            beside.raise_()
        dock.visibilityChanged.connect(lambda shown: shown and self._ask_thumbnails())
        self.dock = dock

    def _ask_thumbnails(self) -> Job | None:
        """Cut the faces of the tracks the gallery has none for, in the background (only while the
        gallery is shown: it decodes the video up to the last track)."""
        data, snapshot = self.session.data, self.snapshot
        if data is None or snapshot is None or self.dock is None or not self.dock.isVisible():
            return None
        from pathlib import Path

        missing = [t for t in snapshot.tracks if t.id not in self.gallery.thumbnails]
        key = (data.video.fingerprint, frozenset(t.id for t in missing))
        if not missing or key == self._thumbs_for or not Path(data.video.path).exists():
            return None
        self._thumbs_for = key
        path = data.video.path

        def cut(_progress: object, cancel: CancelToken, tracks: list[PersonTrack] = missing) -> dict[int, np.ndarray]:
            from hhir.people.thumbnails import track_thumbnails

            return track_thumbnails(path, tracks, cancel)

        job = self.window.runner.submit(JobSpec("Faces of the people", cut, model=False, key=("people-faces", data.video.id)))
        job.finished.connect(lambda images, fingerprint=data.video.fingerprint: self._on_thumbnails(fingerprint, images))
        return job

    def _on_thumbnails(self, fingerprint: str, images: object) -> None:
        data = self.session.data
        if data is not None and data.video.fingerprint == fingerprint and isinstance(images, dict):
            self.gallery.set_thumbnails(images)

    # --- actions -------------------------------------------------------------------------
    def register(self, registry: ActionRegistry) -> None:
        has_people = lambda: self.snapshot is not None and bool(self.snapshot.tracks)  # noqa: E731
        has_selected = lambda: self.selected_person() is not None  # noqa: E731
        add = registry.register
        boxes = add(ActionSpec("people.boxes", "Show &people's boxes", ("V",), MENU, checkable=True,
                               tip="Boxes and names of the people on the frame shown"), self._toggle_boxes)
        boxes.setChecked(True)
        self._boxes = boxes
        add(ActionSpec("people.next", "Next person on the frame", ("Tab",), MENU), lambda: self.cycle(1), has_people)
        add(ActionSpec("people.prev", "Previous person on the frame", ("Shift+Tab",), MENU), lambda: self.cycle(-1), has_people)
        add(ActionSpec("people.name", "&Name the selected person…", ("P",), MENU,
                       tip="Name the selected person's character, in every shot"), self.ask_name, has_selected)
        add(ActionSpec("people.split_track", "&Split the selected track at the playhead", ("Shift+X",), MENU,
                       tip="Where the tracker swapped two people: the track goes on as a new one from this frame"),
            self.split_track, has_selected)
        add(ActionSpec("people.merge_tracks", "&Merge two tracks (mark, then join)", ("Shift+M",), MENU,
                       tip="First press marks the selected track; a second press on another track of the shot joins them"),
            self.merge_tracks, has_selected)

    def _toggle_boxes(self) -> None:
        self.update_frame()

    # --- reading -------------------------------------------------------------------------
    def _on_data_changed(self) -> None:
        data = self.session.data
        if data is None:
            self.snapshot, self.selected = None, None
            self.gallery.set_people(None)
            self._show()
            return
        # a label edit keeps the video's rows (same objects): the people did not change
        if self.snapshot is not None and self.snapshot.video_id == data.video.id and data.same_structure(self._read_from):
            return
        self.reload()

    def reload(self) -> None:
        data = self.session.data
        if data is None:
            return
        self._read_from = data
        opened = self.snapshot is None or self.snapshot.video_id != data.video.id
        self.snapshot = PeopleSnapshot.read(self.session.store, data.video.id, data.video.fps)
        self.lanes.set_lanes(self.snapshot.lanes())
        if opened:
            self.gallery.thumbnails.clear()
        self.gallery.set_people(self.snapshot)
        self._ask_thumbnails()
        self.update_frame()
        self.window.registry.refresh()
        self.people_changed.emit()

    def refresh(self, video_ids: tuple[int, ...]) -> None:
        """An operation edited the people of ``video_ids`` (``OpChanges.people``)."""
        data = self.session.data
        if data is not None and data.video.id in video_ids:
            self.reload()

    def update_frame(self) -> None:
        """The people on the frame the player shows now."""
        frame = self.player.current_frame()
        self.on_screen = self.snapshot.at(frame) if self.snapshot is not None else []
        if self.selected is not None and all(o.track.id != self.selected for o in self.on_screen):
            self.selected = None
        self._show()

    def _show(self) -> None:
        data = self.session.data
        size = (data.video.width, data.video.height) if data is not None else (0, 0)
        # shown only with the boxes on and people in the video: otherwise the player's own picture shows
        visible = self._boxes_on() and self.snapshot is not None and bool(self.snapshot.tracks) and self.player.has_media
        self.overlay.show_people(self.on_screen if visible else [], self.selected, size)
        self.overlay.cover(visible)

    def _boxes_on(self) -> bool:
        return getattr(self, "_boxes", None) is None or self._boxes.isChecked()

    def selected_person(self) -> OnScreen | None:
        return next((o for o in self.on_screen if o.track.id == self.selected), None)

    # --- commands ------------------------------------------------------------------------
    def _watching(self) -> bool:
        """Whether the keyboard is on the picture (player, timeline, lanes or the window itself),
        where Tab steps through the people; elsewhere (the panels) Tab moves the focus as usual."""
        from PySide6.QtWidgets import QApplication

        focus = QApplication.focusWidget()
        if focus is None or focus is self.window:
            return True
        return any(area is focus or area.isAncestorOf(focus) for area in (self.player, self.window.timeline, self.lanes))

    def cycle(self, direction: int) -> None:
        """Select the next (previous) person on the frame, left to right; shows the boxes. With the
        focus in a panel, Tab moves the focus instead."""
        if not self._watching():
            self.window.focusNextPrevChild(direction > 0)
            return
        self.update_frame()
        if not self.on_screen:
            self.session.status_reported.emit("Nobody on this frame")
            return
        if not self._boxes.isChecked():
            self._boxes.setChecked(True)
        index = next((i for i, o in enumerate(self.on_screen) if o.track.id == self.selected), None)
        self.selected = self.on_screen[step(index, len(self.on_screen), direction) or 0].track.id
        self._show()
        self.window.registry.refresh()
        person = self.selected_person()
        if person is not None:
            self.session.status_reported.emit(f"Selected {person.label} (track {person.track.id})")

    def select_track(self, track_id: int | None) -> None:
        """A click on the picture: select the person whose box it hit (None: off every box, which
        clears the selection, so the label keys act on the clip again)."""
        self.update_frame()
        if track_id is not None and all(o.track.id != track_id for o in self.on_screen):
            return
        self.selected = track_id
        self._show()
        self.window.registry.refresh()
        person = self.selected_person()
        self.session.status_reported.emit(f"Selected {person.label} (track {person.track.id})" if person is not None
                                          else "No one selected: the label keys act on the clip")

    def ask_name(self) -> NameDialog | None:
        """Ask for the selected person's character's name (type-ahead over the names given);
        the name is committed when the dialog is accepted."""
        person = self.selected_person()
        if person is None or self.snapshot is None:
            return None
        if person.character is None:
            self.session.status_reported.emit("This track belongs to nobody yet: put it in a character first")
            return None
        dialog = NameDialog(self.window, character_label(person.character), person.character.name or "", self.snapshot.names())
        character_id = person.character.id
        dialog.accepted.connect(lambda: self.name(character_id, dialog.name()))
        dialog.finished.connect(dialog.deleteLater)
        self.name_dialog = dialog
        dialog.open()
        dialog.activateWindow()
        dialog.edit.setFocus()
        return dialog

    def name(self, character_id: int, name: str | None) -> Job | None:
        return self._edit("name", character_id=character_id, name=name)

    def split_track(self) -> Job | None:
        person = self.selected_person()
        frame = self.player.current_frame()
        if person is None:
            return None
        if not person.track.start_frame < frame <= person.track.end_frame:
            self.session.status_reported.emit("The playhead is at the selected track's first frame: nothing to split")
            return None
        return self._edit("split_track", track_id=person.track.id, frame=frame)

    def merge_tracks(self) -> Job | None:
        """Two presses: the first marks the selected track; the second, on another track of the
        same shot (at another frame, if need be), joins the marked one into it."""
        person = self.selected_person()
        if person is None:
            return None
        marked, self.marked = self.marked, None
        if marked is None or marked.id == person.track.id:
            self.marked = person.track
            self.session.status_reported.emit(
                f"Track {person.track.id} marked: select the track to join it to and merge again")
            return None
        if marked.shot_index != person.track.shot_index:
            self.session.status_reported.emit("Only two tracks of the same shot can be merged (a track never crosses a cut)")
            return None
        return self._edit("merge_tracks", track_id=person.track.id, other_id=marked.id)

    def _edit(self, edit: str, **fields: Any) -> Job | None:
        from hhir_studio.operations import PeopleEditRequest

        data = self.session.data
        if data is None:
            return None
        request = PeopleEditRequest(self.window.store.reopen_value(), data.video.id, edit, self.session.annotator, **fields)
        job = self.window.runner.run_op("people_edit", request)
        job.finished.connect(lambda description: self.session.status_reported.emit(str(description)))
        return job
