"""Where annotators disagree on who does what to whom, in the window: D steps to the next
disagreement and the Interactions dock shows both annotators' versions side by side, to accept one
or record the adjudicator's own.

- **D / Shift+D** step, in time order, through the open video's unsettled disagreements: the clips
  and scene whose labels annotators decided differently (as before) and the interactions on which
  they differ (:func:`hhir.learn.interaction_agreement.interaction_disagreements`, the pairing that
  ``hhir agreement`` uses: actor, target, label, or presence). An interaction's disagreement seeks
  to its start and shows in the dock; a clip's selects the clip, as before.
- **Ctrl+1 / Ctrl+2** accept the first or the second annotator's version as the decision (a version
  that is no record, or an absent one, decides that there is no such interaction there);
  **Ctrl+Return** records the interaction being made with the usual keys (actor, label key, whom,
  ``[`` ``]``) as the adjudicator's own decision instead of an annotation of theirs.
Each decision is one committed store step (``Store.adjudicate_interaction``), kept apart from the
annotators' records as clip adjudications are, with the adjudicator (the app's annotator) named in
it; Ctrl+Z undoes it. The project's adjudication policy applies (an annotator of the span is
refused under ``others``: the refusal shows on the status line).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hhir.errors import HHIRError
from hhir.learn.interaction_agreement import OWN, InteractionDisagreement, accepted, interaction_disagreements
from hhir.types import Interaction, Target
from hhir_studio.actions import ActionRegistry, ActionSpec
from hhir_studio.interaction_keys import Draft

if TYPE_CHECKING:
    from hhir_studio.people.interactions import InteractionController

MENU = "&People"
Key = tuple[str, object]  # ("clip", Target) or ("interaction", the two versions' ids and annotators)


def dispute_key(d: InteractionDisagreement) -> Key:
    return "interaction", (d.annotator_a, d.annotator_b, d.a.id if d.a else None, d.b.id if d.b else None)


class AdjudicationPanel(QWidget):
    """The disagreement shown: what differs, the two versions side by side, and the decision."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("adjudicationPanel")
        self.title = QLabel()
        self.title.setObjectName("adjudicationTitle")
        self.title.setWordWrap(True)
        self.sides: list[tuple[QGroupBox, QLabel, QPushButton]] = []
        row = QHBoxLayout()
        for n in (1, 2):
            box = QGroupBox()
            text = QLabel()
            text.setObjectName(f"adjudicationVersion{n}")
            text.setWordWrap(True)
            button = QPushButton(f"Accept (Ctrl+{n})")
            button.setObjectName(f"adjudicationAccept{n}")
            inner = QVBoxLayout(box)
            inner.addWidget(text)
            inner.addWidget(button)
            row.addWidget(box)
            self.sides.append((box, text, button))
        self.decision = QLabel()
        self.decision.setObjectName("adjudicationDecision")
        self.decision.setWordWrap(True)
        hint = QLabel("Or make your own with the keys (actor, label key, whom, [ ]) and record it with Ctrl+Return.")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.decision)
        layout.addWidget(hint)
        self.hide()

    def show_dispute(self, d: InteractionDisagreement, describe: dict[int | None, str], say: str) -> None:
        self.title.setText(say)
        for (box, text, _button), who, version in zip(self.sides, (d.annotator_a, d.annotator_b), (d.a, d.b)):
            box.setTitle(who)
            text.setText(describe.get(version.id if version is not None else None, "no such interaction"))
        self.decision.setText(f"Decided: {describe[d.decision.id]}" if d.decision is not None else "Not decided yet")
        self.show()


