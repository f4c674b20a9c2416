"""VideoListPanel: the project's videos with their status, a progress bar per running analysis and
a cancel button; files dropped on it are queued for analysis.
"""

from __future__ import annotations

from collections.abc import Set
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QProgressBar,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hhir.types import Target, Video
from hhir_studio.jobs import Job, JobState
from hhir_studio.videos import queue_book
from hhir_studio.session import ReviewSession

if TYPE_CHECKING:
    from hhir.store.records import VideoSide

NAME, STATUS, PROGRESS, CANCEL = range(4)
STATUS_W, PROGRESS_W, CANCEL_W = 112, 64, 28
DEFAULT_WIDTH = 330  # the dock's width at first start: name, status, bar and cancel button fit
EMPTY_HINT = ("No videos yet.\n\nDrop video files here, or use File ▸ Open videos… (Ctrl+O). Each is "
              "analyzed in the background; its clips then appear on the timeline for review.")


class VideoListPanel(QWidget):
    open_requested = Signal(int)  # video id
    files_dropped = Signal(list)  # paths

    def __init__(self, session: ReviewSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("videos")
        self.tree.setHeaderLabels(["Video", "Status", "", ""])
        self.tree.setRootIsDecorated(False)
        header = self.tree.header()
        # Fixed status, bar and button columns and a stretching name: at the dock's default width
        # the name, the progress bar and the cancel button all stay visible (long statuses elide
        # and show whole in their tooltip) instead of a to-contents status pushing them out.
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(STATUS, STATUS_W)
        header.setSectionResizeMode(PROGRESS, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PROGRESS, PROGRESS_W)
        header.setSectionResizeMode(CANCEL, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(CANCEL, CANCEL_W)
        header.setStretchLastSection(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.hint = QLabel(EMPTY_HINT, self)  # what an empty project says: how to start
        self.hint.setObjectName("emptyHint")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: #9aa3b2; padding: 12px;")
        self._show_job_columns(False)
        self.rows: dict[str, QTreeWidgetItem] = {}
        self.setAcceptDrops(True)
        self.setMinimumWidth(180)  # the window stays usable at 1024 px wide
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.hint)
        box.addWidget(self.tree)
        self.tree.itemActivated.connect(self._on_activated)
        self.tree.itemClicked.connect(self._on_activated)
        session.videos_changed.connect(self.refresh)
        session.video_opened.connect(lambda _id: self.refresh())
        session.data_changed.connect(self.refresh_current)

    def _row(self, path: str) -> QTreeWidgetItem:
        item = self.rows.get(path)
        if item is None:
            item = QTreeWidgetItem(self.tree, [Path(path).name, "", "", ""])
            item.setToolTip(NAME, path)
            self.rows[path] = item
        return item

    def refresh(self) -> None:
        """Re-read the videos and their review counts (short queries, one per video)."""
        store, current = self.session.store, self.session.data
        sides = store.video_sides()  # one query: the project's fixed train / validation / test split
        states = store.stage_params(queue_book.STAGE)  # one query: where each video's analysis stands
        for video in store.videos():
            item = self._row(str(Path(video.path).resolve()))
            item.setData(NAME, Qt.ItemDataRole.UserRole, video.id)
            item.setToolTip(NAME, f"{video.path}\n{_side_text(sides.get(video.fingerprint))}")
            if self.tree.itemWidget(item, PROGRESS) is None:
                item.setText(STATUS, self._status(video, states.get(video.id)))
                item.setToolTip(STATUS, item.text(STATUS))
            font = item.font(NAME)
            font.setBold(current is not None and current.video.id == video.id)
            item.setFont(NAME, font)
        self._show_hint()

    def _show_hint(self) -> None:
        empty = not self.rows
        self.hint.setVisible(empty)
        self.tree.setVisible(not empty)

    def _show_job_columns(self, show: bool) -> None:
        self.tree.setColumnHidden(PROGRESS, not show)
        self.tree.setColumnHidden(CANCEL, not show)

    def refresh_current(self) -> None:
        """Update the open video's row after an edit (its reviewed count changed)."""
        data = self.session.data
        if data is None:
            return
        item = self.rows.get(str(Path(data.video.path).resolve()))
        if item is not None and self.tree.itemWidget(item, PROGRESS) is None:
            item.setText(STATUS, self._status(data.video))

    def _status(self, video: Video, state: str | None = None) -> str:
        """"n/m reviewed" from count queries (the open video's from its rows already in memory);
        before it has clips, where its analysis stands."""
        from hhir.scoring.shown import has_shown_predictions

        store, data = self.session.store, self.session.data
        marks: Set[Target]
        if data is not None and data.video.id == video.id:
            total, marks, scored = len(data.clips), data.reviewed, data.predictions is not None
        else:
            total = store.clip_count(video.id)
            marks = store.reviewed(video.id, self.session.annotator) if total else set()
            scored = total > 0 and has_shown_predictions(store, video.id)
        if not total:
            return _UNANALYZED.get(state or "", "not analyzed")
        reviewed = sum(1 for t in marks if t.clip_id is not None)
        return f"{reviewed}/{total} reviewed{'' if scored else ' · no predictions'}"

    def track(self, path: str, job: Job) -> None:
        """Show ``job``'s progress and a cancel button on the row of ``path``."""
        item = self._row(path)
        bar = QProgressBar(self.tree)
        bar.setRange(0, 1000)
        bar.setTextVisible(False)
        cancel = QToolButton(self.tree)
        cancel.setText("✕")
        cancel.setToolTip(f"Cancel the analysis of {Path(path).name}")
        cancel.setObjectName("cancelAnalysis")
        cancel.clicked.connect(job.cancel)
        self._show_job_columns(True)
        self.tree.setItemWidget(item, PROGRESS, bar)
        self.tree.setItemWidget(item, CANCEL, cancel)
        item.setText(STATUS, "queued")
        self._show_hint()

        def on_progress(fraction: float, message: str) -> None:
            bar.setValue(int(fraction * 1000))
            item.setText(STATUS, message)
            item.setToolTip(STATUS, message)

        def on_end() -> None:
            self.tree.removeItemWidget(item, PROGRESS)
            self.tree.removeItemWidget(item, CANCEL)
            self._show_job_columns(any(self.tree.itemWidget(row, PROGRESS) for row in self.rows.values()))
            self.refresh()
            ended = {JobState.FAILED: f"failed: {job.error}", JobState.CANCELLED: "cancelled (resumes when queued again)"}
            if job.state in ended:
                item.setText(STATUS, ended[job.state])
                item.setToolTip(STATUS, job.error or ended[job.state])

        job.started.connect(lambda: item.setText(STATUS, "starting…"))
        job.progressed.connect(on_progress)
        job.ended.connect(on_end)

    def progress_bar(self, path: str) -> QProgressBar | None:
        item = self.rows.get(str(Path(path).resolve()))
        widget = self.tree.itemWidget(item, PROGRESS) if item else None
        return widget if isinstance(widget, QProgressBar) else None

    def _on_activated(self, item: QTreeWidgetItem) -> None:
        video_id = item.data(NAME, Qt.ItemDataRole.UserRole)
        if video_id is not None:
            self.open_requested.emit(int(video_id))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.files_dropped.emit(paths)
            event.acceptProposedAction()


_UNANALYZED = {
    queue_book.QUEUED: "queued: resumes at start",
    queue_book.ANALYZING: "interrupted: resumes at start",
    queue_book.FAILED: "analysis failed",
    queue_book.CANCELLED: "cancelled",
}


def _side_text(side: VideoSide | None) -> str:
    """The video's side of the project's split, for its tooltip (``side``: a VideoSide or None)."""
    if side is None:
        return "split: none yet (it gets one the first time a model trains with it)"
    moved = " (moved by hand)" if side.moved_at else ""
    return f"split: {side.side}{moved}; every model keeps it there (hhir split move changes it)"
