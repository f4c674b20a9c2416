"""What ``hhir train`` prints: one plain line per epoch and a final summary, readable in a log file.

No progress bar: a bar redraws one terminal line and turns into noise in a log. Every line stands
alone (``epoch 3/300: train loss ...``), so ``hhir train > train.log`` and a terminal read the same.
``--json`` prints one JSON object at the end instead of the summary (epoch lines then go to stderr).
"""

from __future__ import annotations

from collections.abc import Callable

import click

from hhir.learn.options import TrainingEpoch


def epoch_line(e: TrainingEpoch) -> str:
    """``epoch 3/300: train loss 0.4123, val loss 0.3981, val macro F1 0.512 (micro 0.601) @0.6, lr 3e-05, 0.8 s, best``."""
    text = f"epoch {e.epoch}/{e.epochs}: train loss {e.train_loss:.4f}"
    if e.validation_loss is not None:
        text += f", val loss {e.validation_loss:.4f}"
    if e.validation is not None:
        text += f", val macro F1 {e.validation.macro_f1:.3f} (micro {e.validation.micro_f1:.3f})"
    text += f", lr {e.lr:.0e}, {e.seconds:.1f} s"
    return text + (", best" if e.best else "")


def stage_printer(err: bool) -> Callable[[float, str], None]:
    """A progress callback printing the stages (loading encoders, saving), not the per-batch updates."""
    said: set[str] = set()

    def show(fraction: float, message: str) -> None:  # noqa: ARG001 - ProgressFn signature
        # Per-batch "Epoch k/N" updates have their epoch line; "Trained <id>" has the summary.
        if message.startswith(("Epoch ", "Trained ")) or message in said:
            return
        said.add(message)
        click.echo(message[:1].lower() + message[1:], err=err)

    return show


def stop_reason(result, patience: int) -> str:
    """Why training ended: early stopping, or the epoch cap (then the loss may still be falling)."""
    last = result.history[-1]
    if last.epoch < last.epochs:
        return f"stopped: validation loss did not improve for {patience} epochs"
    return "stopped at the epoch limit (--epochs): the validation loss may still be improving"


def _figures(e) -> str:
    parts = [f"scene macro F1 {e.scene_tuned.macro_f1:.3f} (micro {e.scene_tuned.micro_f1:.3f})"]
    if e.clip_tuned is not None:
        parts.append(f"clip macro F1 {e.clip_tuned.macro_f1:.3f} (micro {e.clip_tuned.micro_f1:.3f})")
    return ", ".join(parts)


def summary_lines(result, patience: int, activated: bool, activated_videos: int) -> list[str]:
    """The summary a person reads after training (figures at the tuned thresholds the model uses)."""
    best = next((e for e in result.history if e.epoch == result.best_epoch), None)
    lines = [f"model {result.model.id}: {len(result.history)} epochs in {result.seconds:.1f} s; "
             f"best epoch {result.best_epoch}" + (f" (val loss {best.validation_loss:.4f})" if best and best.validation_loss is not None else ""),
             stop_reason(result, patience),
             f"split: {len(result.split.train)} train, {len(result.split.validation)} validation, "
             f"{len(result.split.test)} test video(s) (fixed per project: hhir split list)",
             "thresholds (tuned on validation): " + ", ".join(f"{n} {t:.2f}" for n, t in zip(result.labels, result.thresholds))]
    for e in result.evaluations:
        lines.append(f"{e.part} ({e.videos} video(s)) at the tuned thresholds: {_figures(e)}")
    if result.evaluation("test") is None:
        lines.append("no test video yet: held-out figures need 3 or more annotated videos")
    lines.append(f"saved to {result.path}")
    lines.append(f"activated; predictions recomputed for {activated_videos} video(s)" if activated
                 else f"not activated (hhir models activate {result.model.id})")
    return lines


def as_json(result, patience: int, activated: bool, activated_videos: int) -> dict:
    """Everything in the summary, and every epoch, for scripts."""
    return {
        "model": result.model.id, "path": str(result.path), "activated": activated,
        "recomputed_videos": activated_videos, "seconds": result.seconds, "best_epoch": result.best_epoch,
        "stopped": stop_reason(result, patience),
        "split": {"train": list(result.split.train), "validation": list(result.split.validation), "test": list(result.split.test)},
        "thresholds": dict(zip(result.labels, result.thresholds)),
        "epochs": [{"epoch": e.epoch, "train_loss": e.train_loss, "validation_loss": e.validation_loss,
                    "validation_macro_f1": e.validation.macro_f1 if e.validation else None,
                    "validation_micro_f1": e.validation.micro_f1 if e.validation else None,
                    "lr": e.lr, "seconds": e.seconds, "best": e.best} for e in result.history],
        "evaluations": [e.as_dict() for e in result.evaluations],
        "skipped": list(result.skipped),
    }
