"""Pair suggestions in the window: the Interactions dock shows a suggestion with its cue, A (the
list focused) accepts it as the annotator's own, Ctrl+Z takes that back; A elsewhere still accepts
the clip's label suggestions. On a project analysed from the generated two-person video, whose
suggestions are stored as the analysis stores them (``Store.replace_suggestions``)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from hhir.store.repo_interactions import SUGGESTER
from hhir.types import Interaction
from test_desktop_people import _key, analyzed_project, window  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.slow

CUE = "p=0.50 · next speaker (0.50): person 1 speaks 0.2-1.0 s; person 2 speaks next, at 1.2 s"


def test_a_suggestion_shows_its_cue_and_a_accepts_it(window, qtbot):  # noqa: F811 (the imported fixture)
    w = window
    video = w.session.data.video
    left, right = w.store.characters(video.id)
    w.store.replace_suggestions(video.id, [Interaction(0, video.id, left.id, "talks to", "character", right.id, 2, 12,
                                                       "unreviewed", "", "suggestion", CUE)])
    w.session.reload()
    listing = w.interactions.list
    w.interactions._refresh_list()
    (suggested,) = w.store.interactions(video.id)
    assert listing.ids == [suggested.id]
    row = listing.item(0)
    assert row.text().startswith("suggested: ") and "next speaker" in row.text() and row.toolTip() == CUE
    # A with the picture focused: the clip's suggestions, as before (the pair stays unreviewed)
    _key(qtbot, w, Qt.Key.Key_A)
    assert w.store.interaction(suggested.id).state == "unreviewed"
    # A with the suggestion chosen in the list: accepted, the annotator's own, the cue kept
    listing.setFocus()
    listing.setCurrentRow(0)
    qtbot.waitUntil(listing.hasFocus, timeout=5000)
    qtbot.keyClick(listing, Qt.Key.Key_A)
    accepted = w.store.interaction(suggested.id)
    assert (accepted.state, accepted.annotator, accepted.evidence) == ("present", w.session.annotator, CUE)
    assert not listing.item(0).text().startswith("suggested") and "next speaker" not in listing.item(0).text()
    # the clips it overlaps now carry the label for the annotator; Ctrl+Z makes it a suggestion again
    assert any(a.label == "talks to" and a.annotator == w.session.annotator for a in w.store.annotations(video.id))
    w.player.setFocus()
    _key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    back = w.store.interaction(suggested.id)
    assert (back.state, back.annotator) == ("unreviewed", SUGGESTER)
