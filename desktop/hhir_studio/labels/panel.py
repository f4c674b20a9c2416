"""LabelPanel: the labels of the selected clip (or the whole scene) with the model's probability
and the annotator's state; keys 1-9 cycle a label, buttons run the registry's actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QAction, QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from hhir.thresholds import DEFAULT_THRESHOLD
from hhir.types import AnnotationState, Clip, Target
from hhir_studio import theme
from hhir_studio.models_menu import describe_model
from hhir_studio.player.view import clock

if TYPE_CHECKING:
    from hhir.scoring.starter.scoring import Film
    from hhir_studio.session import ReviewSession  # the session imports the label rules: typing only

STATE_TEXT = {None: "·  unreviewed", AnnotationState.PRESENT: "✔  present", AnnotationState.ABSENT: "✘  absent"}
STATE_STYLE = {
    None: "color: #8a92a0;",
    AnnotationState.PRESENT: "color: #10141a; background: {colour}; font-weight: bold;",
    AnnotationState.ABSENT: "color: #c8ccd4; background: #3b3f48;",
}
# A label left alone on a reviewed clip counts as absent (hhir.scoring.truth): training and exports
# read it so, and the panel says so instead of "unreviewed".
IMPLIED_TEXT = "✘  absent (reviewed)"
IMPLIED_STYLE = "color: #c8ccd4; background: #2c3038; font-style: italic;"
IMPLIED_TIP = ("You marked this clip reviewed without ticking this label, so it counts as absent in "
               "training and exports. Press its key to set it, or undo the review.")


class ProbabilityBar(QWidget):
    """A thin bar: probability in the label's colour with a tick at the threshold."""

    def __init__(self, colour: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colour = colour
        self.value: float | None = None
        self.threshold = DEFAULT_THRESHOLD
        self.setMinimumWidth(40)

    def sizeHint(self) -> QSize:
        return QSize(120, 16)

    def set_value(self, value: float | None, threshold: float) -> None:
        self.value, self.threshold = value, threshold
        self.setToolTip("no prediction" if value is None else f"p = {value:.3f} (threshold {threshold:.2f})")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        r = QRectF(self.rect()).adjusted(0, 4, -1, -4)
        p.fillRect(r, theme.TRACK)
        if self.value is not None:
            fill = QColor(self.colour)
            fill.setAlphaF(1.0 if self.value >= self.threshold else 0.55)
            p.fillRect(QRectF(r.left(), r.top(), r.width() * self.value, r.height()), fill)
        x = r.left() + r.width() * self.threshold
        p.setPen(theme.TEXT)
        p.drawLine(int(x), int(r.top()) - 2, int(x), int(r.bottom()) + 2)
        p.end()


class LabelPanel(QWidget):
    def __init__(self, session: ReviewSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelPanel")
        self.session = session
        self.title = QLabel("No video", self)
        self.title.setObjectName("panelTitle")
        self.detail = QLabel("", self)
        self.detail.setWordWrap(True)
        self.detail.setStyleSheet("color: #9aa3b2;")
        self.model = QLabel("", self)  # which model the suggestions come from (always said)
        self.model.setObjectName("modelMark")
        self.model.setWordWrap(True)
        self.score_heading = QLabel("", self)  # whose scores the numbers are: this clip's or the scene's
        self.score_heading.setStyleSheet("color: #9aa3b2;")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(3)
        self.grid.setColumnStretch(2, 1)  # the probability bar takes the spare width
        self.bars: dict[str, ProbabilityBar] = {}
        self.values: dict[str, QLabel] = {}
        self.buttons: dict[str, QToolButton] = {}
        self.reasons: dict[str, QLabel] = {}  # the starter's cue behind each score ("question: '...'")
        self._reason_cache: tuple[tuple[object, ...], dict[str, str]] = ((), {})
        self._film: tuple[tuple[object, ...], Film | None] = ((), None)
        self.actions_row = QGridLayout()
        box = QVBoxLayout(self)
        box.addWidget(self.title)
        box.addWidget(self.detail)
        box.addWidget(self.model)
        box.addWidget(self.score_heading)
        box.addLayout(self.grid)
        box.addLayout(self.actions_row)
        # decisions a shot edit could not give to any new clip: listed until the annotator puts them back
        self.aside_title = QLabel("", self)
        self.aside_title.setObjectName("keptAsideTitle")
        self.aside_title.setWordWrap(True)
        self.aside = QListWidget(self)
        self.aside.setObjectName("keptAside")
        self.aside.setMaximumHeight(96)
        self.put_back = QPushButton("Put back on the selected clip", self)
        self.put_back.setObjectName("putBack")
        self.put_back.clicked.connect(self._put_back)
        self.put_back.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves the keys where they were
        for widget in (self.aside_title, self.aside, self.put_back):
            box.addWidget(widget)
            widget.setVisible(False)
        box.addStretch(1)
        self._build_rows()
        session.data_changed.connect(self._refresh_aside)
        session.data_changed.connect(self.refresh)
        session.selection_changed.connect(self.refresh)
        session.preview_changed.connect(self.refresh)

    def _build_rows(self) -> None:
        for row, label in enumerate(self.session.labels):
            number = label.key or str(row + 1)
            key = QLabel(f"<b>{number}</b>", self)
            name = QLabel(label.name, self)
            name.setToolTip(label.description)
            name.setStyleSheet(f"color: {theme.label_colour(row).name()};")
            bar = ProbabilityBar(theme.label_colour(row), self)
            value = QLabel("–", self)
            value.setMinimumWidth(36)
            button = QToolButton(self)
            button.setObjectName("stateButton")
            button.clicked.connect(lambda _=False, n=int(number) if number.isdigit() else row + 1: self.session.cycle_label(n))
            reason = QLabel("", self)
            reason.setObjectName("scoreReason")
            reason.setStyleSheet("color: #9aa3b2; font-size: 11px;")
            for col, widget in enumerate((key, name, bar, value, button)):
                self.grid.addWidget(widget, 2 * row, col)
            self.grid.addWidget(reason, 2 * row + 1, 1, 1, 4)
            self.bars[label.name], self.values[label.name], self.buttons[label.name] = bar, value, button
            self.reasons[label.name] = reason

    def add_actions(self, actions: list[QAction]) -> None:
        """Buttons for registry actions (accept, reviewed-next, previous/next unreviewed)."""
        for i, action in enumerate(actions):
            button = QToolButton(self)
            button.setDefaultAction(action)
            # no minimum from the text: the row shares the panel's width and lays out again on every resize
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setMinimumWidth(60)
            self.actions_row.addWidget(button, i // 2, i % 2)

    def refresh(self) -> None:
        session, data, target = self.session, self.session.data, self.session.selected
        if data is None:  # the app's last clip, shown while its video is read (ReviewSession.open_in_background)
            data, target = session.preview, session.preview_target
        if data is None or target is None:
            self.title.setText("No video open")
            self.detail.setText("Open or drop a video to start.")
            self.model.setText("")
            self.score_heading.setText("")
            return
        scores = data.scores(target)
        clip = data.clip(target.clip_id)
        is_reviewed = target in data.reviewed
        reviewed = "   ✓ reviewed" if is_reviewed else ""
        self.model.setText(describe_model(data.predictions.model if data.predictions else None))
        self.score_heading.setText("Scores: the whole scene" if clip is None else f"Scores: this clip (clip {clip.index + 1})")
        if clip is None:
            self.title.setText(f"Scene — {len(data.clips)} clips{reviewed}")
            self.detail.setText(f"{data.video.path}")
        else:
            self.title.setText(f"Clip {clip.index + 1} — shots {clip.first_shot + 1}–{clip.last_shot + 1}{reviewed}")
            text = clip.text.strip() or "(no speech)"
            self.detail.setText(f"{clock(clip.start_s)} – {clock(clip.end_s)}   “{text}”")
        why = self._why(clip)
        covered = self._covered_by_review(target) if is_reviewed else lambda name: False
        for row, label in enumerate(session.labels):
            self.reasons[label.name].setText(why.get(label.name, ""))
            self.reasons[label.name].setVisible(label.name in why)
            score = scores.get(label.name)
            self.bars[label.name].set_value(score, session.threshold(label.name))
            self.values[label.name].setText("–" if score is None else f"{score:.2f}")
            state = data.states.get((target, label.name))
            button = self.buttons[label.name]
            if state is None and covered(label.name):
                button.setText(IMPLIED_TEXT)
                button.setStyleSheet(IMPLIED_STYLE)
                button.setToolTip(IMPLIED_TIP)
            else:
                button.setText(STATE_TEXT[state])
                button.setStyleSheet(STATE_STYLE[state].format(colour=theme.label_colour(row).name()))
                button.setToolTip("")

    def _refresh_aside(self) -> None:
        aside = self.session.kept_aside()
        self.aside.clear()
        for orphan in aside:
            text = (f"{orphan.label}: {orphan.state.value}, {clock(orphan.start_s)}–{clock(orphan.end_s)}"
                    f"  ({orphan.annotator})")
            item = QListWidgetItem(text, self.aside)
            item.setData(Qt.ItemDataRole.UserRole, orphan.id)
        if aside:
            self.aside.setCurrentRow(0)
        self.aside_title.setText(f"Kept aside by a shot edit ({len(aside)}): no new clip could take them. "
                                 "Select the clip a decision belongs to, then put it back.")
        for widget in (self.aside_title, self.aside, self.put_back):
            widget.setVisible(bool(aside))

    def _put_back(self) -> None:
        item = self.aside.currentItem()
        if item is not None:
            self.session.reattach(int(item.data(Qt.ItemDataRole.UserRole)))

    def _covered_by_review(self, target: Target) -> Callable[[str], bool]:
        """label -> whether this clip's review judged it (a label added after the review was not: it
        stays unreviewed there, as training reads it). Two small queries per refresh."""
        from hhir.scoring.truth import review_covers

        store = self.session.store
        reviewed_at, created = store.review_time(target, self.session.annotator), store.label_times()
        return lambda name: review_covers(reviewed_at, created.get(name))

    def _why(self, clip: Clip | None) -> dict[str, str]:
        """The starter's reason per label for the selected clip (empty for the scene or a trained model)."""
        from hhir.scoring import starter

        data = self.session.data
        if clip is None or data is None or data.predictions is None:
            return {}
        model = data.predictions.model
        if model.kind != "starter":
            return {}
        film_key = (data.video.id, model.id, len(data.clips))
        if self._film[0] != film_key:  # the film's dialogue level: one bulk read per video
            self._film = (film_key, starter.film_context(self.session.store, data.video, data.clips))
        key = (film_key, clip.id, clip.text)
        if self._reason_cache[0] != key:
            found = starter.clip_reasons(self.session.store, data.video, [clip], self._film[1])
            self._reason_cache = (key, found.get(clip.id, {}))
        return self._reason_cache[1]
