"""``hhir train | evaluate | models list/activate/rollback | agreement | queue``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from hhir.cli.dbparam import DATABASE, DB_HELP
from hhir.jobs import Cancelled
from hhir.learn.options import TrainOptions
from hhir.thresholds import DEFAULT_THRESHOLD

TRAIN_DEFAULTS = TrainOptions()

DB = click.option("--db", "db_path", type=DATABASE, default=None, help=DB_HELP)


def _store(db_path: Path | None):
    from hhir.cli.context import open_store

    return open_store(db_path)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _print_metrics(title: str, m) -> None:
    click.echo(f"{title}: macro P/R/F1 {m.macro_precision:.3f}/{m.macro_recall:.3f}/{m.macro_f1:.3f}  "
               f"micro P/R/F1 {m.micro_precision:.3f}/{m.micro_recall:.3f}/{m.micro_f1:.3f}  mAP {m.mean_average_precision:.3f}")


def _print_per_label(m, tuned=None) -> None:
    click.echo(f"  {'label':<16}{'P':>7}{'R':>7}{'F1':>7}{'AP':>7}{'support':>9}{'thr':>6}" + ("  F1@tuned" if tuned else ""))
    for j, lm in enumerate(m.per_label):
        extra = f"  {tuned.per_label[j].f1:.3f}@{tuned.per_label[j].threshold:.2f}" if tuned else ""
        click.echo(f"  {lm.label:<16}{lm.precision:7.3f}{lm.recall:7.3f}{lm.f1:7.3f}{lm.average_precision:7.3f}"
                   f"{lm.support:9d}{lm.threshold:6.2f}{extra}")


def _print_evaluation(e) -> None:
    click.echo(f"[{e.part}: {e.videos} video(s)]")
    _print_metrics("  scene @tuned", e.scene_tuned)
    if e.clip_tuned is not None:
        _print_metrics("  clip  @tuned", e.clip_tuned)
    _print_metrics("  scene @fixed", e.scene)
    if e.clip is not None:
        _print_metrics("  clip  @fixed", e.clip)
    _print_per_label(e.scene, e.scene_tuned)


@click.command()
@DB
@click.option("--epochs", default=TRAIN_DEFAULTS.epochs, show_default=True,
              help="Most epochs; training stops sooner once the validation loss stops improving (--patience).")
@click.option("--seed", default=TRAIN_DEFAULTS.seed, show_default=True)
@click.option("--lr", default=TRAIN_DEFAULTS.lr, show_default=True)
@click.option("--weight-decay", default=TRAIN_DEFAULTS.weight_decay, show_default=True)
@click.option("--batch-size", default=TRAIN_DEFAULTS.batch_size, show_default=True)
@click.option("--hidden-dim", type=int, default=None, help="LSTM hidden size (default: the parent model's, else 128).")
@click.option("--patience", default=TRAIN_DEFAULTS.patience, show_default=True, help="Epochs without a better validation loss before stopping.")
@click.option("--threshold", default=DEFAULT_THRESHOLD, show_default=True, help="Threshold of labels the validation videos cannot tune.")
@click.option("--validation-fraction", default=TRAIN_DEFAULTS.validation_fraction, show_default=True,
              help="Share of new videos that get the validation side (sides already given are kept).")
@click.option("--test-fraction", default=TRAIN_DEFAULTS.test_fraction, show_default=True,
              help="Share of new videos that get the test side (sides already given are kept).")
@click.option("--annotator", default=None, help="Learn from this annotator only (default: everyone, majority vote).")
@click.option("--profile", default=None, help="Encoders whose cached features to use when no trained model is active (default: the settings').")
@click.option("--activate", is_flag=True, help="Make the new model active and recompute predictions.")
@click.option("--manifest", type=click.Path(exists=True, path_type=Path), default=None,
              help="Train from a dataset written by 'hhir export --format manifest' (its labels and features, no "
                   "videos) instead of the project; the bundle is saved, not added to a project.")
@click.option("--json", "json_out", is_flag=True, help="Print the result as one JSON object (epoch lines go to stderr).")
def train(db_path, epochs, seed, lr, weight_decay, batch_size, hidden_dim, patience, threshold,
          validation_fraction, test_fraction, annotator, profile, activate, manifest, json_out) -> None:
    """Train a new model version from the project's annotations.

    Prints one line per epoch (train loss, validation loss and F1) and a summary: the best epoch,
    the figures at the tuned thresholds the model will be used with, where the bundle went and
    whether it was activated. With --manifest it trains on an exported dataset on a machine
    without the project or its videos (the manifest's test split stays out of training).
    """
    from hhir.cli.context import cancel_on_ctrl_c
    from hhir.cli.config import chosen, user_settings
    from hhir.cli.train_report import as_json, epoch_line, stage_printer, summary_lines
    from hhir.learn.options import TrainOptions
    from hhir.learn.train import train as run_train
    from hhir.learn.versions import activate as activate_model

    options = TrainOptions(epochs=epochs, lr=lr, weight_decay=weight_decay, batch_size=batch_size, threshold=threshold,
                           patience=patience, seed=seed, validation_fraction=validation_fraction,
                           test_fraction=test_fraction, hidden_dim=hidden_dim, annotator=annotator,
                           profile=chosen(profile, user_settings().profile))
    if manifest is not None and (activate or db_path is not None):
        raise click.UsageError("--manifest trains without a project: leave out --db and --activate "
                               "(hhir models import-seed or the bundle folder's --model use the result)")
    out_dir = user_settings().model_dir or None  # where the app's training writes bundles too
    store = _store(db_path) if manifest is None else None
    try:
        with cancel_on_ctrl_c() as token:
            on_epoch = lambda e: click.echo(epoch_line(e), err=json_out)  # noqa: E731
            if store is None:
                from hhir.learn.from_manifest import train_from_manifest

                result = train_from_manifest(manifest, options, out_dir, stage_printer(err=json_out), token, on_epoch)
            else:
                result = run_train(store, options, stage_printer(err=json_out), token, out_dir=out_dir, on_epoch=on_epoch)
    except Cancelled:
        raise click.exceptions.Abort() from None
    for line in result.skipped:
        click.echo(f"skipped: {line}", err=True)
    done = activate_model(store, result.model.id) if activate and store is not None else []
    if json_out:
        click.echo(json.dumps(as_json(result, patience, activate, len(done)), indent=1))
        return
    lines = summary_lines(result, patience, activate, len(done))
    if store is None:  # from a manifest: there is no project to activate it in
        lines[-1] = f"not in a project: predict with it by hhir analyze --model {result.path}"
    for line in lines:
        click.echo(line)
    for e in result.evaluations:
        _print_evaluation(e)


@click.command()
@DB
@click.option("--model", "bundle", required=True, type=click.Path(path_type=Path), help="Model bundle folder.")
@click.option("--annotator", default=None)
@click.option("--threshold", default=DEFAULT_THRESHOLD, show_default=True)
@click.option("--json", "json_out", is_flag=True, help="Print the metrics as JSON.")
def evaluate(db_path, bundle, annotator, threshold, json_out) -> None:
    """Metrics of a model bundle on held-out annotated scenes."""
    from hhir.learn.heldout import evaluate_bundle

    result = evaluate_bundle(_store(db_path), bundle, annotator, threshold)
    e = result.evaluation
    if json_out:
        click.echo(json.dumps({"model": result.model_id, "note": result.note, **e.as_dict()}, indent=1))
        return
    click.echo(f"model {result.model_id}: {result.note}")
    _print_evaluation(e)


@click.command()
@DB
@click.option("--video", "video_id", type=int, default=None)
@click.option("--model", "model_id", default=None, help="Model whose predictions to compare (default: active).")
@click.option("--json", "json_out", is_flag=True)
def agreement(db_path, video_id, model_id, json_out) -> None:
    """Cohen's / Fleiss' kappa between annotators, and model-vs-human F1; on interactions, kappa
    for actor, target and label and pair-level F1 (hhir.learn.interaction_agreement)."""
    from hhir.learn.agreement import agreement as run

    report = run(_store(db_path), video_id, model_id)
    if json_out:
        click.echo(json.dumps(asdict(report), default=str, indent=1))
        return
    click.echo(f"annotators: {', '.join(report.annotators) or 'none'}")
    for p in report.pairs:
        click.echo(f"  Cohen's kappa {p.label:<16}{p.annotator_a} vs {p.annotator_b}: {_fmt(p.kappa)} ({p.items} items)")
    for g in report.groups:
        click.echo(f"  Fleiss' kappa {g.label:<16}{g.raters} raters: {_fmt(g.kappa)} ({g.items} items)")
    for i in report.interactions:
        click.echo(f"  interactions {i.annotator_a} vs {i.annotator_b}: kappa actor {_fmt(i.actor_kappa)}, target {_fmt(i.target_kappa)}, "
                   f"label {_fmt(i.label_kappa)} ({i.paired} records paired by time); pair-level F1 {_fmt(i.pair_f1)} "
                   f"({i.matched} matched of {i.records_a} and {i.records_b})")
    for m in report.model:
        who = f"starter {m.model_id} (no trained model is active)" if m.starter else f"model {m.model_id}"
        click.echo(f"  {who} vs {m.annotator}: macro F1 {m.metrics.macro_f1:.3f}, micro F1 {m.metrics.micro_f1:.3f}")


@click.command()
@DB
@click.option("--video", "video_id", type=int, default=None)
@click.option("--annotator", default=None, help="Clips this annotator has not reviewed (default: nobody has).")
@click.option("--limit", default=20, show_default=True)
def queue(db_path, video_id, annotator, limit) -> None:
    """Unreviewed clips, most useful to review first."""
    from hhir.learn.queue import review_queue

    store = _store(db_path)
    for item in review_queue(store, annotator, video_id, limit):
        click.echo(f"video {item.target.video_id} clip {item.target.clip_id}: priority {item.priority:.3f} "
                   f"({item.label}: uncertainty {item.uncertainty:.2f}, disagreement {item.disagreement:.2f}"
                   f"{', annotators disagree' if item.conflict else ''})")
