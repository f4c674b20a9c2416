"""Learning curve: macro-F1 on held-out videos after training on 10, 20, 50, 100 and 200 annotated
clips, for the seed's classifier (the product's recipe, ``hhir.learn.loop.fit``) and for the light
head (``hhir.models.light_head``) on the same features, with the zero-shot starter as the line to beat.

The clips are generated with known labels (espeak-ng questions, statements, shouts or silence over
figures walking together, apart, alone or nobody) and encoded by the offline profile's real encoders
(seeded ViViT int8, MiniLM, log-mel statistics), grouped five to a "video"; 12 videos are held out.
The real-footage dev set (34 clips) is a second held-out set. Each size is drawn three times.

    python bench/learning_curve.py [--cache DIR] [--plot docs/learning_curve.png] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import devset  # noqa: E402
import starter_eval  # noqa: E402
from starter_media import figures_frames, voice  # noqa: E402

from hhir.models.light_head import fit_light_head, pooled  # noqa: E402
from hhir.learn.metrics import evaluate, tune_thresholds  # noqa: E402
from hhir.scoring.starter import clip_cues, explain  # noqa: E402

SIZES = (10, 20, 50, 100, 200)
REPEATS = 3
CLIPS_PER_VIDEO, HELD_OUT_VIDEOS, POOL = 5, 12, 300
VISUAL = {"together": ["walks with"], "group": ["walks with"], "apart": [], "alone": [], "empty": []}
SUBJECTS = ["the keys", "your coat", "the train", "dinner", "the money", "my sister", "the letter", "the car"]
PLACES = ["at the station", "in the kitchen", "by the river", "at work", "upstairs", "in town"]


def _sentence(kind: str, rng: np.random.Generator) -> str:
    s, p = rng.choice(SUBJECTS), rng.choice(PLACES)
    return {
        "question": rng.choice([f"Where did you leave {s}?", f"Did you see {s} {p}?", f"Why is {s} {p}?",
                                f"Can you bring {s} {p}?", f"What happened to {s}?"]),
        "statement": rng.choice([f"I left {s} {p}.", f"We found {s} {p} yesterday.", f"{s.capitalize()} is {p}.",
                                 f"She put {s} {p} this morning."]),
        "shout": rng.choice([f"Give me {s} right now!", "Get out of here!", f"Stop touching {s}!"]),
    }[kind]


def _pool(rng: np.random.Generator, encoders) -> dict[str, np.ndarray | list]:
    """POOL generated clips: features per modality, cue vectors, texts, labels."""
    variants = {(kind, step): figures_frames(kind, encoders.n_frames, encoders.frame_size, step)
                for kind in VISUAL for step in (1, 2, 3)}
    keys = list(variants)
    video_vecs = dict(zip(keys, encoders.video.encode(np.stack([variants[k] for k in keys]))))
    rows = []
    for _ in range(POOL):
        sound = rng.choice(["question", "statement", "shout", "silence"])
        look = keys[rng.integers(len(keys))]
        text = "" if sound == "silence" else _sentence(sound, rng)
        audio = (np.random.default_rng(int(rng.integers(1 << 30))).normal(0, 0.002, 32000).astype(np.float32) if sound == "silence"
                 else voice(text, amplitude=200 if sound == "shout" else 100, pitch=80 if sound == "shout" else 50))
        labels = list(VISUAL[look[0]])
        labels += {"question": ["talks to", "asks"], "statement": ["talks to"], "shout": ["talks to", "yells at"], "silence": []}[sound]
        if sound == "silence" and look[0] in ("alone", "empty"):
            labels.append("no_interaction")
        rows.append((look, audio, text, labels))
    texts = [r[2] for r in rows]
    return {
        "video": np.stack([video_vecs[r[0]] for r in rows]),
        "text": encoders.text.encode(texts),
        "audio": encoders.audio.encode([r[1] for r in rows]),
        "cues": np.stack([clip_cues(variants[r[0]], r[1], r[2]) for r in rows]),
        "texts": texts, "labels": [r[3] for r in rows],
    }


def _devset(cache: Path, encoders) -> dict[str, np.ndarray | list]:
    from hhir.media.audio import audio_slice, extract_audio

    data = starter_eval.devset_cues(cache)
    video, audio_vecs, texts, labels, cues = [], [], [], [], []
    for name, (clips, cue_rows, clip_texts) in data.items():
        frames = starter_eval._frames(cache / name, clips)
        track = extract_audio(cache / name)
        for c, f in zip(clips, frames):
            video.append(encoders.video.encode(f[None])[0] if f is not None else np.zeros(encoders.video.dim, np.float32))
            audio_vecs.append(encoders.audio.encode([audio_slice(track, c["start_s"], c["end_s"])])[0])
        texts += clip_texts
        labels += [c["labels"] for c in clips]
        cues.append(cue_rows)
    return {"video": np.stack(video), "text": encoders.text.encode(texts), "audio": np.stack(audio_vecs),
            "cues": np.concatenate(cues), "texts": texts, "labels": labels}


def _cached(path: Path, build) -> dict:
    if path.exists():
        z = np.load(path, allow_pickle=False)
        meta = json.loads(str(z["meta"]))
        return {k: z[k] for k in ("video", "text", "audio", "cues")} | meta
    data = build()
    np.savez_compressed(path, **{k: data[k] for k in ("video", "text", "audio", "cues")},
                        meta=json.dumps({"texts": data["texts"], "labels": data["labels"]}))
    return data


def _truth(labels: list[list[str]], names: list[str]) -> np.ndarray:
    return np.array([[float(n in ls) for n in names] for ls in labels])


def _seed_classifier(tr, va, names, encoders, seed):
    """The product's recipe: a fresh MultimodalLSTM fitted by hhir.learn.loop.fit, T=1 clip samples."""
    import torch

    from hhir.learn.loop import Sample, fit, run_with_torch_seed
    from hhir.learn.options import FRESH_HIDDEN_DIM, TrainOptions
    from hhir.models.lstm import MultimodalLSTM

    options = TrainOptions(seed=seed)
    model = run_with_torch_seed(lambda: MultimodalLSTM(tr["video"].shape[1], tr["text"].shape[1], tr["audio"].shape[1],
                                          FRESH_HIDDEN_DIM, len(names)), seed)
    samples = lambda d: [Sample(d["video"][i:i + 1], d["text"][i:i + 1], d["audio"][i:i + 1], d["y"][i], np.ones(len(names), bool))  # noqa: E731
                         for i in range(len(d["y"]))]
    result = fit(model, samples(tr), samples(va), names, options)

    def predict(d):
        model.eval()
        with torch.inference_mode():
            out = model(*(torch.from_numpy(d[m][:, None, :].astype(np.float32)) for m in ("video", "text", "audio")))
        return torch.sigmoid(out).numpy()
    return predict, len(result.history)


