"""Fit the starter's Platt scaling on what is known: generated clips plus the annotated dev set
(never the locked test set, bench/testset.json).

The generated clips (``generated_films``) have known content: espeak-ng questions, statements,
shouts and silence in films of their own, a quiet film whose loudest line is no shout, and wide
shots of figures walking together, apart, alone or nobody. Prints the ``PLATT`` table to paste
into ``core/hhir/scoring/starter/calibration.py``, and the dev-set figures under leave-one-file-out
calibration (each file scored with a table fitted without it), the honest measure of the fit.

    python bench/calibrate_starter.py [--cache DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import devset  # noqa: E402
import starter_eval  # noqa: E402
from starter_media import figures_frames, voice  # noqa: E402

from hhir.scoring.starter import clip_cues, explain  # noqa: E402
from hhir.scoring.starter.calibration import calibrate, fit_platt  # noqa: E402
from hhir.scoring.starter.scoring import RULED_OUT_SCORE  # noqa: E402

QUESTIONS = ["Where did you put the keys?", "Are you coming with us tonight?", "What time does the train leave?",
             "Can you help me with this box?", "Why did you say that to her?", "Is this your coat?"]
STATEMENTS = ["I put the keys on the table.", "We are leaving at eight tonight.", "The train leaves at noon.",
              "This box is heavier than it looks.", "I told her the truth yesterday.", "That coat belongs to my brother."]
SHOUTS = ["Get out of here right now!", "Stop it, I said stop!", "Leave me alone!"]


def _clip(audio, text, labels, frames=None) -> tuple[np.ndarray, str, list[str]]:
    return clip_cues(frames, audio, text), text, labels


def generated_films() -> dict[str, list[tuple[np.ndarray, str, list[str]]]]:
    """``{film: [(cue vector, text, labels), ...]}`` of generated clips with known labels."""
    silence = np.random.default_rng(0).normal(0, 0.002, 48000).astype(np.float32)
    dialogue = [_clip(voice(q), q, ["talks to", "asks"]) for q in QUESTIONS]
    dialogue += [_clip(voice(s), s, ["talks to"]) for s in STATEMENTS]
    dialogue += [_clip(voice(s, amplitude=200, pitch=80), s, ["talks to", "yells at"]) for s in SHOUTS]
    dialogue += [_clip(silence, "", ["no_interaction"]) for _ in range(3)]
    quiet = [_clip(voice(s, amplitude=20), s, ["talks to"]) for s in STATEMENTS[:4]]
    quiet += [_clip(voice(QUESTIONS[0], amplitude=35), QUESTIONS[0], ["talks to", "asks"])]
    quiet += [_clip(voice(STATEMENTS[4], amplitude=45), STATEMENTS[4], ["talks to"])]  # its loudest line, not a shout
    walking = []
    for kind, labels in (("together", ["walks with"]), ("group", ["walks with"]), ("apart", []),
                         ("alone", ["no_interaction"]), ("empty", ["no_interaction"])):
        for step in (1, 2, 3):
            walking.append(_clip(None, "", labels, figures_frames(kind, step=step)))
    return {"dialogue": dialogue, "quiet": quiet, "walking": walking}


def _logits(films: dict, labels) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Raw logits, truth and where a label is ruled out (one person or nobody seen), per film."""
    names = [label.name for label in labels]
    logits, truth, ruled = {}, {}, {}
    for film, rows in films.items():
        cues, texts, known = np.stack([r[0] for r in rows]), [r[1] for r in rows], [r[2] for r in rows]
        result = explain(cues, texts, labels, calibrated=False)
        logits[film], ruled[film] = result.logits, result.ruled
        truth[film] = np.array([[float(n in k) for n in names] for k in known])
    return logits, truth, ruled


MIN_POSITIVES = 3  # fewer positives than this to fit on: nothing known says what the label's scores mean


def fit(logits: dict, truth: dict, ruled: dict, names: list[str], leave_out: str | None = None) -> dict[str, tuple[float, float]]:
    """Platt pairs fitted on every film but ``leave_out``. A ruled-out label's score is held low by
    the rule, never by the scaling, so those entries are left out of its fit (a positive that a
    missed person ruled out would otherwise flatten the label's slope). A label with fewer than
    ``MIN_POSITIVES`` positives left keeps the raw sigmoid: one or two clips fit a slope at random."""
    keep = [f for f in logits if f != leave_out]
    x, y = np.concatenate([logits[f] for f in keep]), np.concatenate([truth[f] for f in keep])
    used = ~np.concatenate([ruled[f] for f in keep])
    table = {}
    for j, name in enumerate(names):
        xj, yj = x[used[:, j], j], y[used[:, j], j]
        if MIN_POSITIVES <= yj.sum() < len(yj):
            table[name] = fit_platt(xj, yj)
    return table


def _scored(logits: np.ndarray, ruled: np.ndarray, names: list[str], table: dict) -> np.ndarray:
    """Calibrated scores as ``explain`` gives them: ruled-out labels held low."""
    return np.where(ruled, np.minimum(calibrate(logits, names, table), RULED_OUT_SCORE), calibrate(logits, names, table))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    labels = starter_eval.default_labels()
    names = [label.name for label in labels]
    films = generated_films()
    dev = starter_eval.devset_cues(devset.fetch(args.cache))
    films.update({f"dev:{name}": list(zip(cues, texts, [c["labels"] for c in clips])) for name, (clips, cues, texts) in dev.items()})
    logits, truth, ruled = _logits(films, labels)
    table = fit(logits, truth, ruled, names)
    print("PLATT = {")
    for name, (a, b) in table.items():
        print(f'    "{name}": ({a:.3f}, {b:.3f}),')
    print("}")
    dev_files = [f for f in films if f.startswith("dev:")]
    for title, scored in (("raw", {f: _scored(logits[f], ruled[f], names, {}) for f in dev_files}),
                          ("leave-one-file-out calibrated",
                           {f: _scored(logits[f], ruled[f], names, fit(logits, truth, ruled, names, f)) for f in dev_files}),
                          ("calibrated on everything", {f: _scored(logits[f], ruled[f], names, table) for f in dev_files})):
        t = np.concatenate([truth[f] for f in dev_files])
        s = np.concatenate([scored[f] for f in dev_files])
        print(f"\ndev set, {title}:\n" + starter_eval.markdown(starter_eval.report(t, s, names)))
    gen = [f for f in films if not f.startswith("dev:")]
    t = np.concatenate([truth[f] for f in gen])
    s = np.concatenate([_scored(logits[f], ruled[f], names, fit(logits, truth, ruled, names, f)) for f in gen])
    print("\ngenerated set, leave-one-film-out calibrated:\n" + starter_eval.markdown(starter_eval.report(t, s, names)))


if __name__ == "__main__":
    main()
