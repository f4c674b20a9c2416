"""Agreement on who does what to whom: Cohen's kappa on actor, target and label separately, and
pair-level F1, between every two annotators.

Two annotators rarely draw the same span, so their records are first paired up, per video: a record
of A and one of B can describe the same event when their spans overlap by at least ``min_tiou``
(temporal intersection over union). Among those candidates, a one-to-one assignment (the Hungarian
method, scipy's ``linear_sum_assignment``) pairs the records that agree on the most parts (actor,
target, label), then overlap most. Only *present* records count: an absent one says "not so", an
unreviewed suggestion is nobody's judgement yet.

- kappa per part: over the paired records, A's actor against B's actor (the characters are the
  categories), likewise the target (a character, or group / offscreen / unknown) and the label.
- pair-level F1: a record of one annotator is matched when the other has one with the same actor,
  target and label over an overlapping span (one-to-one, the same ``min_tiou``); with ``m`` matches,
  F1 = 2m / (records of A + records of B), which is scikit-learn's ``f1_score`` of B against A over
  the union of their records.

Disagreements (:func:`interaction_disagreements`, what D steps through in the app and ``hhir
disagreements`` lists) come from the same pairing, per video and per two annotators who both
recorded interactions there: a pair differing in actor, target or label, and a present record the
other annotator has no counterpart for (presence: they have none, or an absent one, over that
time). An adjudicated decision (``Store.interaction_adjudications``) settles a disagreement when
its span overlaps one of the two versions by ``min_tiou``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from hhir.learn.kappa import cohen_kappa
from hhir.store.repo_interactions import SUGGESTER
from hhir.types import Interaction

if TYPE_CHECKING:
    from hhir.store import Store

MIN_TIOU = 0.5


@dataclass(frozen=True)
class InteractionAgreement:
    """Two annotators' agreement on interactions (kappa None: undefined, or no paired records)."""

    annotator_a: str
    annotator_b: str
    records_a: int
    records_b: int
    paired: int  # records paired by time (the items of the three kappas)
    actor_kappa: float | None
    target_kappa: float | None
    label_kappa: float | None
    matched: int  # records agreeing on actor, target and label
    pair_f1: float | None  # None when neither has a record


def tiou(a: Interaction, b: Interaction) -> float:
    """Temporal intersection over union of two spans ``[start, end)``."""
    inter = min(a.end_frame, b.end_frame) - max(a.start_frame, b.start_frame)
    union = max(a.end_frame, b.end_frame) - min(a.start_frame, b.start_frame)
    return max(inter, 0) / union if union > 0 else 0.0


def target_of(i: Interaction) -> str:
    """The target as one category: ``character:<id>`` or the kind."""
    return f"character:{i.target_id}" if i.target_kind == "character" else i.target_kind


def _parts(i: Interaction) -> tuple[int, str, str]:
    return i.actor_id, target_of(i), i.label


def assign(a: list[Interaction], b: list[Interaction], min_tiou: float = MIN_TIOU, exact: bool = False) -> list[tuple[int, int]]:
    """One-to-one pairs ``(index in a, index in b)`` of records overlapping by ``min_tiou`` or more,
    preferring those agreeing on more parts, then overlapping more; ``exact``: only records agreeing
    on all three parts may pair."""
    from scipy.optimize import linear_sum_assignment

    if not a or not b:
        return []
    score = np.full((len(a), len(b)), -1.0)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            overlap = tiou(x, y)
            same = sum(p == q for p, q in zip(_parts(x), _parts(y)))
            if overlap >= min_tiou and (not exact or same == 3):
                score[i, j] = same + overlap  # parts first (0-3), overlap (0-1] breaks ties
    rows, cols = linear_sum_assignment(-np.where(score < 0, 0.0, score + 1.0))
    return [(int(i), int(j)) for i, j in zip(rows, cols) if score[i, j] >= 0]


def _kappa(a: list[object], b: list[object]) -> float | None:
    """Cohen's kappa of categorical ratings (categories compared as text, so ids and kinds mix)."""
    return cohen_kappa(np.array([str(x) for x in a], dtype=object), np.array([str(y) for y in b], dtype=object))


def compare(mine: dict[int, list[Interaction]], theirs: dict[int, list[Interaction]], names: tuple[str, str],
            min_tiou: float = MIN_TIOU) -> InteractionAgreement:
    """Agreement of two annotators' present records, given per video."""
    pairs: list[tuple[Interaction, Interaction]] = []
    matched = 0
    for video in sorted(set(mine) | set(theirs)):
        a, b = mine.get(video, []), theirs.get(video, [])
        pairs += [(a[i], b[j]) for i, j in assign(a, b, min_tiou)]
        matched += len(assign(a, b, min_tiou, exact=True))
    n_a, n_b = sum(map(len, mine.values())), sum(map(len, theirs.values()))
    actor, target, label = (_kappa([_parts(x)[k] for x, _ in pairs], [_parts(y)[k] for _, y in pairs]) for k in range(3))
    f1 = 2 * matched / (n_a + n_b) if n_a + n_b else None
    return InteractionAgreement(names[0], names[1], n_a, n_b, len(pairs), actor, target, label, matched, f1)