def _light(tr, names):
    head = fit_light_head(pooled(tr["video"], tr["text"], tr["audio"]), tr["y"], np.ones_like(tr["y"], bool), names)
    return lambda d: head.predict(d["video"], d["text"], d["audio"])


def _macro_f1(y, scores, names, thresholds) -> float:
    return evaluate(y, scores, names, thresholds).macro_f1


def _take(d: dict, idx: np.ndarray) -> dict:
    return {k: d[k][idx] for k in ("video", "text", "audio", "y")}


def run(cache: Path) -> dict:
    from hhir.scoring.encoders import profile_encoders

    encoders = profile_encoders("offline")
    labels = starter_eval.default_labels()
    names = [label.name for label in labels]
    pool = _cached(cache / "curve-pool-v1.npz", lambda: _pool(np.random.default_rng(0), encoders))
    dev = _cached(cache / "curve-dev-v1.npz", lambda: _devset(devset.fetch(cache), encoders))
    for d in (pool, dev):
        d["y"] = _truth(d["labels"], names)
    videos = np.arange(POOL) // CLIPS_PER_VIDEO
    held = videos >= videos.max() + 1 - HELD_OUT_VIDEOS
    test, dev_t = _take(pool, np.flatnonzero(held)), _take(dev, np.arange(len(dev["y"])))
    train_idx = np.flatnonzero(~held)
    held_texts = [pool["texts"][i] for i in np.flatnonzero(held)]
    starter_test = np.array([[s[n] for n in names] for s in explain(pool["cues"][held], held_texts, labels).clips])
    dev_data = starter_eval.devset_cues(devset.fetch(cache))
    dev_truth, dev_starter, _ = starter_eval.score(dev_data, labels)
    out = {"starter": {"held_out": _macro_f1(test["y"], starter_test, names, 0.6),
                       "dev": _macro_f1(dev_truth, dev_starter, names, 0.6)}, "sizes": {}}
    for size in SIZES:
        rows = {"seed": {"held_out": [], "dev": [], "epochs": [], "cpu_s": []}, "light": {"held_out": [], "dev": [], "cpu_s": []}}
        for rep in range(REPEATS):
            rng = np.random.default_rng(100 * size + rep)
            pick = rng.choice(train_idx, size=size, replace=False)
            n_val = max(2, size // 5)
            tr, va = _take(pool, pick[n_val:]), _take(pool, pick[:n_val])
            for name in ("seed", "light"):
                started = time.process_time()
                if name == "seed":
                    predict, epochs = _seed_classifier(tr, va, names, encoders, seed=rep)
                    rows[name]["epochs"].append(epochs)
                else:
                    predict = _light(tr, names)
                # The product's rule: per-label thresholds tuned on the validation part, else 0.6.
                thresholds = tune_thresholds(va["y"], predict(va))
                rows[name]["held_out"].append(_macro_f1(test["y"], predict(test), names, thresholds))
                rows[name]["dev"].append(_macro_f1(dev_t["y"], predict(dev_t), names, thresholds))
                rows[name]["cpu_s"].append(time.process_time() - started)
        out["sizes"][size] = {m: {k: float(np.mean(v)) for k, v in r.items()} | {"held_out_all": r["held_out"]}
                              for m, r in rows.items()}
        print(size, json.dumps(out["sizes"][size]), flush=True)
    return out


def plot(result: dict, path: Path) -> None:
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [int(s) for s in result["sizes"]]
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=120)
    for model, colour, title in (("seed", "#c0504d", "seed's classifier (BiLSTM + cross-attention)"),
                                 ("light", "#4f81bd", "light head (logistic regression)")):
        for part, style in (("held_out", "-"), ("dev", ":")):
            ys = [result["sizes"][str(s) if str(s) in result["sizes"] else s][model][part] for s in sizes]
            ax.plot(sizes, ys, style, marker="o", color=colour, label=f"{title}, {'held-out generated' if part == 'held_out' else 'real dev set'}")
    ax.axhline(result["starter"]["held_out"], color="#777777", linestyle="-", linewidth=1, label="starter, held-out generated")
    ax.axhline(result["starter"]["dev"], color="#777777", linestyle=":", linewidth=1, label="starter, real dev set")
    ax.set_xscale("log")
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.set_xlabel("annotated clips trained on")
    ax.set_ylabel("macro-F1")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6.5, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--plot", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    cache = devset.fetch(args.cache)
    result = run(cache)
    print(json.dumps(result["starter"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    if args.plot:
        plot(result, args.plot)


if __name__ == "__main__":
    main()