class AdjudicationController:
    """D through the disagreements, and the decisions, of the open video."""

    def __init__(self, interactions: InteractionController) -> None:
        self.interactions = interactions
        self.window = interactions.window
        self.session = interactions.session
        self.panel = AdjudicationPanel()
        self.disputes: list[InteractionDisagreement] = []
        self.current: InteractionDisagreement | None = None  # the disagreement the dock shows
        self._at: Key | None = None  # where D went last
        for n, button in ((1, self.panel.sides[0][2]), (2, self.panel.sides[1][2])):
            button.clicked.connect(partial(self._button, n))

    def register(self, registry: ActionRegistry) -> None:
        unsettled = lambda: any(d.decision is None for d in self.disputes)  # noqa: E731
        registry.divert("review.next_disagreement", lambda: self.go(1), unsettled)
        registry.divert("review.prev_disagreement", lambda: self.go(-1), unsettled)
        add = registry.register
        for n in (1, 2):
            add(ActionSpec(f"interaction.accept_{n}", f"Accept annotator {n}'s version", (f"Ctrl+{n}",), MENU,
                           tip="Where annotators disagree on an interaction (D): this version is the decision"),
                partial(self.accept, n), self.shown)
        add(ActionSpec("interaction.adjudicate_own", "Record the interaction being made as the decision", ("Ctrl+Return",), MENU,
                       tip="Where annotators disagree (D): your own version, made with the usual keys, is the decision"),
            self.own, lambda: self.shown() and self.interactions.making())

    def shown(self) -> bool:
        """Whether the dock shows an interaction's disagreement (its keys decide it)."""
        return self.current is not None

    # --- reading -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the video's disagreements (after an edit, an undo, another video)."""
        data = self.session.data
        self.disputes = interaction_disagreements(self.session.store, data.video.id) if data is not None else []
        if self.current is not None:
            key = dispute_key(self.current)
            self.current = next((d for d in self.disputes if dispute_key(d) == key), None)
        self._show()

    def _describe(self, d: InteractionDisagreement) -> dict[int | None, str]:
        names = self.interactions._names()

        def line(i: Interaction) -> str:
            whom = names.get(i.target_id, "?") if i.target_id is not None else i.target_kind
            by = f" by {i.source.split(':', 1)[1]}" if i.source.startswith("adjudication:") else ""
            text = f"{names.get(i.actor_id, '?')} {i.label} {whom}, frames {i.start_frame}-{i.end_frame}"
            return f"{text}: absent (not so){by}" if i.state == "absent" else f"{text}{by}"

        return {i.id: line(i) for i in (*d.versions, *([d.decision] if d.decision is not None else []))}

    def _show(self) -> None:
        d = self.current
        if d is None:
            self.panel.hide()
            return
        parts = "whether it happened" if d.parts == ("presence",) else " and ".join(d.parts)
        left = sum(1 for x in self.disputes if x.decision is None)
        self.panel.show_dispute(d, self._describe(d), f"{d.annotator_a} and {d.annotator_b} differ on {parts} "
                                                      f"(frames {d.start_frame}-{d.end_frame}; {left} undecided)")

    # --- D -------------------------------------------------------------------------------
    def _order(self) -> list[tuple[int, Key, object]]:
        data = self.session.data
        assert data is not None
        starts = {c.id: c.start_frame for c in data.clips}
        items: list[tuple[int, Key, object]] = [(d.start_frame, dispute_key(d), d) for d in self.disputes if d.decision is None]
        for t in self.session.disputed:
            items.append((-1 if t.clip_id is None else starts.get(t.clip_id, 0), ("clip", t), t))
        return sorted(items, key=lambda x: (x[0], x[1][0] == "interaction"))

    def go(self, direction: int) -> bool:
        """D: the next (previous) disagreement in time, an interaction's or a clip's; False (the
        clips' own D) when no interaction disagreement is left undecided."""
        if self.session.data is None or not any(d.decision is None for d in self.disputes):
            return False
        order = self._order()
        keys = [k for _, k, _ in order]
        if self._at in keys:
            index = (keys.index(self._at) + direction) % len(order)
        else:
            frame = self.interactions._frame()
            after = [i for i, (f, _, _) in enumerate(order) if (f >= frame if direction > 0 else f < frame)]
            index = (after[0] if direction > 0 else after[-1]) if after else (0 if direction > 0 else len(order) - 1)
        _frame, key, item = order[index]
        self._at = key
        if isinstance(item, Target):
            self.current = None
            self._show()
            self.session.select(item)
            return True
        assert isinstance(item, InteractionDisagreement)
        self.current = item
        self.window.player.seek_frame(item.start_frame)
        self.interactions.show_dock()
        self._show()
        self.session.status_reported.emit(self.panel.title.text() + ": Ctrl+1, Ctrl+2 or your own with Ctrl+Return")
        self.window.registry.refresh()
        return True

    # --- deciding ------------------------------------------------------------------------
    def _decide(self, parts: Interaction | Draft, state: str, evidence: str) -> int | None:
        data = self.session.data
        assert data is not None and parts.actor_id is not None and parts.label is not None and parts.target_kind is not None
        assert parts.start_frame is not None and parts.end_frame is not None
        try:
            _change, decided = self.session.store.adjudicate_interaction(
                data.video.id, parts.actor_id, parts.label, parts.target_kind, parts.target_id, parts.start_frame,
                parts.end_frame, state, self.session.annotator, evidence)
        except HHIRError as exc:
            self.session.status_reported.emit(f"Not decided: {exc}")
            return None
        self.refresh()
        self.window.registry.refresh()
        return decided

    def _button(self, n: int, _checked: bool = False) -> None:
        self.accept(n)

    def accept(self, n: int) -> bool:
        """Ctrl+1 / Ctrl+2: that annotator's version is the decision."""
        d = self.current
        if d is None:
            return False
        mine, theirs = (d.a, d.b) if n == 1 else (d.b, d.a)
        who = d.annotator_a if n == 1 else d.annotator_b
        if mine is not None:
            decided = self._decide(mine, mine.state, accepted(mine))
        else:  # they have no such record: the other's is not so
            assert theirs is not None
            decided = self._decide(theirs, "absent", f"accepted {who}'s (no such interaction)")
        if decided is not None:
            self.session.status_reported.emit(f"Decided: {who}'s version (Ctrl+Z undoes it)")
        return decided is not None

    def own(self) -> None:
        """Ctrl+Return: the interaction being made is the decision (not the adjudicator's annotation)."""
        if self.current is None or not self.interactions.making():
            return
        decided: list[int] = []

        def commit(draft: Draft) -> int:
            found = self._decide(draft, "present", OWN)
            if found is None:
                raise HHIRError("not decided")
            decided.append(found)
            return found

        keys = self.interactions._k()
        try:
            keys.enter(self.interactions._frame(), commit=commit)
        except HHIRError:
            return  # the refusal is on the status line; the draft stays
        if decided:
            self.session.status_reported.emit("Decided: your own version (Ctrl+Z undoes it)")
        self.interactions._refresh_list()
