"""Score the zero-shot starter on real footage: the dev set, or (once per release) the locked test set.

Per label precision, recall, F1 (at the product's threshold), average precision, and expected
calibration error; the starter sees exactly what the pipeline gives it: frames sampled as the offline
profile samples them, the 16 kHz track, and each clip's text from Whisper tiny.en (cached per file in
the dev-set folder; Whisper is deterministic here), and its people cues counted from the file's people
tracks, found by the shot and people stages of ``hhir analyze`` (run into a scratch project, default
settings) and applied as predictions apply them (``with_people``). So the OpenCV HOG/Haar counts that
``clip_cues`` still computes (what a video analysed with ``--no-people`` keeps) are replaced, as in the
product. A sound file (the phone call) has no picture: ``hhir analyze`` does not take it, and its
clips are scored with no frames and no people stage.

    python bench/starter_eval.py [--set dev|test] [--cache DIR] [--json OUT] [--raw]

The test set's files are checked against their frozen sha256 first. Both macro-F1s are printed: over
the labels that occur (the project's definition) and scikit-learn's default (every label; one that
neither occurs nor is predicted counts 0), with the "always talks to" baseline beside them.

``--raw`` scores without the fitted calibration (what the calibration was fitted on).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import devset  # noqa: E402  (bench/ is not a package)

from hhir.learn.metrics import evaluate  # noqa: E402
from hhir.scoring.starter import clip_cues, explain  # noqa: E402
from hhir.scoring.starter.calibration import expected_calibration_error  # noqa: E402
from hhir.thresholds import DEFAULT_THRESHOLD  # noqa: E402
from hhir.types import LabelDef  # noqa: E402


def default_labels() -> list[LabelDef]:
    from hhir.appdirs import resource

    return [LabelDef(**d) for d in json.loads(Path(resource("labels", "default.json")).read_text())["labels"]]


def _transcript(path: Path, audio: np.ndarray) -> list:
    from hhir.speech.asr import Transcriber, default_offline_model
    from hhir.types import TranscriptSegment

    cached = path.with_name(path.name + ".transcript.json")
    if cached.exists():
        return [TranscriptSegment(**s) for s in json.loads(cached.read_text())]
    segments = Transcriber(default_offline_model(), cpu_threads=2).transcribe(audio) if audio.size else []
    cached.write_text(json.dumps([{"start_s": s.start_s, "end_s": s.end_s, "text": s.text} for s in segments]))
    return segments


def _frames(path: Path, clips: list[dict]) -> list[np.ndarray | None]:
    import av

    from hhir.media.frames import sample_frames
    from hhir.models.profiles import offline_profile

    with av.open(str(path)) as container:
        if not container.streams.video:
            return [None] * len(clips)
        fps = float(container.streams.video[0].average_rate)
    profile = offline_profile()
    ranges = [(int(c["start_s"] * fps), max(int(c["start_s"] * fps) + 1, int(c["end_s"] * fps))) for c in clips]
    out: list[np.ndarray | None] = [None] * len(clips)
    for i, frames in sample_frames(path, ranges, profile.n_frames, size=profile.frame_size):
        out[i] = frames
    return out


def _has_picture(path: Path) -> bool:
    import av

    with av.open(str(path)) as container:
        return bool(container.streams.video)


def _clips(path: Path, annotated: list[dict]) -> list:
    """The annotated ranges as the pipeline's clips (decoded frame indices at the file's rate)."""
    from hhir.media.probe import probe
    from hhir.types import Clip

    fps = probe(path).fps if _has_picture(path) else 0.0
    out = []
    for i, c in enumerate(annotated):
        start = int(c["start_s"] * fps)
        out.append(Clip(i, 0, 0, c["start_s"], c["end_s"], start, max(start + 1, int(c["end_s"] * fps))))
    return out


def people_tracks(path: Path) -> list | None:
    """The file's people tracks as ``hhir analyze`` finds and stores them: its shots (the default
    detector), then the people stage (``hhir.pipeline.people.people_stage`` with the default
    ``AnalysisOptions``), into a scratch project, read back as the starter reads them
    (``video_tracks``). None for a sound file (``hhir analyze`` takes videos only; its cues are
    those of a clip with no picture)."""
    import tempfile

    from hhir.jobs import CancelToken, no_progress
    from hhir.media.probe import probe
    from hhir.pipeline.options import AnalysisOptions
    from hhir.pipeline.people import people_stage
    from hhir.scoring.starter.people import video_tracks
    from hhir.segment.shots import detect_shots
    from hhir.store import Store

    if not _has_picture(path):
        return None
    info = probe(path)
    options = AnalysisOptions()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.hhir")
        try:
            video = store.add_video(info)
            shots = detect_shots(path, info, detector=options.detector, threshold=options.threshold)
            store.set_shots(video.id, shots)
            people_stage(store, video, path, shots, options.people_options(), no_progress, CancelToken())
            return video_tracks(store, video.id)
        finally:
            store.close()


def file_cues(cache: Path, name: str, clips: list[dict]) -> tuple[np.ndarray, list[str]]:
    """Cue vectors and texts of one dev-set file's annotated clips, computed as analysis computes
    them: ``clip_cues`` on the sampled frames, the audio slice and the text (``compute_features``),
    then the people cues counted from the file's people tracks (``with_people``, as
    ``predict_video`` does)."""
    from hhir.media.audio import audio_slice, extract_audio
    from hhir.scoring.starter.people import with_people
    from hhir.segment.clips import clip_text
    from hhir.types import Clip

    path = cache / name
    audio = extract_audio(path)
    segments = _transcript(path, audio)
    frames = _frames(path, clips)
    cues, texts = [], []
    for c, f in zip(clips, frames):
        text = clip_text(Clip(0, 0, 0, c["start_s"], c["end_s"], 0, 0), segments)
        cues.append(clip_cues(f, audio_slice(audio, c["start_s"], c["end_s"]), text))
        texts.append(text)
    return with_people(np.stack(cues), _clips(path, clips), people_tracks(path)), texts


def devset_cues(cache: Path, which: str = "dev") -> dict[str, tuple[list[dict], np.ndarray, list[str]]]:
    """``{file: (annotated clips, cue vectors, texts)}`` for the whole dev (or test) set; dev files
    that no package ships and that are not in the cache are left out, said on stderr."""
    by_file: dict[str, list[dict]] = defaultdict(list)
    for clip in devset.annotations(which):
        if not (cache / clip["file"]).exists() and clip["file"] in devset.LOCAL_FILES:
            continue
        by_file[clip["file"]].append(clip)
    for name in sorted({c["file"] for c in devset.annotations(which)} - set(by_file)):
        print(f"left out: {name} ({devset.LOCAL_FILES[name]}) is not in {cache}", file=sys.stderr)
    return {name: (clips, *file_cues(cache, name, clips)) for name, clips in by_file.items()}


def score(data: dict, labels: list[LabelDef], calibrated: bool = True) -> tuple[np.ndarray, np.ndarray, list]:
    """Truth ``(n, L)``, starter scores ``(n, L)`` and the reasons, each file scored as one film."""
    names = [label.name for label in labels]
    truth, scores, reasons = [], [], []
    for clips, cues, texts in data.values():
        result = explain(cues, texts, labels, calibrated=calibrated)
        per_clip, why = result.clips, result.reasons
        truth += [[float(n in c["labels"]) for n in names] for c in clips]
        scores += [[s[n] for n in names] for s in per_clip]
        reasons += why
    return np.array(truth), np.array(scores), reasons


def report(truth: np.ndarray, scores: np.ndarray, names: list[str]) -> dict:
    metrics = evaluate(truth, scores, names, DEFAULT_THRESHOLD)
    per = {}
    for j, m in enumerate(metrics.per_label):
        per[m.label] = {"support": m.support, "precision": m.precision, "recall": m.recall, "f1": m.f1,
                        "ap": m.average_precision if m.support else None,
                        "ece": expected_calibration_error(truth[:, j], scores[:, j])}
    return {"n_clips": int(len(truth)), "macro_f1": metrics.macro_f1, "micro_f1": metrics.micro_f1,
            "mean_ap": metrics.mean_average_precision,
            "ece_all": expected_calibration_error(truth.ravel(), scores.ravel()), "per_label": per}


def markdown(result: dict) -> str:
    rows = ["| label | support | P | R | F1 | AP | ECE |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, m in result["per_label"].items():
        ap = "–" if m["ap"] is None else f"{m['ap']:.2f}"
        rows.append(f"| {name} | {m['support']} | {m['precision']:.2f} | {m['recall']:.2f} | {m['f1']:.2f} | {ap} | {m['ece']:.3f} |")
    rows.append(f"| **all** | {result['n_clips']} clips | | | macro {result['macro_f1']:.2f}, micro {result['micro_f1']:.2f} "
                f"| mean {result['mean_ap']:.2f} | {result['ece_all']:.3f} |")
    return "\n".join(rows)


def sklearn_figures(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """scikit-learn's macro and micro F1 with its defaults (every label in the macro average)."""
    from sklearn.metrics import f1_score

    return {"macro_f1_sklearn": float(f1_score(truth, predicted, average="macro", zero_division=0)),
            "micro_f1_sklearn": float(f1_score(truth, predicted, average="micro", zero_division=0))}


