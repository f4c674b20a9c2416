"""PlayerView: QtMultimedia playback with frame stepping, jumps, speed presets, clip looping and an
exact time + frame readout.

Frames are addressed by index, the ``n``-th decoded frame, as shots and clips are. The player's
clock counts from the container's start in the stream's timestamps, so a :class:`TimeBase` maps
between them: frame ``n`` is shown at the middle of its display interval on that clock. A stream
that starts late (0.036 s is common) or has a variable frame rate shows the frame the counter names.

Two time bases: ``frames``, the film's own (the project's frame index: how many frames it decodes
to and each one's timestamp), which the counter and the readout's times come from; and
``timebase``, the clock of the file played, which positions come from. They are the same
unless a playback copy is played (its clock is its own, read from its packets).

The player's clock is measured, not assumed: where a container starts is FFmpeg's guess, and the
FFmpeg inside QtMultimedia can guess differently from the one that decoded the frame index (a
Matroska file whose AAC track begins with a priming packet starts at -0.064 s in one and at 0 in
the other, which showed every frame 1.6 frames late). So each file played first shows its first
frame, and the time QtMultimedia gives that frame (``QVideoFrame.startTime``) sets where frame 0
is on its clock; the other frames keep their distances from it.

Where a frame is sought follows how QtMultimedia picks the frame it shows after a seek: the first
frame whose start plus a duration reaches the position, every frame lasting the same (one frame at
the stream's average rate, measured from that first frame's ``endTime``), whatever its own interval.
In a variable-rate film that is not the frame whose interval holds the position; so frame ``n`` is
sought where QtMultimedia shows ``n`` (between the end it gives ``n - 1`` and the end it gives
``n``), inside ``n``'s own interval when the two overlap, and the frame on screen is read back by
the same rule.
"""

from __future__ import annotations

import bisect
import math

from PySide6.QtCore import Q_ARG, QEvent, QGenericArgumentHolder, QMetaObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QSpinBox, QVBoxLayout, QWidget

from hhir.media.timebase import TimeBase, constant_timebase, quick_timebase

SPEEDS = (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 4.0)


def frame_at(position_ms: float, fps: float) -> int:
    """The frame at frame-clock ``position_ms`` (``frame / fps`` seconds)."""
    return int(math.floor(position_ms * fps / 1000.0 + 1e-6))


def frame_position_ms(frame: int, fps: float) -> int:
    """The middle of ``frame`` on the frame clock, in ms."""
    return int(round((frame + 0.5) * 1000.0 / fps))


def clock(seconds: float) -> str:
    minutes, secs = divmod(max(seconds, 0.0), 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{secs:06.3f}" if hours else f"{minutes:02d}:{secs:06.3f}"


class GotoBox(QLineEdit):
    """The go-to box: Enter and Escape are its own while it has the focus (in the window they are
    shortcuts: Enter marks a clip reviewed)."""

    cancelled = Signal()

    def event(self, event: QEvent) -> bool:
        if (isinstance(event, QKeyEvent) and event.type() == QEvent.Type.ShortcutOverride
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape)):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


