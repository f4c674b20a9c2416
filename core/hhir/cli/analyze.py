"""``hhir analyze``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from hhir.cli.context import DB_OPTION, cancel_on_ctrl_c, open_store
from hhir.errors import HHIRError, printable
from hhir.jobs import Cancelled



class _Bar:
    """A terminal progress bar fed by the pipeline's (fraction, message) callback."""

    def __init__(self, label: str) -> None:
        self._bar = click.progressbar(length=1000, label=label, file=sys.stderr, show_eta=False, item_show_func=lambda m: m)
        self._done = 0

    def __enter__(self):
        self._bar.__enter__()
        return self

    def __exit__(self, *exc):
        return self._bar.__exit__(*exc)

    def __call__(self, fraction: float, message: str) -> None:
        target = int(max(0.0, min(1.0, fraction)) * 1000)
        self._bar.update(max(0, target - self._done), message[:40])
        self._done = max(self._done, target)


@click.command()
@click.argument("videos", nargs=-1, required=True, type=click.Path(path_type=Path))
@DB_OPTION
@click.option("--profile", default=None, help="offline, paper, or a profile folder (default: the settings').")
@click.option("--model", "model_bundle", default=None,
              help="Predict with this model bundle folder (default: the settings', else the project's active model).")
@click.option("--clip-size", type=click.IntRange(1, 100), default=None, help="Shots per clip (default: the settings', 3).")
@click.option("--clip-stride", type=click.IntRange(1, 100), default=None, help="Shots between clip starts (default: the settings', 1).")
@click.option("--detector", default="adaptive", show_default=True, type=click.Choice(["adaptive", "content", "threshold", "histogram"]))
@click.option("--threshold", type=float, default=None, help="Detector threshold (default: the detector's).")
@click.option("--json", "json_out", default=None, help="Write the results as JSON to this file, or - for stdout.")
@click.option("--people/--no-people", default=True, show_default=True, help="Find the people on screen (tracks and characters).")
@click.option("--voices/--no-voices", default=True, show_default=True, help="Find who speaks when, linked to the people on screen.")
@click.option("--pairs/--no-pairs", default=True, show_default=True,
              help="Suggest who does what to whom, each with its cue (with the people; docs/interactions.md).")
@click.option("--ray", "ray_address", default=None, metavar="auto|ADDRESS",
              help="Analyze the videos on Ray, one task per video: 'auto' starts a local Ray, else a cluster's address.")
@click.option("--workers", type=click.IntRange(1, 10_000), default=None, help="Ray analysis workers (default: one per two of the cluster's CPUs).")
def analyze(videos, db_path, profile, model_bundle, clip_size, clip_stride, detector, threshold, json_out,
            people, voices, pairs, ray_address, workers) -> None:
    """Analyze videos: shots, clips, transcript, features and predictions, stored in the project."""
    from hhir.cli.config import chosen, user_settings
    from hhir.pipeline import AnalysisOptions, analyze as run_analysis, video_result

    s = user_settings()
    options = AnalysisOptions(profile=chosen(profile, s.profile), clip_size=chosen(clip_size, s.clip_size),
                              clip_stride=chosen(clip_stride, s.clip_stride), detector=detector, threshold=threshold,
                              model_bundle=chosen(model_bundle, s.active_bundle or None), people=people,
                              voices=voices, pairs=pairs)
    from hhir.models.profiles import get_profile

    get_profile(options.profile)  # a wrong profile is said before minutes of shot detection, not after
    model_id = _bundle_id(options.model_bundle)  # --model B: show and write B's predictions, not the active model's
    store = open_store(db_path)
    if ray_address:  # a corpus on Ray (docs/teams.md)
        from hhir.cli.corpus import run_on_ray

        with cancel_on_ctrl_c() as token:
            done = run_on_ray(store, videos, options, ray_address, workers, token)
        if json_out:
            _write_json({"videos": [video_result(store, video_id) for video_id in done]}, json_out)
        return
    results, failures = [], 0
    with cancel_on_ctrl_c() as token:
        for video in videos:
            try:
                with _Bar(printable(Path(video).name)) as bar:
                    video_id = run_analysis(store, video, options, progress=bar, cancel=token)
            except Cancelled:
                click.echo(f"{printable(video)}: cancelled; finished stages are kept and the next run resumes", err=True)
                raise click.exceptions.Exit(130) from None
            except HHIRError as exc:
                click.echo(f"error: {exc}", err=True)
                failures += 1
                continue
            result = video_result(store, video_id, model_id)
            results.append(result)
            _summary(result)
    if json_out:
        _write_json({"videos": results}, json_out)
    if failures:
        raise click.exceptions.Exit(2)


def _bundle_id(folder: str | None) -> str | None:
    """The id of the bundle in ``folder`` (None without one); ModelError for a folder that is not one."""
    if not folder:
        return None
    from hhir.models.bundle import ModelBundle

    return ModelBundle.load(folder, with_vivit=False).id


def _summary(result: dict) -> None:
    preds = result["predictions"]
    who = f"{preds['model']['kind']} model {preds['model']['id']}" if preds else "no model is active"
    click.echo(f"{printable(result['path'])}: {len(result['shots'])} shots, {len(result['clips'])} clips, "
               f"{len(result['transcript'])} transcript segments, {len(result['people'])} people; predictions: {who}", err=True)
    if preds and preds["model"].get("starter_labels"):
        click.echo(f"  model {preds['model']['id']} has no output for {', '.join(preds['model']['starter_labels'])}: "
                   "scored with the zero-shot starter (retrain to include them)", err=True)
    if preds:
        top = sorted(preds["scene"].items(), key=lambda kv: -kv[1])[:3]
        click.echo("  scene: " + ", ".join(f"{k} {v:.2f}" for k, v in top), err=True)


def _write_json(obj: dict, out: str) -> None:
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    if out == "-":
        click.echo(text)
        return
    from hhir.fsutil import write_text

    write_text(Path(out), text + "\n")
