"""MainWindow: assembles the views, wires their signals and owns the job runner. No domain logic:
edits go through the session, background work through the job runner.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog, QMainWindow, QMenu, QScrollArea, QSplitter, QToolBar, QWidget

from hhir.media.proxy import existing_proxy
from hhir.settings import Settings
from hhir.store import Store
from hhir_studio import commands
from hhir_studio.actions import ActionRegistry
from hhir_studio.jobs import Job, JobRunner, JobSpec
from hhir_studio.history.panel import HistoryPanel
from hhir_studio.labels.panel import LabelPanel
from hhir_studio.models_menu import ModelMenu
from hhir_studio.operations import OpChanges
from hhir_studio.people.controller import PeopleController
from hhir_studio.people.interactions import InteractionController
from hhir_studio.player.view import PlayerView
from hhir_studio.session import ReviewSession, VideoSnapshot
from hhir_studio.status import WindowStatus
from hhir_studio.timeline.shot_edits import ShotEditor
from hhir_studio.timeline.layout import TimelineLayout, build_layout
from hhir_studio.timeline.view import TimelineView
from hhir_studio.transcript.panel import TranscriptPanel
from hhir_studio.videos.analysis import AnalysisController
from hhir_studio.videos.panel import DEFAULT_WIDTH as VIDEOS_WIDTH
from hhir_studio.videos.panel import VideoListPanel
from hhir_studio.videos.queue_book import QueueBook

if TYPE_CHECKING:
    from collections.abc import Iterator

    from hhir.jobs import CancelToken, ProgressFn
    from hhir.media.timebase import TimeBase
    from hhir.types import Video
    from hhir_studio.dialogs.failure import FailureNotice

log = logging.getLogger(__name__)


def _window_settings() -> QSettings:
    """Window geometry lives beside settings.json (so HHIR_CONFIG_DIR isolates it too)."""
    from hhir.settings import config_dir

    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


VIDEO_FILTER = "Videos (*.mp4 *.mkv *.mov *.avi *.webm *.m4v *.mpg *.mpeg);;All files (*)"


class MainWindow(QMainWindow):
    def __init__(self, store: Store, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"HHIR Studio — {store.path.name if store.path is not None else store.name}")
        self.setAcceptDrops(True)
        self.store = store
        self.session = ReviewSession(store, settings, self)
        self.session.prepare = self._layout_of
        self._laid_out: VideoSnapshot | None = None  # the data the timeline's layout was built from
        self._copies_queued: set[str] = set()  # fingerprints whose playback copy is built or being built
        self._indexes_queued: set[int] = set()  # videos whose frames are being decoded
        self.runner = JobRunner(self)
        self._failures: FailureNotice | None = None  # the FailureNotice, made on the first failure
        self._focus_at_failure: QWidget | None = None  # where the keys were when it opened
        self._focus_before: QWidget | None = None  # where the keys were when a menu opened
        self._own_failures: QWidget | None = None  # a dialog that shows its own job's failure
        self.analysis = AnalysisController(self.runner, store.reopen_value(), settings, self, book=QueueBook(store))
        self.player = PlayerView(self)
        self.timeline = TimelineView(self.session.threshold, self)
        self.labels = LabelPanel(self.session, self)
        self.transcript = TranscriptPanel(self.session, self)
        self.videos = VideoListPanel(self.session, self)
        self.history = HistoryPanel(self.session, self)
        self.shots = ShotEditor(self.session, self.player)
        self.registry = ActionRegistry(self)
        self.registry.on_error = lambda text: self.statusBar().showMessage(text, 15000)
        commands.register_all(self.registry, commands.CommandTargets(
            self.session, self.player, self.timeline, open_videos=self.open_dialog, export=self.export_dialog, import_=self.import_dialog,
            settings=self.settings_dialog, quit=self.close, toggle_loop=self.toggle_loop, split_shot=self.split_shot,
            merge_shot=self.merge_shot, move_cut=self.move_cut, train=self.training_dialog, show_history=self.show_history))
        self.people = PeopleController(self)  # its actions go in before the menus are built
        self.people.register(self.registry)
        self.interactions = InteractionController(self)  # after the people: it gives their keys a second meaning
        self.interactions.register(self.registry)
        self._assemble()
        self.people.place_lanes()
        self.people.place_gallery()
        self.interactions.place_dock()
        self._wire()
        self._watch_menus()
        self.videos.refresh()
        self._restore_geometry()

    # --- assembly ------------------------------------------------------------------------
    def _assemble(self) -> None:
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.player)
        splitter.addWidget(self.timeline)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 0)
        self.setCentralWidget(splitter)
        videos = self._dock("Videos", self.videos, Qt.DockWidgetArea.LeftDockWidgetArea)
        labels = self._dock("Labels", self._scrolling(self.labels), Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Transcript", self.transcript, Qt.DockWidgetArea.RightDockWidgetArea)
        self.history_dock = self._dock("History", self.history, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.findChild(QDockWidget, "dock Transcript"), self.history_dock)
        self.findChild(QDockWidget, "dock Transcript").raise_()
        self._dock_widths: tuple[list[QDockWidget], list[int]] | None = ([videos, labels], [VIDEOS_WIDTH, 460])  # applied once shown (see showEvent)
        self.registry.build_menus(self.menuBar(), commands.MENUS)
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        self.registry.build_toolbar(toolbar)
        self.addToolBar(toolbar)
        r = self.registry
        self.labels.add_actions([r.action(i) for i in ("review.accept", "review.reviewed_next", "review.prev_unreviewed", "review.next_unreviewed")])
        self.status = WindowStatus(self.statusBar(), self.session, self.runner, r.action("edit.undo"), r.action("edit.redo"))
        self.models = ModelMenu(self._menu("&Model"), self.store, self.activate_model, self.rollback_model)

    def _menu(self, title: str) -> QMenu:
        return next(a.menu() for a in self.menuBar().actions() if a.text() == title)

    def _scrolling(self, panel: QWidget) -> QScrollArea:
        """``panel`` in a vertical scroll area: a short window scrolls it instead of growing taller
        than the screen (the window stays usable at 1024x640)."""
        area = QScrollArea(self)
        area.setObjectName(f"scroll {panel.objectName()}")
        area.setWidget(panel)
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setMinimumWidth(panel.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width())
        return area

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock {title}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _wire(self) -> None:
        s = self.session
        self.player.position_changed.connect(self.timeline.set_playhead)
        self.player.position_changed.connect(self.transcript.set_position)
        self.player.media_failed.connect(self.notify_error)
        self.player.goto_failed.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.player.goto_done.connect(lambda: self.timeline.setFocus(Qt.FocusReason.OtherFocusReason))
        self.timeline.seek_requested.connect(self.player.seek)
        self.timeline.clip_clicked.connect(s.select_clip)
        self.transcript.seek_requested.connect(self.player.seek)
        self.videos.open_requested.connect(self.open_video)
        self.videos.files_dropped.connect(self.analyze)
        s.video_opened.connect(self._on_video_opened)
        s.data_changed.connect(self._on_data_changed)
        s.selection_changed.connect(self._on_selection_changed)
        s.status_reported.connect(lambda text: self.statusBar().showMessage(text, 5000))
        s.structure_changed.connect(self._refresh_changed_clips)
        self.analysis.job_added.connect(self.videos.track)
        self.analysis.refused.connect(self.notify_error)
        self.runner.changed.connect(self.apply_changes)
        self.runner.job_failed.connect(self._job_failed)

    # --- reactions -----------------------------------------------------------------------
    def apply_changes(self, changes: OpChanges) -> None:
        """The one place what an operation changed reaches the views, whichever dialog or menu
        started it (``JobRunner.changed``)."""
        for video_id in changes.analyzed:
            self._on_video_analyzed(video_id)
        for video_id in changes.structure:
            self._on_structure_changed(video_id)
        if changes.predictions or changes.labels or changes.active_model:
            self.session.videos_changed.emit()
            data = self.session.data
            if data is not None and (changes.active_model or data.video.id in (*changes.predictions, *changes.labels)):
                self.session.reload()
            self.status.refresh()
        if changes.active_model or changes.models:
            self.models.refresh()
        if changes.people:
            self.people.refresh(changes.people)

    def _on_video_opened(self, video_id: int) -> None:
        video = self.session.data.video
        if Path(video.path).exists():
            copy = existing_proxy(video.fingerprint) if self.session.settings.playback_copies else None
            data = self.session.data
            # the film's frames as the project keeps them (decoded once: their count and timestamps);
            # without them, the frames the analysis decoded (its shots tile them), else the header's
            # estimate, until they are decoded in the background
            frames = self._kept_frames(video)
            decoded = data.shots[-1].end_frame if data.shots else 0
            self.player.load(video.path, video.fps, decoded or video.frame_count, source=str(copy) if copy else None,
                             decoded=bool(decoded), frames=frames)
            if frames is None:
                self._queue_frame_index(video)
            if copy is not None:
                self._queue_timebase(self.player.source)  # the copy's own clock
            if copy is None:
                self._queue_playback_copy(video)
            if self._clips_without_scores():  # a shot edit whose refresh the last session did not finish
                self._refresh_changed_clips(video_id)
        else:
            self.player.unload()
            self.notify_error(f"{video.path}: the file is missing; labels and timeline are still available")
        self.setWindowTitle(f"HHIR Studio — {Path(video.path).name}")

    def _on_data_changed(self) -> None:
        data = self.session.data
        if data is None:
            self.timeline.set_layout(None)
            return
        layout = self.timeline.layout_data
        if layout is not None and data.same_structure(self._laid_out):
            # only states or review marks changed: keep the sorted, stacked clips
            layout = dataclasses.replace(layout, states=dict(data.states), reviewed=data.reviewed)
        else:
            prepared = self.session.prepared  # laid out on the thread that read it (open_in_background)
            layout = prepared[1] if prepared is not None and prepared[0] is data and isinstance(prepared[1], TimelineLayout) \
                else self._layout_of(data)
        layout = dataclasses.replace(layout, disputed=self.session.disputed)
        self._laid_out = data
        self.timeline.set_layout(layout)
        self.registry.refresh()

    def _layout_of(self, data: VideoSnapshot) -> TimelineLayout:
        """The timeline's sorted, stacked clips of a snapshot (no Qt: it may run on a reading thread)."""
        scores = data.predictions.clips if data.predictions else {}
        scene = data.predictions.scene if data.predictions else {}
        return build_layout(
            data.video.id, data.video.duration_s, data.video.fps, data.shots, data.clips, data.segments,
            [label.name for label in self.session.labels], scores, scene, data.states, data.reviewed,
        )

    def restore_last_state(self) -> None:
        """Open the video and clip that were open when the app last closed (else the first video)."""
        stored = {v.id: v for v in self.store.videos()}
        if not stored or self.session.data is not None:
            return
        saved = _window_settings()
        video_id, clip_id = saved.value("review/video"), saved.value("review/clip")
        if video_id is not None and int(video_id) in stored and clip_id is not None:
            # the clip is shown at once; the film (~20,000 clips) is read on a thread, then opened
            self.player.pause()
            self.session.open_in_background(int(video_id), int(clip_id))
            return
        self.open_video(int(video_id) if video_id is not None and int(video_id) in stored else next(iter(stored)))

    def _remember_selection(self) -> None:
        selected = self.session.selected
        if selected is not None:
            saved = _window_settings()
            saved.setValue("review/video", selected.video_id)
            saved.setValue("review/clip", selected.clip_id)

    def _on_selection_changed(self) -> None:
        self._remember_selection()
        clip = self.session.selected_clip()
        self.timeline.set_selected_clip(clip.id if clip else None)
        self.player.set_loop_range((clip.start_s, clip.end_s) if clip else None)
        if clip is not None and self.player.has_media and not clip.start_s <= self.player.position_s < clip.end_s:
            self.player.seek(clip.start_s)
        self.registry.refresh()

    def _queue_playback_copy(self, video: Video) -> None:
        """Build the film's fast-seeking playback copy in the background and switch the player to it
        when it is ready; films that seek fast as they are get none."""
        if not self.session.settings.playback_copies or video.fingerprint in self._copies_queued:
            return
        self._copies_queued.add(video.fingerprint)

        def build(progress: ProgressFn, cancel: CancelToken, v: Video = video) -> Path | None:
            from hhir.media.proxy import ensure_proxy

            progress(0.0, "Writing a playback copy")
            return ensure_proxy(v.path, v.fingerprint, v.width, v.height, cancel=cancel)

        # Not queued with the model jobs (a long film's copy would hold up an analysis or training):
        # it runs beside them, FFmpeg at a lower priority.
        job = self.runner.submit(JobSpec(f"Playback copy of {Path(video.path).name}", build, model=False,
                                         key=("playback", video.fingerprint)))
        job.finished.connect(lambda copy, fingerprint=video.fingerprint: self._on_playback_copy(fingerprint, copy))
        job.failed.connect(lambda _message, fingerprint=video.fingerprint: self._copies_queued.discard(fingerprint))

    def _kept_frames(self, video: Video) -> TimeBase | None:
        """The film's frames from the project's frame index, if it was decoded from the file as it
        is now (a stat; the fingerprint only when the file's time changed)."""
        from hhir.pipeline.frames import kept_frame_index

        index = kept_frame_index(self.store, video)
        return index.timebase(video.fps) if index is not None else None

    def _queue_frame_index(self, video: Video) -> None:
        """Decode the film's frames once in the background and keep them in the project (a video
        added but not analysed, or a file changed since); the player uses them once kept. Until
        then it counts frames from the stream's start at its average rate."""
        from hhir_studio.operations import OPS, FrameIndexRequest, run_op

        if video.id in self._indexes_queued:
            return
        self._indexes_queued.add(video.id)
        request = FrameIndexRequest(self.store.reopen_value(), video.id)
        # run in the child like every operation, but announced to nobody: nothing a view shows changed
        job = self.runner.submit(JobSpec(OPS["frame_index"].title(request),
                                         lambda progress, cancel: run_op("frame_index", request, progress, cancel).value,
                                         model=False, key=("frame_index", video.id)))
        job.finished.connect(lambda _count, v=video: self._on_frame_index(v))
        job.failed.connect(lambda _message, video_id=video.id: self._indexes_queued.discard(video_id))

    def _on_frame_index(self, video: Video) -> None:
        self._indexes_queued.discard(video.id)
        data = self.session.data
        frames = self._kept_frames(video) if data is not None and data.video.id == video.id else None
        if frames is not None:
            self.player.set_frames(frames, video.path)

    def _queue_timebase(self, source: str) -> None:
        """Read every frame's timestamp of the playback copy ``source`` in the background (the
        copy's clock is its own); until then the player counts its frames from the stream's start
        at its average rate."""
        def read(_progress: ProgressFn, _cancel: CancelToken, path: str = source) -> TimeBase:
            from hhir.media.timebase import file_timebase

            return file_timebase(path)

        job = self.runner.submit(JobSpec(f"Frame times of {Path(source).name}", read, model=False, key=("timebase", source)))
        job.finished.connect(lambda timebase, path=source: self.player.set_timebase(timebase, path))

    def _on_playback_copy(self, fingerprint: str, copy: object) -> None:
        data = self.session.data
        if copy and data is not None and data.video.fingerprint == fingerprint and self.player.has_media:
            self.player.swap_source(str(copy))
            self._queue_timebase(str(copy))
            self.statusBar().showMessage("Playing from the fast-seeking playback copy", 5000)

    def _on_video_analyzed(self, video_id: int) -> None:
        self.session.videos_changed.emit()
        if self.session.data is None:
            self.open_video(video_id)
        elif self.session.data.video.id == video_id:
            self.session.reload()
            if self.player.frames is None and self.player.has_media:  # the analysis kept its frames
                self._on_frame_index(self.session.data.video)

    def _on_structure_changed(self, video_id: int) -> None:
        """Shots replaced by an operation (an imported shot list): the new clips get their
        suggestions; decisions kept aside are listed by the label panel."""
        self._on_video_analyzed(video_id)
        self._refresh_changed_clips(video_id)

    def _clips_without_scores(self) -> bool:
        """Scored, but not every clip: clips rebuilt since (a fresh, unscored video is the
        analysis' to score, not this)."""
        data = self.session.data
        predictions = data.predictions if data is not None else None
        return predictions is not None and any(c.id not in predictions.clips for c in data.clips)

    def _refresh_changed_clips(self, video_id: int) -> Job | None:
        """Features and suggestions for the clips a shot edit (or its undo) created, in the
        background at once; the open video is re-read when they are stored."""
        path = self.store.video(video_id).path
        if not Path(path).exists():  # said once, here, rather than as a failed job
            self.statusBar().showMessage(f"⚠ {path}: the file is missing; the new clips get suggestions once it is back", 15000)
            return None
        return self.analysis.refresh_clips(video_id)

    def activate_model(self, model_id: str | None) -> Job:
        """Use ``model_id`` (None: the zero-shot starter) for suggestions; predictions are
        recomputed in the background and the views follow (:meth:`apply_changes`)."""
        return self.analysis.activate(model_id)

    def rollback_model(self) -> Job:
        """Go back to the active model's parent (or the starter), as ``hhir models rollback`` does."""
        from hhir_studio.models_menu import rollback_target

        return self.activate_model(rollback_target(self.store))

    # --- commands ------------------------------------------------------------------------
    def analyze(self, paths: list[str]) -> list[Job]:
        """Queue videos for analysis (opened or dropped)."""
        return self.analysis.analyze(paths)

    def open_video(self, video_id: int) -> None:
        self.player.pause()
        self.session.open_video(video_id)

    def resume_unfinished(self) -> list[Job]:
        """Queue again every video that was queued or being analyzed when the app last closed
        (it resumes where it stopped); a missing file is named instead."""
        videos = self.analysis.book.to_resume()
        for video in videos:
            if not Path(video.path).exists():
                self.notify_error(f"{video.path}: the file is missing; its analysis resumes once it is back")
        return self.analyze([v.path for v in videos if Path(v.path).exists()])

    def open_dialog(self) -> None:
        with self.keeping_focus():
            paths, _ = QFileDialog.getOpenFileNames(self, "Open videos", "", VIDEO_FILTER)
        if paths:
            self.analyze(paths)

    # --- focus ---------------------------------------------------------------------------
    def _focus_now(self) -> QWidget:
        """The widget of this window with the keyboard now (the timeline, where the keys work, if none)."""
        widget = QApplication.focusWidget()
        return widget if widget is not None and widget.window() is self else self.timeline

    def give_focus_back(self, widget: QWidget | None = None) -> None:
        """Back to ``widget`` (default: the one that had the keys before the last dialog or menu),
        so arrow and label keys work again without a click."""
        target = widget or self._focus_before or self.timeline
        self.activateWindow()
        self.raise_()
        target.setFocus(Qt.FocusReason.PopupFocusReason)

    @contextlib.contextmanager
    def keeping_focus(self) -> Iterator[None]:
        """Run a dialog; the keys go back where they were when it closes, however it closes."""
        before = self._focus_now()
        try:
            yield
        finally:
            self.give_focus_back(before)

    def _watch_menus(self) -> None:
        """Every menu (a click, Alt, or Escape closing it) gives the keys back when it closes."""
        for menu in self.menuBar().findChildren(QMenu):
            menu.aboutToShow.connect(self._remember_focus)
            menu.aboutToHide.connect(lambda: QTimer.singleShot(0, self._after_menu))

    def _remember_focus(self) -> None:
        if QApplication.activePopupWidget() is None or self._focus_before is None:
            self._focus_before = self._focus_now()

    def _after_menu(self) -> None:
        if QApplication.activeModalWidget() is None and QApplication.activePopupWidget() is None:
            self.give_focus_back()

    def toggle_loop(self) -> None:
        self.player.set_looping(self.registry.action("play.loop").isChecked())

    def show_history(self) -> None:
        """Bring the History dock forward with its table focused (Escape or a click goes back)."""
        self.history_dock.show()
        self.history_dock.raise_()
        self.history.refresh()
        self.history.focus_table()

    def split_shot(self) -> None:
        self.shots.split_at_playhead()

    def merge_shot(self) -> None:
        self.shots.merge_at_playhead()

    def move_cut(self) -> None:
        self.shots.move_nearest_cut()

    def settings_dialog(self) -> None:
        from hhir_studio.dialogs.settings import SettingsDialog

        dialog = SettingsDialog(self.session.settings, self, [label.name for label in self.session.labels])
        with self.keeping_focus():
            accepted = dialog.exec()
        if accepted:
            self.apply_settings(dialog.result_settings())

    def apply_settings(self, settings: Settings) -> None:
        from hhir import settings as settings_file

        settings_file.save(settings)
        self.analysis.settings = settings
        self.session.apply_settings(settings)

    def export_dialog(self) -> None:
        from hhir_studio.dialogs.export import ExportDialog

        with self.keeping_focus():
            dialog = ExportDialog(self, self.runner)
            self._own_failures = dialog  # its status line shows its job's failure: not a second time here
            try:
                dialog.exec()
            finally:
                self._own_failures = None

    def import_dialog(self) -> None:
        from hhir_studio.dialogs.import_ import ImportDialog

        ImportDialog(self, self.runner).exec()

    def training_dialog(self) -> None:
        from hhir_studio.dialogs.training import TrainingDialog

        with self.keeping_focus():
            TrainingDialog(self, self.runner).exec()

    def notify_error(self, message: str) -> None:
        """The one place errors reach the user: a dialog with the details (:class:`FailureNotice`),
        the status bar, and the log."""
        from hhir_studio.dialogs.failure import FailureNotice

        log.warning("%s", message)
        self.statusBar().showMessage(f"⚠ {message}", 15000)
        if self._failures is None:
            self._failures = FailureNotice(self)
            self._failures.finished.connect(lambda _result: self.give_focus_back(self._focus_at_failure))
        if not self._failures.isVisible():
            self._focus_at_failure = self._focus_now()
        self._failures.report(message)

    def _job_failed(self, job: Job, message: str) -> None:
        dialog = self._own_failures
        if dialog is not None and getattr(dialog, "job", None) is job:
            return  # the dialog that started the job says so itself
        self.notify_error(message)

    # --- window --------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = _window_settings().value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dock_widths is not None:  # before the first show Qt has no room to share out yet
            docks, widths = self._dock_widths
            self._dock_widths = None
            self.resizeDocks(docks, widths, Qt.Orientation.Horizontal)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.session.stop_opening()  # a video being read as the app started: the store stays open for it
        self.analysis.closing = True  # stopped now, still queued: the next start resumes them
        if self.runner.busy():
            log.info("closing during analysis: finished stages are kept and resume on the next start")
            self.status.stopping = True
            self.status.update_state()
            self.statusBar().repaint()  # said before the wait, not after it
        self.runner.shutdown()
        self.player.unload()
        _window_settings().setValue("window/geometry", self.saveGeometry())
        super().closeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.analyze(paths)
