"""How long retraining takes on cached clip features (the default recipe, on this machine's CPUs).

    python bench/bench_train.py [--clips 2000] [--clips-per-video 10] [--epochs 30] [--hidden-dim 128] [--threads 1]

Builds a throwaway project database holding ``--clips`` clips with cached features of the offline
profile's encoders (real encoder ids and sizes; the feature values are generated so that labels are
learnable), annotates every clip, then runs ``hhir.learn.train.train`` exactly as ``hhir train``
does and reports the wall time, time per epoch and the metrics. Writes ``bench/out/train.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent)]

import numpy as np  # noqa: E402

from hhir.learn.options import TrainOptions as TrainOptionsDefaults  # noqa: E402


def build(path: Path, encoders, n_clips: int, per_video: int, seed: int = 0):
    from hhir.pipeline.feature_cache import feature_id
    from hhir.store import Store
    from hhir.types import AnnotationState, Clip, Shot, Target, VideoInfo

    store = Store(path)
    labels = [label.name for label in store.labels()]
    rng = np.random.default_rng(seed)
    for v in range(int(np.ceil(n_clips / per_video))):
        n = min(per_video, n_clips - v * per_video)
        video = store.add_video(VideoInfo(path=f"/bench/v{v}.mp4", duration_s=4.0 * (n + 2), fps=25, frame_count=100 * (n + 2),
                                          width=640, height=360, has_audio=True, fingerprint=f"bench-{v}"))
        store.set_shots(video.id, [Shot(i, i * 100, (i + 1) * 100, i * 4.0, (i + 1) * 4.0) for i in range(n + 2)])
        clips = store.set_clips(video.id, [Clip(i, i, i + 2, i * 4.0, (i + 3) * 4.0, i * 100, (i + 3) * 100, text=f"t{v}-{i}")
                                           for i in range(n)])
        rows, items = [], []
        for clip in clips:
            present = rng.random(len(labels)) < 0.3
            for modality, enc in (("video", encoders.video), ("text", encoders.text), ("audio", encoders.audio)):
                x = rng.normal(0, 1.0, enc.dim).astype(np.float32)
                x[: len(labels)] += 1.0 * present
                rows.append((video.fingerprint, clip.start_s, clip.end_s, feature_id(enc.id, modality, clip.text), x))
            items += [(Target(video.id, clip.id), name, AnnotationState.PRESENT if p else AnnotationState.ABSENT)
                      for name, p in zip(labels, present)]
        store.put_features(rows)
        store.annotate_many(items, "bench")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=2000)
    parser.add_argument("--clips-per-video", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--hidden-dim", type=int, default=None, help="default: 128, as hhir train for a new model")
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--batch-size", type=int, default=TrainOptionsDefaults.batch_size)
    parser.add_argument("--threads", type=int, default=TrainOptionsDefaults.threads, help="torch threads while training")
    args = parser.parse_args()

    from hhir.learn.options import TrainOptions
    from hhir.learn.train import train
    from hhir.scoring.encoders import profile_encoders

    encoders = profile_encoders("offline")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        store = build(Path(tmp) / "bench.sqlite3", encoders, args.clips, args.clips_per_video)
        built = time.perf_counter() - started
        print(f"project with {args.clips} annotated clips built in {built:.1f} s", flush=True)
        options = TrainOptions(epochs=args.epochs, hidden_dim=args.hidden_dim, lr=args.lr, batch_size=args.batch_size,
                               threads=args.threads)
        epochs = []
        started, cpu_started = time.perf_counter(), time.process_time()
        result = train(store, options, encoders=encoders,
                       on_epoch=lambda e: (epochs.append(e), print(f"epoch {e.epoch}: loss {e.train_loss:.4f} "
                                                                   f"val {e.validation_loss:.4f} {e.seconds:.1f} s", flush=True)))
        total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        store.close()
    report = {
        "clips": args.clips, "videos": int(np.ceil(args.clips / args.clips_per_video)), "torch_threads": args.threads,
        "load_average_1min": os.getloadavg()[0],
        "options": options.as_dict(), "build_db_s": round(built, 1), "train_s": round(total, 1), "train_cpu_s": round(cpu, 1),
        "epochs_run": len(epochs), "best_epoch": result.best_epoch,
        "epoch_s_mean": round(float(np.mean([e.seconds for e in epochs])), 2),
        "metrics": {k: round(v, 4) for k, v in result.model.metrics.items()},
    }
    (BENCH / "out").mkdir(exist_ok=True)
    (BENCH / "out" / "train.json").write_text(json.dumps(report, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k not in ("metrics", "options")}, indent=1))
    print({k: report["metrics"][k] for k in report["metrics"] if k.endswith("macro_f1")})


if __name__ == "__main__":
    main()
