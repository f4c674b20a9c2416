"""One truth rule in training, agreement, the review queue and the exports (tick what is present, mark reviewed)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from hhir.exchange import ExportOptions, export
from hhir.learn.agreement import agreement
from hhir.learn.dataset import collect
from hhir.learn.queue import review_queue
from hhir.scoring.truth import label_truth
from hhir.store import Store
from hhir.types import AnnotationState, Clip, LabelDef, ModelInfo, Shot, Target, VideoInfo

P, A = AnnotationState.PRESENT, AnnotationState.ABSENT
STARTER = "starter-v1"


@pytest.fixture
def project(tmp_path: Path) -> Store:
    """One video of 6 clips; ann and bob tick 'asks' where they see it and mark every clip reviewed."""
    store = Store(tmp_path / "p.sqlite3")
    video = store.add_video(VideoInfo(path=str(tmp_path / "v.mp4"), duration_s=12, fps=25, frame_count=300, width=160,
                                      height=120, has_audio=True, fingerprint="fp"))
    store.set_shots(video.id, [Shot(i, i * 50, (i + 1) * 50, i * 2.0, (i + 1) * 2.0) for i in range(6)])
    clips = store.set_clips(video.id, [Clip(i, i, i, i * 2.0, (i + 1) * 2.0, i * 50, (i + 1) * 50) for i in range(6)])
    for who, ticks in (("ann", [1, 1, 0, 0, 1, 0]), ("bob", [1, 0, 0, 0, 1, 1])):
        store.annotate_many([(Target(video.id, c.id), "asks", P) for c, t in zip(clips, ticks) if t], who)
        for c in clips:
            store.set_reviewed(Target(video.id, c.id), who)
    return store


def test_agreement_sees_the_tick_and_review_workflow(project: Store) -> None:
    from sklearn.metrics import cohen_kappa_score

    report = agreement(project)
    pair = next(p for p in report.pairs if p.label == "asks")
    assert pair.items == 6 and pair.kappa == pytest.approx(cohen_kappa_score([1, 1, 0, 0, 1, 0], [1, 0, 0, 0, 1, 1]))
    # Nobody ticked 'watches', both reviewed every clip: they agree it is absent everywhere.
    watches = next(p for p in report.pairs if p.label == "watches")
    assert watches.items == 6 and watches.kappa is None  # one class only: kappa is undefined, not "no data"


def test_training_agreement_queue_and_exports_read_the_same_truth(project: Store, tmp_path: Path) -> None:
    clips = project.clips(1)
    truth = label_truth(project, 1)
    asks = [truth.state(Target(1, c.id), "asks") for c in clips]
    assert asks == [P, None, A, A, P, None]  # 1-1 between annotators: unknown
    assert truth.conflicts == {(Target(1, clips[1].id), "asks"), (Target(1, clips[5].id), "asks")}
    # Training: the same states and the same unknowns.
    labels = [label.name for label in project.labels()]
    resolved = _training_truth(project, labels)
    j = labels.index("asks")
    assert resolved.clip_known[:, j].tolist() == [s is not None for s in asks]
    assert resolved.clip_target[:, j].tolist() == [float(s == P) for s in asks]
    # Exports: the manifest writes each annotator's judgement, left-alone-on-reviewed as 0.
    export(project, "manifest", tmp_path / "m", ExportOptions())
    with (tmp_path / "m" / "manifest.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    bob = {int(r["clip_index"]): (r["asks"], r["watches"]) for r in rows if r["annotator"] == "bob"}
    assert bob == {i: (str(t), "0") for i, t in enumerate([1, 0, 0, 0, 1, 1])}
    # Queue: the disputed clips get the conflict bonus (nobody has them reviewed as a third person).
    project.register_model(ModelInfo(id=STARTER, kind="starter"))
    project.set_predictions(STARTER, 1, {}, {c.id: {"asks": 0.05} for c in clips})
    queue = review_queue(project, annotator="cid")
    assert {i.target.clip_id for i in queue if i.conflict} == {clips[1].id, clips[5].id}
    assert [i.target.clip_id for i in queue[:2]] == [clips[1].id, clips[5].id]


def _training_truth(store: Store, labels: list[str]):
    from hhir.scoring.truth import video_truth

    return video_truth(1, store.clips(1), labels, store.annotations(1), store.review_times(1), store.label_times())


def test_a_label_added_later_is_unknown_on_clips_reviewed_before_it(project: Store) -> None:
    clips = project.clips(1)
    project.add_label(LabelDef("hugs", "two people embrace"))
    truth = label_truth(project, 1)
    assert all(truth.state(Target(1, c.id), "hugs") is None for c in clips)  # never judged: not absent
    assert truth.state(Target(1, clips[2].id), "asks") == A  # the old labels keep their reviews
    assert next(p for p in agreement(project).pairs if p.label == "hugs").items == 0
    # Someone judges it: a tick, an explicit absent, or a fresh review of the clip.
    project.annotate(Target(1, clips[0].id), "hugs", P, "ann")
    project.annotate(Target(1, clips[1].id), "hugs", A, "ann")
    before = project.review_times(1, "ann")["ann"][Target(1, clips[2].id)]
    project.set_reviewed(Target(1, clips[2].id), "ann", True)  # marked reviewed again, after hugs existed
    assert project.review_times(1, "ann")["ann"][Target(1, clips[2].id)] > before
    truth = label_truth(project, 1)
    assert [truth.state(Target(1, c.id), "hugs") for c in clips[:4]] == [P, A, A, None]
    again = project.review_times(1, "ann")["ann"][Target(1, clips[2].id)]
    project.set_reviewed(Target(1, clips[2].id), "ann", True)  # nothing newer than the review: unchanged
    assert project.review_times(1, "ann")["ann"][Target(1, clips[2].id)] == again


def test_with_no_trained_model_the_starter_is_the_model(project: Store) -> None:
    clips = project.clips(1)
    project.register_model(ModelInfo(id=STARTER, kind="starter"))  # registered, never activated
    scores = [0.9, 0.58, 0.1, 0.2, 0.95, 0.7]
    labels = [label.name for label in project.labels()]
    project.set_predictions(STARTER, 1, {}, {c.id: {n: 0.02 for n in labels} | {"asks": s} for c, s in zip(clips, scores)})
    queue = review_queue(project, annotator="cid")
    assert len({round(i.priority, 6) for i in queue}) > 1  # not 0.350 for every clip
    undisputed = [i.target.clip_id for i in queue if not i.conflict]
    assert undisputed[0] == clips[3].id  # 0.2 is nearer 0.6 than 0.1, 0.9 and 0.95 (for a rare label)
    report = agreement(project)
    vs = {m.annotator: m for m in report.model}
    assert set(vs) == {"ann", "bob"} and all(m.starter and m.model_id == STARTER for m in vs.values())
    # ann's clips: starter at 0.6 says asks on clips 0, 4, 5; ann ticked 0, 1, 4.
    asks = next(lm for lm in vs["ann"].metrics.per_label if lm.label == "asks")
    assert (asks.precision, asks.recall) == pytest.approx((2 / 3, 2 / 3))
    assert np.isclose(vs["ann"].metrics.per_label[labels.index("watches")].support, 0)


def test_collect_uses_reviewers_who_ticked_nothing(project: Store) -> None:
    clips = project.clips(1)
    for c in clips:
        project.set_reviewed(Target(1, c.id), "cid")  # cid saw no 'asks' anywhere
    data = collect(project, ["asks"], {"video": "none", "text": "none", "audio": "none"})
    assert data.records == () and data.skipped  # no features cached: skipped, but it was considered
    truth = label_truth(project, 1, labels=["asks"])
    assert [truth.state(Target(1, c.id), "asks") for c in clips] == [P, A, A, A, P, A]  # cid breaks the ties
