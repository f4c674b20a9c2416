"""The learning loop's books on a 26-video project, before and after issue 19's changes.

    python bench/bench_learn_books.py [--videos 26] [--first 14] [--clips-per-video 8]

A throwaway project with cached features of the offline profile's encoders (real encoder ids and
sizes; the feature values are generated with a weak label signal, so scores stay uncertain as on a
small real project) and two annotators who tick what they see (8% of their ticks differ) and mark
every clip reviewed. It measures:

- split honesty: the old rule (a new seeded split per ``hhir train``) against the project's fixed
  sides, for a model trained on the first ``--first`` videos and one trained on all of them;
- agreement in the tick-and-review workflow: explicit marks only (before) against the truth rule;
- a label added after the reviews: counted absent (before) or unknown (after);
- small-project training: the old 30-epoch budget with figures at 0.6 against early stopping with
  figures at the tuned thresholds (what ``models list`` shows).

Writes ``bench/out/learn_books.json``. Timings on a shared CPU are noisy; counts and F1 are exact.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent)]

import numpy as np  # noqa: E402


def add_videos(store, encoders, first: int, count: int, per_video: int, rng, signal: float) -> None:
    from hhir.pipeline.feature_cache import feature_id
    from hhir.types import AnnotationState, Clip, Shot, Target, VideoInfo

    labels = [label.name for label in store.labels()]
    for v in range(first, first + count):
        video = store.add_video(VideoInfo(path=f"/bench/scene{v}.mp4", duration_s=4.0 * (per_video + 2), fps=25,
                                          frame_count=100 * (per_video + 2), width=640, height=360, has_audio=True,
                                          fingerprint=f"books-{v}"))
        store.set_shots(video.id, [Shot(i, i * 100, (i + 1) * 100, i * 4.0, (i + 1) * 4.0) for i in range(per_video + 2)])
        clips = store.set_clips(video.id, [Clip(i, i, i + 2, i * 4.0, (i + 3) * 4.0, i * 100, (i + 3) * 100, text=f"t{v}-{i}")
                                           for i in range(per_video)])
        rows, ticks = [], {"ann": [], "bob": []}
        for clip in clips:
            present = rng.random(len(labels)) < 0.3
            for modality, enc in (("video", encoders.video), ("text", encoders.text), ("audio", encoders.audio)):
                x = rng.normal(0, 1.0, enc.dim).astype(np.float32)
                x[: len(labels)] += signal * present
                rows.append((video.fingerprint, clip.start_s, clip.end_s, feature_id(enc.id, modality, clip.text), x))
            for who in ticks:
                seen = present ^ (rng.random(len(labels)) < 0.08)
                ticks[who] += [(Target(video.id, clip.id), n, AnnotationState.PRESENT) for n, p in zip(labels, seen) if p]
        store.put_features(rows)
        for who, items in ticks.items():
            if items:
                store.annotate_many(items, who)
            for clip in clips:
                store.set_reviewed(Target(video.id, clip.id), who)


def old_split_leak(keys_first: list[str], keys_all: list[str], seed: int = 42) -> dict:
    """The old rule: each run split its own videos afresh (same seed, different video set)."""
    from hhir.learn.split import split_videos

    m1, m2 = split_videos(keys_first, seed, 0.2, 0.15), split_videos(keys_all, seed, 0.2, 0.15)
    return {"second_test_trained_by_first": len(set(m2.test) & set(m1.train)), "second_test": len(m2.test),
            "second_validation_trained_by_first": len(set(m2.validation) & set(m1.train)), "second_validation": len(m2.validation)}


def explicit_only_kappas(store) -> dict:
    """Agreement as it was: explicit present/absent marks only (a tick-only workflow has no absents)."""
    from hhir.learn.agreement import pair_kappas
    from hhir.types import AnnotationState

    ratings: dict = {}
    for a in store.annotations():
        ratings.setdefault(a.annotator, {})[(a.target, a.label)] = int(a.state == AnnotationState.PRESENT)
    pairs = pair_kappas(ratings, [label.name for label in store.labels()])
    return _kappa_summary(pairs)


def _kappa_summary(pairs) -> dict:
    return {"pairs": len(pairs), "undefined": sum(p.kappa is None for p in pairs),
            "kappas": {p.label: None if p.kappa is None else round(p.kappa, 3) for p in pairs}}


def disagreements(store, labels: list[str], old: bool) -> int:
    """(clip, label) pairs where the two annotators' readings differ."""
    from hhir.scoring.truth import label_truth
    from hhir.types import AnnotationState

    if old:  # both must have an explicit mark, and they differ
        marks: dict = {}
        for a in store.annotations():
            marks.setdefault((a.target, a.label), {})[a.annotator] = a.state == AnnotationState.PRESENT
        return sum(1 for m in marks.values() if len(m) == 2 and len(set(m.values())) == 2)
    return sum(len(label_truth(store, v.id, labels=labels).conflicts) for v in store.videos())


