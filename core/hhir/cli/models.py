"""``hhir models``: the project's model versions (list, activate, roll back) and importing the seed
checkpoint."""

from __future__ import annotations

from pathlib import Path

import click

from hhir.cli.context import DB_OPTION, open_store

@click.group("models")
def models_group() -> None:
    """Model versions: list, activate, roll back (and import the seed checkpoint)."""


@models_group.command("list")
@DB_OPTION
def list_models(db_path) -> None:
    """Every model of the project; * marks the active one."""
    store = open_store(db_path)
    active = store.active_model()
    # Figures at the tuned thresholds the model is used with; test (held out) first, else validation.
    click.echo(f"{'':2}{'id':<36}{'kind':<10}{'parent':<36}{'macro F1 @tuned':>16}")
    for m in store.models():
        mark = "*" if m.active else " "
        click.echo(f"{mark:2}{m.id:<36}{m.kind:<10}{m.parent or '-':<36}{_tuned_figure(m.metrics):>16}")
    if active is None or active.kind == "starter":
        click.echo("the zero-shot starter is in use")


def _tuned_figure(metrics: dict) -> str:
    for part, mark in (("test", "test"), ("validation", "val")):
        f1 = metrics.get(f"{part}.scene_tuned.macro_f1")
        if f1 is not None:
            return f"{f1:.3f} ({mark})"
    return "n/a"


@models_group.command("activate")
@click.argument("model_id")
@DB_OPTION
def activate_cmd(model_id, db_path) -> None:
    """Use MODEL_ID for predictions (recomputes them; old ones stay with their model)."""
    from hhir.learn.versions import activate

    done = activate(open_store(db_path), model_id)
    click.echo(f"active: {model_id}; predictions recomputed for {len(done)} video(s)")


@models_group.command("rollback")
@DB_OPTION
def rollback_cmd(db_path) -> None:
    """Go back to the active model's parent (or the starter)."""
    from hhir.learn.versions import rollback

    now = rollback(open_store(db_path))
    click.echo(f"active: {now.id if now is not None else 'starter'}")


@models_group.command("import-seed")
@click.argument("checkpoint", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Bundle folder to write (default: models/ beside the project database).")
@click.option("--activate/--no-activate", default=True, show_default=True, help="Make it the project's active model.")
@click.option("--labels", default=None, help="Comma-separated label names in the checkpoint's output order "
              "(default: the seed's seven, for a checkpoint with seven outputs).")
@click.option("--vivit/--no-vivit", "include_vivit", default=True, show_default=True,
              help="Keep the seeded ViViT's weights in the bundle (about 275 MB) rather than rebuilding it from its seed.")
@DB_OPTION
def import_seed_command(checkpoint: Path, out: Path | None, activate: bool, labels: str | None, include_vivit: bool,
                        db_path: Path | None) -> None:
    """Convert a seed checkpoint (weights_2.pth) into a model bundle, without unpickling code."""
    from hhir.learn.train import models_dir
    from hhir.models.seed_checkpoint import import_seed
    from hhir.types import ModelInfo

    from hhir.cli.config import user_settings

    store = open_store(db_path)
    folder = Path(user_settings().model_dir) if user_settings().model_dir else models_dir(store)
    out = out or folder / f"seed-{checkpoint.stem}"  # where trained models go
    names = [n.strip() for n in labels.split(",")] if labels else None
    bundle = import_seed(checkpoint, out, labels=names, include_vivit=include_vivit)
    info = store.model(bundle.id) or store.register_model(ModelInfo(id=bundle.id, kind="imported", path=str(out)))
    if activate:
        store.activate(info.id)
    click.echo(f"imported {checkpoint} as model {info.id} at {out}" + (" (active)" if activate else ""))
