"""PeopleGallery: each character's face thumbnails (one per track), a row of them per character.

Drag thumbnails onto another character to move those tracks there; dragging all of a character's
thumbnails merges the two characters. Select some thumbnails of a character and press "Split" to
make them a character of their own. A double click shows the track's first frame. Every edit is
one ``people_edit`` operation, as the keys' are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

import numpy as np

from hhir.types import Character, PersonTrack
from hhir_studio.people.model import PeopleSnapshot, character_label
from hhir.people.thumbnails import SIZE

TRACK_ROLE = Qt.ItemDataRole.UserRole
TRACKS_MIME = "application/x-hhir-person-tracks"


class ClusterView(QListWidget):
    """One character's thumbnails (``character`` None: the tracks of nobody)."""

    dropped = Signal(object, list)  # (this view's character or None, the dragged track ids)

    def __init__(self, character: Character | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.character = character
        self.setObjectName(f"cluster {character.number if character else 'nobody'}")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(SIZE, SIZE))
        self.setGridSize(QSize(SIZE + 10, SIZE + 22))
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWrapping(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)  # the views are re-read: Qt must remove nothing
        self.viewport().setAcceptDrops(True)
        self.setFixedHeight(SIZE + 34)

    def track_ids(self, items: list[QListWidgetItem] | None = None) -> list[int]:
        chosen = items if items is not None else [self.item(i) for i in range(self.count())]
        return [int(item.data(TRACK_ROLE)) for item in chosen]

    def selected_tracks(self) -> list[int]:
        return self.track_ids(self.selectedItems())

    def mimeTypes(self) -> list[str]:
        return [TRACKS_MIME]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        """What a drag carries: the dragged tracks and the character they come from."""
        data = QMimeData()
        origin = self.character.id if self.character is not None else None
        data.setData(TRACKS_MIME, QByteArray(json.dumps({"from": origin, "tracks": self.track_ids(list(items))}).encode()))
        return data

    def _dragged(self, data: QMimeData) -> list[int] | None:
        """The track ids a drop brings from another cluster; None: not ours, or from this one."""
        if not data.hasFormat(TRACKS_MIME):
            return None
        try:
            payload = json.loads(bytes(data.data(TRACKS_MIME).data()).decode())
            tracks = [int(t) for t in payload["tracks"]]
        except (ValueError, KeyError, TypeError):
            return None
        here = self.character.id if self.character is not None else None
        return tracks if tracks and payload.get("from") != here else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._consider(event)

    def _consider(self, event: QDragEnterEvent | QDragMoveEvent) -> None:
        if self._dragged(event.mimeData()) is not None:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._consider(event)

    def dropEvent(self, event: QDropEvent) -> None:
        tracks = self._dragged(event.mimeData())
        if tracks is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.dropped.emit(self.character, tracks)


class PeopleGallery(QWidget):
    """Every character of the open video with its thumbnails; the edits go to ``edit`` (the
    controller's ``_edit``: one operation each)."""

    def __init__(self, edit: Callable[..., object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("peopleGallery")
        self._edit = edit
        self.snapshot: PeopleSnapshot | None = None
        self.thumbnails: dict[int, QPixmap] = {}
        self.clusters: list[ClusterView] = []
        self.split_button = QPushButton("Split the selection into a new character", self)
        self.split_button.setToolTip("The selected thumbnails of one character become a character of their own")
        self.split_button.clicked.connect(self.split_selection)
        self._body = QWidget(self)
        self._rows = QVBoxLayout(self._body)
        self._rows.setContentsMargins(4, 4, 4, 4)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._body)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.split_button)
        top.addStretch(1)
        box.addLayout(top)
        box.addWidget(scroll, 1)

    def set_people(self, snapshot: PeopleSnapshot | None) -> None:
        self.snapshot = snapshot
        self._rebuild()

    def set_thumbnails(self, images: dict[int, np.ndarray]) -> None:
        """RGB uint8 arrays by track id (from :func:`hhir.people.thumbnails.track_thumbnails`)."""
        for track_id, array in images.items():
            h, w = array.shape[:2]
            image = QImage(array.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
            self.thumbnails[track_id] = QPixmap.fromImage(image)
        for view in self.clusters:
            for i in range(view.count()):
                item = view.item(i)
                pixmap = self.thumbnails.get(int(item.data(TRACK_ROLE)))
                if pixmap is not None:
                    item.setIcon(QIcon(pixmap))

    def _rebuild(self) -> None:
        while self._rows.count():
            row = self._rows.takeAt(0)
            widget = row.widget() if row is not None else None
            if widget is not None:
                widget.deleteLater()
        self.clusters = []
        snapshot = self.snapshot
        if snapshot is None:
            return
        groups: list[tuple[Character | None, list[PersonTrack]]] = [
            (c, [t for t in snapshot.tracks if t.character_id == c.id]) for c in sorted(snapshot.characters, key=lambda c: c.number)]
        nobody = [t for t in snapshot.tracks if t.character_id is None]
        if nobody:
            groups.append((None, nobody))
        for character, tracks in groups:
            state = "" if character is None or character.confirmed else " (suggested)"
            title = QLabel(f"{character_label(character)}{state}: {len(tracks)} track{'s' if len(tracks) != 1 else ''}", self._body)
            view = ClusterView(character, self._body)
            for track in tracks:
                item = QListWidgetItem(f"shot {track.shot_index + 1}")
                item.setData(TRACK_ROLE, track.id)
                item.setToolTip(f"track {track.id}: frames {track.start_frame}–{track.end_frame}")
                pixmap = self.thumbnails.get(track.id)
                if pixmap is not None:
                    item.setIcon(QIcon(pixmap))
                view.addItem(item)
            view.dropped.connect(self.move_tracks)
            self._rows.addWidget(title)
            self._rows.addWidget(view)
            self.clusters.append(view)
        self._rows.addStretch(1)

    def cluster(self, character_id: int | None) -> ClusterView | None:
        return next((v for v in self.clusters if (v.character.id if v.character else None) == character_id), None)

    def move_tracks(self, target: Character | None, track_ids: list[int]) -> object:
        """Tracks dropped on ``target``: all of one character's merges it into ``target``."""
        if not track_ids or self.snapshot is None:
            return None
        owners = {t.character_id for t in self.snapshot.tracks if t.id in track_ids}
        if target is not None and len(owners) == 1 and None not in owners:
            (owner,) = owners
            if owner != target.id and {t.id for t in self.snapshot.tracks if t.character_id == owner} == set(track_ids):
                return self._edit("merge", character_id=target.id, other_id=owner)
        return self._edit("move", character_id=target.id if target is not None else None, track_ids=tuple(track_ids))

    def split_selection(self) -> object:
        """The selected thumbnails (of the one character that has a selection) become a new character."""
        chosen = [v for v in self.clusters if v.selected_tracks()]
        if len(chosen) != 1:
            return None
        return self._edit("split", track_ids=tuple(chosen[0].selected_tracks()))