def late_label(store) -> dict:
    """Clips where the label added after every review counts as known, by the old rule and by the new."""
    from hhir.scoring.truth import label_truth, video_truth

    old = new = 0
    for v in store.videos():
        clips, anns = store.clips(v.id), store.annotations(v.id)
        sets = {name: set(seen) for name, seen in store.review_times(v.id).items()}  # no times: the old rule
        old += int(video_truth(v.id, clips, ["hugs"], anns, sets).clip_known.sum())
        new += sum(1 for (t, _), _ in label_truth(store, v.id, labels=["hugs"]).states.items() if t.clip_id is not None)
    return {"clips_known_absent_before": old, "clips_known_after": new}


def train_once(store, encoders, options) -> dict:
    from hhir.learn.train import train

    started, cpu = time.perf_counter(), time.process_time()
    result = train(store, options, encoders=encoders)
    test = result.evaluation("test")
    last = result.history[-1]
    val_losses = [e.validation_loss for e in result.history]
    return {
        "model": result.model.id, "epochs_run": len(result.history), "epoch_cap": options.epochs,
        "best_epoch": result.best_epoch, "stopped_at_cap": last.epoch == last.epochs,
        "val_loss_still_falling_at_end": bool(len(val_losses) > 1 and val_losses[-1] < min(val_losses[:-1])),
        "test_videos": test.videos if test else 0,
        "test_scene_macro_f1_at_0.6": round(test.scene.macro_f1, 3) if test else None,
        "test_scene_macro_f1_at_tuned": round(test.scene_tuned.macro_f1, 3) if test else None,
        "test_clip_macro_f1_at_0.6": round(test.clip.macro_f1, 3) if test and test.clip else None,
        "test_clip_macro_f1_at_tuned": round(test.clip_tuned.macro_f1, 3) if test and test.clip_tuned else None,
        "models_list_before": round(result.model.metrics.get("validation.scene.macro_f1", float("nan")), 3),
        "models_list_after": round(result.model.metrics.get("test.scene_tuned.macro_f1", float("nan")), 3),
        "thresholds": [round(t, 2) for t in result.thresholds],
        "wall_s": round(time.perf_counter() - started, 1), "cpu_s": round(time.process_time() - cpu, 1),
        "split": result.split,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=26)
    parser.add_argument("--first", type=int, default=14)
    parser.add_argument("--clips-per-video", type=int, default=8)
    parser.add_argument("--signal", type=float, default=0.6, help="label signal added to the features (noise sd 1)")
    parser.add_argument("--out", default="learn_books.json")
    args = parser.parse_args()

    from hhir.learn.agreement import agreement
    from hhir.learn.options import TrainOptions
    from hhir.learn.versions import activate
    from hhir.scoring.encoders import profile_encoders
    from hhir.store import Store
    from hhir.types import LabelDef

    encoders = profile_encoders("offline")
    rng = np.random.default_rng(0)
    report: dict = {"videos": args.videos, "clips_per_video": args.clips_per_video, "signal": args.signal}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "books.sqlite3")
        add_videos(store, encoders, 0, args.first, args.clips_per_video, rng, args.signal)
        first = train_once(store, encoders, TrainOptions())
        activate(store, first["model"], repredict=False)
        add_videos(store, encoders, args.first, args.videos - args.first, args.clips_per_video, rng, args.signal)
        labels = [label.name for label in store.labels()]
        keys = [v.fingerprint for v in store.videos()]
        report["split_before"] = old_split_leak(keys[: args.first], keys)
        report["agreement_before"] = explicit_only_kappas(store) | {"disagreements": disagreements(store, labels, old=True)}
        report["agreement_after"] = _kappa_summary(agreement(store).pairs) | {"disagreements": disagreements(store, labels, old=False)}
        activate(store, None, repredict=False)  # both runs below start fresh: same data, same parent
        report["small_before"] = train_once(store, encoders, TrainOptions(epochs=30))
        report["small_after"] = after = train_once(store, encoders, TrainOptions())
        s1, s2 = first.pop("split"), after.pop("split")
        report["small_before"].pop("split")
        report["split_after"] = {"second_test_trained_by_first": len(set(s2.test) & set(s1.train)), "second_test": len(s2.test),
                                 "second_validation_trained_by_first": len(set(s2.validation) & set(s1.train)),
                                 "second_validation": len(s2.validation)}
        report["first_model"] = first
        store.add_label(LabelDef("hugs", "two people embrace"))
        report["late_label"] = late_label(store)
        store.close()
    (BENCH / "out").mkdir(exist_ok=True)
    (BENCH / "out" / args.out).write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