PARTS = ("actor", "target", "label")
OWN = "adjudicator's own"  # the evidence of a decision that is no annotator's version


def accepted(record: Interaction) -> str:
    """The evidence of a decision that accepts an annotator's record."""
    return f"accepted {record.annotator}'s (interaction {record.id})"


@dataclass(frozen=True)
class InteractionDisagreement:
    """Two annotators' versions of one event that differ: ``a`` (annotator_a's record) and ``b``
    (annotator_b's); one of them is None, or absent, when ``parts`` is ``("presence",)``.
    ``decision`` is the adjudicated record settling it, if any."""

    video_id: int
    annotator_a: str
    annotator_b: str
    a: Interaction | None
    b: Interaction | None
    parts: tuple[str, ...]
    decision: Interaction | None = None

    @property
    def versions(self) -> tuple[Interaction, ...]:
        return tuple(v for v in (self.a, self.b) if v is not None)

    @property
    def start_frame(self) -> int:
        return min(v.start_frame for v in self.versions)

    @property
    def end_frame(self) -> int:
        return max(v.end_frame for v in self.versions)


def _best(record: Interaction, others: list[Interaction], min_tiou: float) -> Interaction | None:
    scored = [(tiou(record, o), o.id) for o in others]
    found = max((t for t in scored if t[0] >= min_tiou), default=None)
    return None if found is None else next(o for o in others if o.id == found[1])


def disagreements_between(a_records: list[Interaction], b_records: list[Interaction], names: tuple[str, str],
                          min_tiou: float = MIN_TIOU) -> list[InteractionDisagreement]:
    """Where two annotators' records of one video differ (present records paired as :func:`compare`
    pairs them; their absent ones shown as the version of an unpaired present record)."""
    a = [i for i in a_records if i.state == "present"]
    b = [i for i in b_records if i.state == "present"]
    absent_a = [i for i in a_records if i.state == "absent"]
    absent_b = [i for i in b_records if i.state == "absent"]
    found: list[InteractionDisagreement] = []
    pairs = assign(a, b, min_tiou)
    for i, j in pairs:
        differ = tuple(part for part, p, q in zip(PARTS, _parts(a[i]), _parts(b[j])) if p != q)
        if differ:
            found.append(InteractionDisagreement(a[i].video_id, *names, a[i], b[j], differ))
    paired_a, paired_b = {i for i, _ in pairs}, {j for _, j in pairs}
    for i, x in enumerate(a):
        if i not in paired_a:
            found.append(InteractionDisagreement(x.video_id, *names, x, _best(x, absent_b, min_tiou), ("presence",)))
    for j, y in enumerate(b):
        if j not in paired_b:
            found.append(InteractionDisagreement(y.video_id, *names, _best(y, absent_a, min_tiou), y, ("presence",)))
    return found


def interaction_disagreements(store: Store, video_id: int, min_tiou: float = MIN_TIOU) -> list[InteractionDisagreement]:
    """Every disagreement on the video's interactions between two annotators who both recorded
    some there, by start frame, each with the adjudication settling it (if any)."""
    by_annotator: dict[str, list[Interaction]] = defaultdict(list)
    for i in store.interactions(video_id):
        if i.annotator != SUGGESTER:  # the analysis' untouched suggestions are nobody's decision
            by_annotator[i.annotator].append(i)
    found = [d for x, y in combinations(sorted(by_annotator), 2)
             for d in disagreements_between(by_annotator[x], by_annotator[y], (x, y), min_tiou)]
    decisions = store.interaction_adjudications(video_id)
    settled = []
    for d in found:
        best = max(((max(tiou(v, x) for v in d.versions), x.id) for x in decisions), default=None)
        decision = next(x for x in decisions if x.id == best[1]) if best is not None and best[0] >= min_tiou else None
        settled.append(replace(d, decision=decision))
    return sorted(settled, key=lambda d: (d.start_frame, d.end_frame, d.annotator_a, d.annotator_b))


def interaction_agreement(store: Store, video_id: int | None = None, min_tiou: float = MIN_TIOU) -> list[InteractionAgreement]:
    """Every pair of annotators with present interactions in the project (or one video)."""
    by_annotator: dict[str, dict[int, list[Interaction]]] = defaultdict(lambda: defaultdict(list))
    for i in store.interactions(video_id):
        if i.state == "present" and i.annotator != SUGGESTER:
            by_annotator[i.annotator][i.video_id].append(i)
    return [compare(by_annotator[a], by_annotator[b], (a, b), min_tiou) for a, b in combinations(sorted(by_annotator), 2)]
