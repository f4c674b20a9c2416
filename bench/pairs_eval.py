"""Pair suggestions measured against who→whom written by hand (``bench/fixtures/pairs_truth.json``).

    python bench/pairs_eval.py [--set held-out|calibration|all] [--work DIR] [--cache DIR] [--calibrate]

Each video of the set is analysed with the default settings into a project in ``--work`` (kept, so a
second run only re-reads it), the pairs stage runs, and its suggestions are compared with the truth:
a suggestion matches a true interaction with the same actor, label and target over an overlapping
span (one-to-one, the largest overlap first). Characters are the analysis' person numbers, turned
into the truth's names by the fixture's ``mapping`` (written by hand after the analysis, from a
crop of every track: several person numbers may be one person; a number mapped to null is nobody of
the truth, and a suggestion naming it counts as wrong). Prints, per label and in all, true and false
positives, misses, precision and recall, as one JSON object.

``--calibrate`` (on the calibration set only) prints, per cue, the cues made, those right (the cue's
own actor, label, target and span match a true interaction) and the Laplace-smoothed fraction
``(right + 1) / (made + 2)``: the values of ``hhir.scoring.pairs.CONFIDENCE``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent / "core")]
TRUTH = BENCH / "fixtures" / "pairs_truth.json"

Row = tuple[str, str, str, int, int]  # actor, label, target, start, end


def _match(found: list[Row], truth: list[Row]) -> tuple[list[bool], list[bool]]:
    """One-to-one: which suggestions match, which truths are matched (largest overlap first)."""
    pairs = []
    for i, (a, label, t, s, e) in enumerate(found):
        for j, (ta, tl, tt, ts, te) in enumerate(truth):
            overlap = min(e, te) - max(s, ts)
            if (a, label, t) == (ta, tl, tt) and overlap > 0:
                pairs.append((overlap, i, j))
    hit, got = [False] * len(found), [False] * len(truth)
    for _overlap, i, j in sorted(pairs, reverse=True):
        if not hit[i] and not got[j]:
            hit[i] = got[j] = True
    return hit, got


def _analysed(work: Path, video: Path) -> tuple[object, int]:
    from hhir.pipeline import analyze
    from hhir.store import Store

    work.mkdir(parents=True, exist_ok=True)
    store = Store(work / f"{video.stem}.sqlite")
    return store, analyze(store, video)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=("held-out", "calibration", "all"), default="held-out")
    parser.add_argument("--work", type=Path, default=Path("pairs-eval"))
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("HHIR_DEVSET", Path.home() / ".cache" / "hhir-devset")))
    parser.add_argument("--calibrate", action="store_true")
    args = parser.parse_args(argv)
    from hhir.pipeline.pairs import camera_motion, pairs_stage
    from hhir.scoring.pairs import CONFIDENCE, pair_cues, walk_pairs
    from hhir.store import Store
    from hhir.store.repo_interactions import SUGGESTER

    fixture = json.loads(TRUTH.read_text(encoding="utf-8"))
    wanted = "calibration" if args.calibrate else args.set
    totals: dict[str, list[int]] = {}  # label: [true positives, false positives, misses]
    cues: dict[str, list[int]] = {c: [0, 0] for c in CONFIDENCE}  # cue: [made, right]
    report: dict[str, object] = {"set": wanted, "videos": {}}
    for name, entry in fixture["videos"].items():
        if wanted != "all" and entry["role"] != wanted:
            continue
        path = args.cache / name
        if not path.exists():
            print(f"{path}: missing (bench/devset.py fetches the dev footage)", file=sys.stderr)
            return 2
        store, video_id = _analysed(args.work, path)
        assert isinstance(store, Store)
        video = store.video(video_id)
        pairs_stage(store, video, path)
        mapping = fixture["mapping"].get(name, {})
        number = {c.id: c.number for c in store.characters(video_id)}

        def who(character_id: int | None, mapping: dict[str, str | None] = mapping, number: dict[int, int] = number) -> str:
            return str(mapping.get(str(number.get(character_id or -1))) or f"unmapped {number.get(character_id or -1)}")

        found = [(who(i.actor_id), i.label, who(i.target_id), i.start_frame, i.end_frame)
                 for i in store.interactions(video_id, annotator=SUGGESTER)]
        truth = [(t["actor"], t["label"], t["target"], t["start"], t["end"]) for t in entry["interactions"]]
        hit, got = _match(found, truth)
        for (_a, label, *_), h in zip(found, hit):
            totals.setdefault(label, [0, 0, 0])[0 if h else 1] += 1
        for (_a, label, *_), g in zip(truth, got):
            if not g:
                totals.setdefault(label, [0, 0, 0])[2] += 1
        report["videos"][name] = {  # type: ignore[index]
            "suggestions": [f"{r[0]} {r[1]} {r[2]} [{r[3]}, {r[4]}){' ✓' if h else ''}" for r, h in zip(found, hit)],
            "missed": [f"{r[0]} {r[1]} {r[2]} [{r[3]}, {r[4]})" for r, g in zip(truth, got) if not g],
        }
        if args.calibrate:
            tracks = store.person_tracks(video_id)
            camera = camera_motion(path, {int(f) for _a, _b, frames in walk_pairs(tracks, video.fps) for f in frames}, tracks,
                                   store.shots(video_id), video.fps)
            for cue in pair_cues(store.characters(video_id), tracks, store.shots(video_id), store.speech_turns(video_id),
                                 store.transcript(video_id), video.fps, video.frame_count, video.width / video.height, camera):
                h, _ = _match([(who(cue.actor), cue.label, who(cue.target), cue.start_frame, cue.end_frame)], truth)
                cues[cue.cue][0] += 1
                cues[cue.cue][1] += int(h[0])
        store.close()

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 3) if b else None

    per_label = {label: {"tp": tp, "fp": fp, "missed": fn, "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn)}
                 for label, (tp, fp, fn) in sorted(totals.items())}
    tp, fp, fn = (sum(v[k] for v in totals.values()) for k in range(3))
    per_label["all"] = {"tp": tp, "fp": fp, "missed": fn, "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn)}
    report["labels"] = per_label
    if args.calibrate:
        report["cues"] = {c: {"made": m, "right": r, "confidence": round((r + 1) / (m + 2), 2)} for c, (m, r) in cues.items()}
    print(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