def protocol(truth: np.ndarray, scores: np.ndarray, names: list[str], clips: list[dict],
             cues: np.ndarray | None = None) -> dict:
    """The figures the docs quote: both macro-F1s, micro-F1, the "always talks to" baseline,
    interactions suggested on clips with one person or nobody and no interaction (by the truth), and
    on clips whose picture shows at most one person (by the cues analysis gives the starter: its
    people tracks and moving figures), where only the spoken labels may stand."""
    result = report(truth, scores, names)
    predicted = (scores >= DEFAULT_THRESHOLD).astype(int)
    result |= sklearn_figures(truth.astype(int), predicted)
    always = np.zeros_like(truth)
    always[:, names.index("talks to")] = 1.0
    base = report(truth, always, names)
    result["baseline_always_talks_to"] = {"macro_f1": base["macro_f1"], "micro_f1": base["micro_f1"],
                                          **sklearn_figures(truth.astype(int), always.astype(int))}
    interactions = [j for j, n in enumerate(names) if n != "no_interaction"]
    alone = [i for i, c in enumerate(clips) if c.get("people", 0) <= 1 and "no_interaction" in c["labels"]]
    result["alone_clips"] = len(alone)
    result["alone_clips_with_an_interaction_suggested"] = int(sum(predicted[i, interactions].any() for i in alone))
    if cues is not None:
        from hhir.scoring.starter.cues import CUE_NAMES

        col = {n: CUE_NAMES.index(n) for n in ("has_frames", "people_max", "faces_max", "movers")}
        seen = cues[:, [col["people_max"], col["faces_max"], col["movers"]]].max(axis=1)
        one = [i for i in range(len(cues)) if cues[i, col["has_frames"]] > 0 and seen[i] <= 1]
        unspoken = [j for j, n in enumerate(names) if n in ("walks with", "watches", "gives to")]
        result["one_seen_clips"] = len(one)
        result["one_seen_clips_with_walks_watches_gives_suggested"] = int(sum(predicted[i, unspoken].any() for i in one))
        result["one_seen_clips_with_an_interaction_suggested"] = int(sum(predicted[i, interactions].any() for i in one))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="which", choices=("dev", "test"), default="dev")
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--raw", action="store_true", help="without the fitted calibration")
    parser.add_argument("--show", action="store_true", help="print every clip's scores and reasons")
    args = parser.parse_args()
    labels = default_labels()
    cache = devset.fetch(args.cache)
    if args.which == "test":
        devset.check_locked(cache)
    data = devset_cues(cache, args.which)
    truth, scores, reasons = score(data, labels, calibrated=not args.raw)
    names = [label.name for label in labels]
    clips = [c for clips, _, _ in data.values() for c in clips]
    result = protocol(truth, scores, names, clips, np.concatenate([cues for _, cues, _ in data.values()]))
    if args.show:
        for c, row, why in zip(clips, scores, reasons):
            top = ", ".join(f"{label.name} {v:.2f}" for label, v in zip(labels, row) if v >= 0.3)
            print(f"{c['file']} {c['start_s']:.1f}-{c['end_s']:.1f} {c['labels']} -> {top} | {why}")
    print(f"{args.which} set, {result['n_clips']} clips")
    print(markdown(result))
    b = result["baseline_always_talks_to"]
    print(f"macro-F1 {result['macro_f1']:.2f} over labels that occur, {result['macro_f1_sklearn']:.2f} as scikit-learn's default; "
          f"micro-F1 {result['micro_f1']:.2f}")
    print(f"always 'talks to': macro-F1 {b['macro_f1']:.2f} (labels that occur), {b['macro_f1_sklearn']:.2f} (scikit-learn); "
          f"micro-F1 {b['micro_f1']:.2f}")
    print(f"clips with one person or nobody and no interaction: {result['alone_clips']}, "
          f"with an interaction suggested: {result['alone_clips_with_an_interaction_suggested']}")
    print(f"clips whose picture shows one person or nobody: {result['one_seen_clips']}, with an interaction suggested: "
          f"{result['one_seen_clips_with_an_interaction_suggested']} (walks with, watches or gives to: "
          f"{result['one_seen_clips_with_walks_watches_gives_suggested']})")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
