"""TranscriptPanel: the video's transcript segments, synced with playback; text is editable and
each correction is committed at once through ``store.edit_segment_text`` (undoable). Beside each
segment, who speaks it: the character seen speaking (name or ``person N``), else ``voice N``, from
the video's speech turns (:func:`hhir.pipeline.voices.transcript_speakers`).
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from hhir.types import TranscriptSegment
from hhir_studio.player.view import clock
from hhir_studio.session import ReviewSession

TEXT_COLUMN = 2
SPEAKER_COLUMN = 3
_CURRENT = QBrush(QColor("#2b3b52"))


class TranscriptPanel(QWidget):
    seek_requested = Signal(float)

    def __init__(self, session: ReviewSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("transcript")
        self.table.setHorizontalHeaderLabels(["Start", "End", "Text", "Speaker"])
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in (0, 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TEXT_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SPEAKER_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setWordWrap(True)
        self._ids: list[int] = []
        self._starts: list[float] = []
        self._current = -1
        self._segments: list[TranscriptSegment] | None = None  # the list the rows were built from
        self._speakers_shown: list[str | None] = []
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.table)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.cellClicked.connect(self._on_clicked)
        session.data_changed.connect(self.refresh)

    def refresh(self) -> None:
        data = self.session.data
        segments = data.segments if data else []
        if segments is self._segments:  # a label or review edit: the rows on screen are current
            return
        speakers = self._speakers(segments)
        if segments == self._segments and speakers == self._speakers_shown:
            # read again but the same rows (a shot edit or its undo re-reads the video): rebuilding
            # ~1,000 rows of a long film took most of the edit's time on the UI thread
            self._segments = segments
            return
        self._segments, self._speakers_shown = segments, speakers
        self.table.blockSignals(True)
        # Columns sized to their contents are measured again after every cell set, over every row:
        # filling a long film's ~1,000 rows took ~40 s. They are measured once, after the fill.
        header = self.table.horizontalHeader()
        modes = [header.sectionResizeMode(col) for col in range(self.table.columnCount())]
        for col in range(self.table.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        self.table.setRowCount(len(segments))
        for row, (seg, who) in enumerate(zip(segments, speakers, strict=True)):
            for col, text in enumerate((clock(seg.start_s), clock(seg.end_s), seg.text.strip(), who or "")):
                item = QTableWidgetItem(text)
                if col != TEXT_COLUMN:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, col, item)
        for col, mode in enumerate(modes):
            header.setSectionResizeMode(col, mode)
        self.table.blockSignals(False)
        self._ids = [seg.id for seg in segments]
        self._starts = [seg.start_s for seg in segments]
        self._current = -1

    def set_position(self, seconds: float) -> None:
        """Highlight the segment under the playhead."""
        row = bisect.bisect_right(self._starts, seconds) - 1
        data = self.session.data
        if row >= 0 and data is not None and seconds >= data.segments[row].end_s:
            row = -1
        if row == self._current:
            return
        self.table.blockSignals(True)
        for r, brush in ((self._current, QBrush()), (row, _CURRENT)):
            if 0 <= r < self.table.rowCount():
                for col in range(self.table.columnCount()):
                    item = self.table.item(r, col)
                    if item is not None:  # every cell of a row is set in refresh()
                        item.setBackground(brush)
        self.table.blockSignals(False)
        first = self.table.item(row, 0) if row >= 0 else None
        if first is not None:
            self.table.scrollToItem(first)
        self._current = row

    def _speakers(self, segments: list[TranscriptSegment]) -> list[str | None]:
        """Who speaks each segment; read with the rows (a structural change or a finished analysis)."""
        data = self.session.data
        if data is None or not segments:
            return [None] * len(segments)
        from hhir.pipeline.voices import transcript_speakers

        return transcript_speakers(self.session.store, data.video.id, segments)

    def _on_clicked(self, row: int, column: int) -> None:
        if column != TEXT_COLUMN and 0 <= row < len(self._starts):
            self.seek_requested.emit(self._starts[row])

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        data = self.session.data
        if item.column() != TEXT_COLUMN or data is None:
            return
        text = item.text().strip()
        if text != data.segments[item.row()].text.strip():
            self.session.edit_segment(self._ids[item.row()], text)