class PlayerView(QWidget):
    position_changed = Signal(float)  # seconds
    playing_changed = Signal(bool)
    media_failed = Signal(str)
    goto_failed = Signal(str)  # why the go-to box's text names no frame
    goto_done = Signal()  # the go-to box went to its frame: focus may go back

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fps = 25.0
        self.frame_count = 0
        self.path = ""
        self.source = ""  # the file played: ``path`` itself or its playback copy
        self.timebase: TimeBase = constant_timebase(self.fps, 0)  # frames on the clock of the file played
        self.frames: TimeBase | None = None  # the film's own frames (its frame index) once known
        self._count_known = False  # frame_count is the number of frames the analysis decoded
        self._rate_text = "25 fps"
        self._position_ms = 0  # on the player's clock
        self._pending_ms: int | None = None  # where to go once a swapped source has loaded
        self._resume = False  # play on once it has (it was playing when swapped)
        self._clock: TimeBase = self.timebase  # ``timebase`` before the measured shift
        self._shift_s = 0.0  # where the player's clock puts frame 0, less where ``_clock`` does
        self._measuring = False  # the file's first frame is awaited to measure ``_shift_s``
        self._measure_armed = False  # the file has loaded and been asked for its first frame
        self._frame_s: float | None = None  # how long QtMultimedia says every frame of the file played lasts
        self._measure_timeout = QTimer(self)
        self._measure_timeout.setSingleShot(True)
        self._measure_timeout.setInterval(3000)  # no frame came: the clock is taken as it is
        self._measure_timeout.timeout.connect(lambda: self._measured(None))
        self._loop: tuple[float, float] | None = None
        self.looping = False
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.video = QVideoWidget(self)
        self.video.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.video.setMinimumHeight(160)
        self.player.setVideoOutput(self.video)
        self.video.videoSink().videoFrameChanged.connect(self._on_frame)
        self.readout = QLabel("--:--.---", self)
        self.readout.setObjectName("readout")
        self.readout.setWordWrap(True)  # two lines in a narrow window rather than a wide minimum
        self.readout.setMinimumWidth(160)
        self.goto = GotoBox(self)  # a frame number or a time, as the readout shows them
        self.goto.setObjectName("gotoBox")
        self.goto.setPlaceholderText("go to frame or time")
        self.goto.setToolTip("A frame number (1126) or a time (01:02.5, 62.5s); Enter goes there (Ctrl+G)")
        self.goto.setMaximumWidth(150)
        self.goto.setMinimumWidth(90)
        self.goto.returnPressed.connect(self._go_typed)
        self.goto.cancelled.connect(self.goto_done)
        self.step = QSpinBox(self)  # frames per Ctrl+←/→
        self.step.setObjectName("stepFrames")
        self.step.setRange(1, 10_000)
        self.step.setValue(10)
        self.step.setPrefix("step ")
        self.step.setSuffix(" fr")
        self.step.setToolTip("Frames moved by Ctrl+← and Ctrl+→")
        self._build()
        self.player.positionChanged.connect(self._on_position)
        self.player.playbackStateChanged.connect(
            lambda state: self.playing_changed.emit(state == QMediaPlayer.PlaybackState.PlayingState)
        )
        self.player.errorOccurred.connect(lambda _err, text: self.media_failed.emit(f"{self.path}: {text}"))
        self.player.mediaStatusChanged.connect(self._on_status)

    def _build(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(self.readout)
        bar.addStretch(1)
        bar.addWidget(self.goto)
        bar.addWidget(self.step)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.video, 1)
        box.addLayout(bar)

    # --- media ---------------------------------------------------------------------------
    def load(self, path: str, fps: float, frame_count: int, source: str | None = None,
             timebase: TimeBase | None = None, decoded: bool = False, frames: TimeBase | None = None) -> None:
        """Show ``path`` paused at its first frame, played from ``source`` (its playback copy) if given.

        ``frames`` is the film's frame index (``hhir.media.frame_index``): its count is the
        counter's total and its timestamps the readout's times. Without it, ``frame_count`` is the
        number of frames decoded when ``decoded`` (the end of the last shot), else the header's
        estimate, until :meth:`set_frames` brings the index (or :meth:`set_timebase` the stream's
        own timestamps).

        ``timebase`` is ``source``'s clock (:func:`hhir.media.timebase.read_timebase`); without one,
        ``frames`` when ``path`` itself is played, else the stream's start and ``fps`` until
        :meth:`set_timebase` brings the exact one.
        """
        self.path, self.fps = str(path), fps or 25.0
        self.frames = frames
        self.frame_count = frames.frame_count if frames is not None else frame_count
        self._count_known = decoded or frames is not None
        self.source = str(source or path)
        own = frames if frames is not None and self.source == self.path else None
        self._use_clock(timebase or own or quick_timebase(self.source, self.fps, self.frame_count), 0.0)
        self._measuring, self._measure_armed, self._frame_s = True, False, None
        self._rate_text = self.rate_text()
        self._loop = None
        # A seek made before the source has loaded (the restored clip after a restart) is applied
        # once it has: the player would drop it and stay on frame 0.
        self._position_ms, self._pending_ms = self._ms(0), self._ms(0)
        self._resume = False
        self._from_event_loop("setSource", Q_ARG(QUrl, QUrl.fromLocalFile(self.source)))
        self._from_event_loop("pause")  # decodes and shows the first frame without playing
        self._update_readout()

    def set_frames(self, frames: TimeBase, path: str) -> None:
        """Use the film's frame index (built in the background), keeping the frame on screen."""
        if str(path) != self.path:
            return  # it belongs to a film no longer shown
        self.frames = frames
        self._count_known = True
        self.set_timebase(frames if self.source == self.path else self._clock, count=frames.frame_count)

    def set_timebase(self, timebase: TimeBase, source: str | None = None, count: int | None = None) -> None:
        """Use ``source``'s exact time base (read in the background), keeping the frame on screen.
        ``count``: the decoded frame count, now known."""
        if source is not None and str(source) != self.source:
            return  # it belongs to a file no longer played
        frame = self.current_frame()
        self._use_clock(timebase, self._shift_s)
        if count is None and timebase.exact and not self._count_known and timebase.frame_count:
            count = timebase.frame_count  # the header only estimated it
        if count:
            self.frame_count = count
            frame = min(frame, self.frame_count - 1)
        self._rate_text = self.rate_text()
        if self._pending_ms is not None:
            self._pending_ms = self._ms(frame)
        elif not self.is_playing:
            self._set_position(self._ms(frame), emit=False)
        self._update_readout()

    def _ms(self, frame: int) -> int:
        return int(round(self._seek_point(frame) * 1000.0))

    def _seek_point(self, frame: int) -> float:
        """Seconds on the player's clock where a paused seek shows ``frame``."""
        clock, lasts = self.timebase, self._frame_s
        n = len(clock.starts)
        if not lasts or not clock.exact or not 0 < frame < n:
            return clock.position(frame)
        start, before = clock.starts[frame], clock.starts[frame - 1]
        after = clock.starts[frame + 1] if frame + 1 < n else clock.end_s
        low, high = max(before + lasts, start), min(start + lasts, after)
        if low < high:  # both a seek and playback show ``frame`` here
            return (low + high) / 2.0
        return (before + start) / 2.0 + lasts  # a seek shows it here, though playback shows a neighbour

    def _frame_at(self, seconds: float) -> int:
        """The frame a paused seek to ``seconds`` shows (see :meth:`_seek_point`)."""
        clock, lasts = self.timebase, self._frame_s
        if not lasts or not clock.exact or not clock.starts or seconds > clock.end_s + lasts:
            return clock.frame_at(seconds)
        return min(bisect.bisect_left(clock.starts, seconds - lasts), len(clock.starts) - 1)

    def _use_clock(self, clock: TimeBase, shift_s: float) -> None:
        self._clock, self._shift_s = clock, shift_s
        self.timebase = clock.shifted(shift_s) if shift_s else clock

    def _on_frame(self, frame: QVideoFrame) -> None:
        if self._measure_armed and frame.isValid() and self.player.source() == QUrl.fromLocalFile(self.source):
            start, end = frame.startTime(), frame.endTime()
            self._measured(start, (end - start) / 1_000_000 if 0 <= start < end else None)

    def _measured(self, start_us: int | None, lasts_s: float | None = None) -> None:
        """The first frame of the file played is on screen at ``start_us`` on the player's clock for
        ``lasts_s`` (None: unknown); go on to the pending position once the file has loaded."""
        if not self._measuring:
            return
        self._measuring = self._measure_armed = False
        self._measure_timeout.stop()
        frame = self.current_frame()
        if lasts_s is not None and 0.0 < lasts_s < 10.0:
            self._frame_s = lasts_s
        if start_us is not None and start_us >= 0 and self._clock.frame_count:
            shift = start_us / 1_000_000 - self._clock.frame_start(0)
            if 0.0005 < abs(shift) < 2.0:  # a container start guessed differently, never a jump elsewhere
                self._use_clock(self._clock, shift)
        if self._pending_ms is not None:
            self._position_ms = self._pending_ms = self._ms(frame)
        loaded = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
        if self.player.mediaStatus() in loaded:
            self._go_pending()

    def swap_source(self, source: str) -> None:
        """Go on showing the same film from ``source`` (its playback copy) where it was, playing on
        if it was playing."""
        if not self.path or str(source) == self.source:
            return
        frame = self.current_frame()
        self._resume = self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        self.source = str(source)
        self._use_clock(quick_timebase(self.source, self.fps, self.frame_count), 0.0)  # until its own is read
        self._measuring, self._measure_armed, self._frame_s = not self._resume, False, None  # played on: nothing to measure
        self._rate_text = self.rate_text()
        self._position_ms = self._pending_ms = self._ms(frame)
        self._from_event_loop("setSource", Q_ARG(QUrl, QUrl.fromLocalFile(self.source)))
        if not self._resume:  # a queued pause could land after the play below
            self._from_event_loop("pause")

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        loaded = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
        if self.player.source() != QUrl.fromLocalFile(self.source):
            return  # the file shown before a switch reporting late: the pending frame is the new file's
        if status in loaded and self._measuring:
            if not self._measure_armed:  # a frame shown from now on is this file's, at position 0: its first
                self._measure_armed = True
                self.player.setPosition(0)
                self._measure_timeout.start()
        elif status in loaded:
            self._go_pending()

    def _go_pending(self) -> None:
        if self._pending_ms is not None:
            ms, self._pending_ms = self._pending_ms, None
            self._set_position(ms)
            if self._resume:
                self._resume = False
                self.player.play()

    def unload(self) -> None:
        self._from_event_loop("stop")
        self._from_event_loop("setSource", Q_ARG(QUrl, QUrl()))
        self.path = self.source = ""
        self._pending_ms = None
        self._measuring = self._measure_armed = False
        self._measure_timeout.stop()

    def _from_event_loop(self, slot: str, *args: QGenericArgumentHolder) -> None:
        """Call a player slot from Qt's event loop instead of from Python.

        The FFmpeg backend tears a source down on its own threads and, while holding a lock that
        ``setSource``/``stop`` wait for, calls back into the binding, which needs the GIL. Called
        from Python (holding the GIL) the two threads could wait for each other forever; from the
        event loop no Python frame holds the GIL. Queued calls keep their order.
        """
        QMetaObject.invokeMethod(self.player, slot, Qt.ConnectionType.QueuedConnection, *args)

    @property
    def has_media(self) -> bool:
        return bool(self.path)

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps if self.frame_count else self.player.duration() / 1000.0

    @property
    def position_s(self) -> float:
        """Frame-clock seconds (``frame / fps``, as shots and clips count)."""
        return self.timebase.frame_clock(self._position_ms / 1000.0)

    def current_frame(self) -> int:
        """The index of the decoded frame on screen."""
        return min(self._frame_at(self._position_ms / 1000.0), self._last_frame())

    def _last_frame(self) -> int:
        if self.frame_count:
            return max(self.frame_count - 1, 0)
        return max(self.timebase.frame_at(self.player.duration() / 1000.0), 0)

    # --- transport -----------------------------------------------------------------------
    def toggle_play(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            if self._loop and not self._loop[0] <= self.position_s < self._loop[1]:
                self.seek(self._loop[0])
            self.player.play()

    def pause(self) -> None:
        self.player.pause()

    def seek(self, seconds: float) -> None:
        """Show the frame at frame-clock ``seconds`` (``frame / fps``), positioned at its middle."""
        self.seek_frame(frame_at(seconds * 1000.0, self.fps))

    def seek_frame(self, frame: int) -> None:
        """Show decoded frame ``frame``."""
        self._set_position(self._ms(min(max(frame, 0), self._last_frame())))

    def step_frames(self, n: int) -> None:
        """Pause and move ``n`` frames (negative: back)."""
        self.player.pause()
        self.seek_frame(self.current_frame() + n)

    def step_many(self, direction: int) -> None:
        """Move the step box's number of frames (``direction`` -1: back)."""
        self.step_frames(direction * self.step.value())

    def first_frame(self) -> None:
        self.player.pause()
        self.seek_frame(0)

    def last_frame(self) -> None:
        self.player.pause()
        self.seek_frame(self._last_frame())

    def go_to(self, text: str) -> str | None:
        """Show the frame ``text`` names: a frame number, or a time as the readout shows it
        (``mm:ss.fff``, ``h:mm:ss``, ``62.5s`` or ``62.5``: the stream's own time). Returns None, or
        why ``text`` names no frame."""
        text = text.strip().lower()
        if not text:
            return "type a frame number or a time"
        try:
            if text.isdigit():
                self.player.pause()
                self.seek_frame(int(text))
                return None
            seconds = 0.0
            for part in text.removesuffix("s").split(":"):
                seconds = seconds * 60 + float(part)
        except ValueError:
            return f"{text!r} is not a frame number or a time (frame 1126, 01:02.5 or 62.5s)"
        if not math.isfinite(seconds) or seconds < 0:
            return f"{text!r} is not a time in the video"
        self.player.pause()
        self.seek_frame(self.times.frame_at(seconds))
        return None

    def _go_typed(self) -> None:
        problem = self.go_to(self.goto.text())
        if problem is not None:
            self.goto.setToolTip(problem)
            self.goto_failed.emit(problem)
            return
        self.goto.clear()
        self.goto_done.emit()

    def focus_goto(self) -> None:
        self.goto.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.goto.selectAll()

    def jump(self, seconds: float) -> None:
        """Move by ``seconds`` in whole frames, so the frame under the playhead stays exact."""
        self.step_frames(int(round(seconds * self.fps))) if not self.is_playing else self.seek(self.position_s + seconds)

    @property
    def is_playing(self) -> bool:
        return self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def set_speed(self, rate: float) -> None:
        self.player.setPlaybackRate(rate)
        self._update_readout()

    @property
    def speed(self) -> float:
        return self.player.playbackRate()

    def change_speed(self, steps: int) -> None:
        """Move through the speed presets (``steps`` > 0: faster)."""
        nearest = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.speed))
        self.set_speed(SPEEDS[min(max(nearest + steps, 0), len(SPEEDS) - 1)])

    def set_loop_range(self, span: tuple[float, float] | None) -> None:
        """The range played in a loop while looping is on (the selected clip)."""
        self._loop = span
        self._update_readout()

    def set_looping(self, on: bool) -> None:
        self.looping = on
        self._update_readout()

    def _set_position(self, ms: int, emit: bool = True) -> None:
        duration = self.player.duration() or int(self.timebase.end_s * 1000)
        ms = min(max(ms, 0), max(duration - 1, 0)) if duration else max(ms, 0)
        self._position_ms = ms
        if self._pending_ms is not None:
            self._pending_ms = ms  # a source is loading: the latest position wins once it has
        else:
            self.player.setPosition(ms)
        self._update_readout()
        if emit:
            self.position_changed.emit(self.position_s)

    def _on_position(self, ms: int) -> None:
        if self._pending_ms is not None:
            return  # a swapped source reports its start; the pending position is applied once it loads
        if self.looping and self._loop and self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            start, end = self._loop
            now = self.timebase.frame_clock(ms / 1000.0)
            if now >= end or now < start - 0.5:
                self.seek(start)
                return
        self._position_ms = ms
        self._update_readout()
        self.position_changed.emit(self.position_s)

    @property
    def times(self) -> TimeBase:
        """The film's own frame times: its frame index, else the clock of the file played."""
        return self.frames if self.frames is not None else self.timebase

    @property
    def shown_s(self) -> float:
        """Where the frame on screen starts in the stream's own timestamps (seconds from the
        container's start: a stream that starts late shows its first frame at that time)."""
        return self.times.frame_start(self.current_frame())

    def rate_text(self) -> str:
        """The frame rate as the timestamps give it: the header's for a constant rate, the average
        (said to vary) when the intervals differ."""
        times = self.times
        starts = times.starts[: self.frame_count or None]
        if not times.exact or len(starts) < 3:
            return f"{self.fps:g} fps"
        steps = [b - a for a, b in zip(starts, starts[1:])]
        if max(steps) - min(steps) <= 0.002:  # constant within a millisecond or two of rounding
            return f"{self.fps:g} fps"
        return f"{(len(starts) - 1) / (starts[-1] - starts[0]):.2f} fps (variable)"

    def _update_readout(self) -> None:
        total = self.frame_count or self._last_frame() + 1
        end_s = self.times.frame_start(total) if self.times.exact else self.duration_s
        parts = [
            f"{clock(self.shown_s)} / {clock(end_s)}",
            f"frame {self.current_frame():>6d} / {total}",
            self._rate_text,
            f"{self.speed:g}×",
        ]
        if self.looping:
            parts.append("loop clip")
        self.readout.setText("   ".join(parts))
