"""Truth from annotations, the split by video, agreement and the review queue on a real project database."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hhir.learn.agreement import agreement
from hhir.learn.queue import rank, rarity, review_queue, uncertainty
from hhir.learn.split import split_videos
from hhir.scoring.truth import video_truth
from hhir.store import Store
from hhir.types import Annotation, AnnotationState, Clip, Shot, Target, VideoInfo

P, A = AnnotationState.PRESENT, AnnotationState.ABSENT
CLIPS = [Clip(i, i, i, float(i), float(i + 1), 0, 0, id=10 + i) for i in range(3)]


def ann(clip_id: int | None, label: str, state: AnnotationState, who: str = "x") -> Annotation:
    return Annotation(Target(1, clip_id), label, state, who)


def test_unreviewed_labels_are_unknown_and_reviewed_clips_imply_absent() -> None:
    truth = video_truth(1, CLIPS, ["a", "b"], [ann(10, "a", P)], {"x": {Target(1, 11)}})
    assert truth.clip_known.tolist() == [[True, False], [True, True], [False, False]]
    assert truth.clip_target.tolist() == [[1, 0], [0, 0], [0, 0]]
    # Scene: "a" is present in a clip (union); "b" is not known absent for every clip, so unknown.
    assert truth.scene_target.tolist() == [1, 0] and truth.scene_known.tolist() == [True, False]


def test_scene_annotation_overrides_the_union_and_majority_decides() -> None:
    anns = [ann(10, "a", P, "x"), ann(10, "a", A, "y"), ann(10, "a", A, "z"),  # 1 vs 2: absent
            ann(11, "a", P, "x"), ann(11, "a", A, "y"),                        # tie: unknown
            ann(None, "b", A, "x")]                                            # scene-level says absent
    anns += [ann(12, "b", P, "x")]
    truth = video_truth(1, CLIPS, ["a", "b"], anns, {})
    assert truth.clip_known[:, 0].tolist() == [True, False, False] and truth.clip_target[0, 0] == 0
    assert truth.scene_target[1] == 0 and truth.scene_known[1]  # explicit scene label beats the clip union
    every_clip_absent = video_truth(1, CLIPS, ["a"], [], {"x": {Target(1, c.id) for c in CLIPS}})
    assert every_clip_absent.scene_known.tolist() == [True] and every_clip_absent.scene_target.tolist() == [0]


def test_split_is_by_video_seeded_and_keeps_a_training_video() -> None:
    keys = [f"v{i}" for i in range(10)]
    s = split_videos(keys, 1, 0.2, 0.15)
    assert sorted(s.train + s.validation + s.test) == sorted(keys)
    assert (len(s.train), len(s.validation), len(s.test)) == (6, 2, 2)
    assert split_videos(list(reversed(keys)), 1, 0.2, 0.15) == s  # order of discovery does not matter
    assert split_videos(keys, 2, 0.2, 0.15) != s
    assert split_videos(["only"], 1, 0.2, 0.15).train == ("only",)
    two = split_videos(["a", "b"], 1, 0.2, 0.15)
    assert len(two.train) == 1 and len(two.validation) == 1 and two.test == ()
    assert s.part(s.test[0]) == "test" and s.part("never seen") is None


def test_rank_prefers_uncertain_disputed_rare_clips() -> None:
    thr = np.array([0.6, 0.6])
    assert uncertainty(np.array([0.6, 1.0, 0.0, 0.8]), np.full(4, 0.6)).tolist() == pytest.approx([1.0, 0.0, 0.0, 0.5])
    weights = rarity(np.array([0, 10]))
    assert weights[0] == 1.0 and 0.5 < weights[1] < 1.0
    model = np.array([[0.95, 0.95], [0.58, 0.05], [0.05, 0.58], [0.99, 0.99]])
    prio, _, _, best = rank(model, None, thr, weights, np.array([False, False, False, True]))
    assert prio[1] > prio[2] > prio[0]  # near the threshold first, and the rare label's more
    assert best[1] == 0
    assert prio[3] > prio[0]  # annotators disagree on clip 3: needs a decision
    starter = np.array([[0.95, 0.95], [0.58, 0.05], [0.05, 0.58], [0.1, 0.1]])
    with_starter, _, dis, _ = rank(model, starter, thr, weights, np.zeros(4, bool))
    assert dis[3] > 0.8 and with_starter[3] > with_starter[0]


@pytest.fixture
def project(tmp_path: Path) -> Store:
    store = Store(tmp_path / "p.sqlite3")
    video = store.add_video(VideoInfo(path=str(tmp_path / "v.mp4"), duration_s=10, fps=25, frame_count=250, width=160,
                                      height=120, has_audio=True, fingerprint="fp"))
    store.set_shots(video.id, [Shot(i, i * 50, (i + 1) * 50, i * 2.0, (i + 1) * 2.0) for i in range(5)])
    store.set_clips(video.id, [Clip(i, i, i, i * 2.0, (i + 1) * 2.0, i * 50, (i + 1) * 50) for i in range(5)])
    return store


def test_agreement_reports_kappas_and_model_f1(project: Store) -> None:
    clips = project.clips(1)
    a = [P, P, A, A, P]
    b = [P, A, A, A, P]
    c = [P, P, A, P, P]
    for who, states in (("ann", a), ("bob", b), ("cid", c)):
        project.annotate_many([(Target(1, clip.id), "asks", s) for clip, s in zip(clips, states)], who)
    project.register_model(__import__("hhir.types", fromlist=["ModelInfo"]).ModelInfo(id="m", kind="trained"))
    project.set_predictions("m", 1, {"asks": 0.9}, {clip.id: {"asks": 0.9 if s == P else 0.1} for clip, s in zip(clips, a)})
    report = agreement(project, model_id="m")
    assert report.annotators == ("ann", "bob", "cid")
    pair = next(p for p in report.pairs if p.label == "asks" and (p.annotator_a, p.annotator_b) == ("ann", "bob"))
    from sklearn.metrics import cohen_kappa_score

    to01 = lambda xs: [int(x == P) for x in xs]  # noqa: E731
    assert pair.items == 5 and pair.kappa == pytest.approx(cohen_kappa_score(to01(a), to01(b)))
    assert next(p for p in report.pairs if p.label == "watches").kappa is None  # nobody rated it
    group = next(g for g in report.groups if g.label == "asks")
    assert group.raters == 3 and group.items == 5 and group.kappa is not None and 0 < group.kappa < 1
    vs = {m.annotator: m.metrics for m in report.model}
    assert vs["ann"].micro_f1 == 1.0 and vs["bob"].micro_f1 < 1.0


def test_queue_skips_reviewed_clips_and_puts_uncertain_first(project: Store) -> None:
    from hhir.types import ModelInfo

    clips = project.clips(1)
    project.register_model(ModelInfo(id="starter-v1", kind="starter"))
    project.activate("starter-v1")
    scores = [0.02, 0.59, 0.97, 0.61, 0.3]
    confident = {label.name: 0.01 for label in project.labels()}
    project.set_predictions("starter-v1", 1, {}, {c.id: confident | {"asks": s} for c, s in zip(clips, scores)})
    project.set_reviewed(Target(1, clips[1].id), "ann")
    order = [i.target.clip_id for i in review_queue(project, annotator="ann")]
    assert clips[1].id not in order and len(order) == 4
    assert order[0] == clips[3].id  # 0.61: the most uncertain unreviewed clip
    assert order.index(clips[4].id) < order.index(clips[0].id)
    assert order[-1] == clips[0].id  # 0.02: the starter is sure
    # Someone else's review does not hide the clip from ann; a conflict between annotators lifts it.
    project.annotate(Target(1, clips[0].id), "asks", P, "bob")
    project.annotate(Target(1, clips[0].id), "asks", A, "cid")
    items = review_queue(project, annotator="ann")
    disputed = next(i for i in items if i.target.clip_id == clips[0].id)
    assert disputed.conflict and items.index(disputed) == 0  # from last to first
