"""``hhir disagreements`` and ``hhir adjudicate``: where annotators differ, and the final decision."""

from __future__ import annotations

import click

from hhir.cli.dbparam import DATABASE, DB_HELP

DB = click.option("--db", "db_path", type=DATABASE, default=None, help=DB_HELP)
STATES = {"present": "present", "absent": "absent", "none": None}


def _store(db_path):
    from hhir.cli.context import open_store

    return open_store(db_path)


@click.command()
@DB
@click.option("--video", "video_ids", type=int, multiple=True, help="Only these videos (default: all).")
def disagreements(db_path, video_ids) -> None:
    """Clip and scene labels on which annotators' decisions differ, and their adjudication."""
    store = _store(db_path)
    found = 0
    for video in store.videos():
        if video_ids and video.id not in video_ids:
            continue
        clips = {c.id: c for c in store.clips(video.id)}
        for d in store.disagreements(video.id):
            where = "scene" if d.target.clip_id is None else _clip(clips.get(d.target.clip_id), d.target.clip_id)
            votes = ", ".join(f"{who} {state.value}" for who, state in d.votes)
            settled = f"; adjudicated: {d.decision.value}" if d.decision is not None else "; not adjudicated"
            click.echo(f"video {video.id} {where} {d.label!r}: {votes}{settled}")
            found += 1
    click.echo(f"{found} disagreement(s)", err=True)
    store.close()


def _clip(clip, clip_id: int) -> str:
    return f"clip {clip_id}" if clip is None else f"clip {clip_id} ({clip.start_s:.1f}-{clip.end_s:.1f} s)"


@click.command()
@DB
@click.argument("video_id", type=int)
@click.argument("label")
@click.argument("state", type=click.Choice(sorted(STATES)))
@click.option("--clip", "clip_id", type=int, default=None, help="The clip id (as `hhir disagreements` shows it); default: the scene.")
@click.option("--adjudicator", default=None, help="Who decides (default: the settings' annotator, else the login name).")
def adjudicate(db_path, video_id, label, state, clip_id, adjudicator) -> None:
    """Record the final decision on LABEL of a clip (or the scene): present, absent, or none to withdraw it."""
    from hhir.cli.config import user_settings
    from hhir.types import AnnotationState, Target

    store = _store(db_path)
    try:
        who = adjudicator or user_settings().annotator_name()
        value = STATES[state]
        store.adjudicate(Target(video_id, clip_id), label, None if value is None else AnnotationState(value), who)
        # the clip as `hhir disagreements` names it (its id and time range), not the undo log's "clip N"
        # (the clip's position in the video), which read as a different clip
        clip = None if clip_id is None else next((c for c in store.clips(video_id) if c.id == clip_id), None)
        where = "scene" if clip_id is None else _clip(clip, clip_id)
        click.echo(f"adjudicated by {who}: video {video_id} {where} {label!r}: {state}")
    finally:
        store.close()


@click.command("adjudication-policy")
@DB
@click.argument("policy", required=False, type=click.Choice(["others", "anyone"]))
def adjudication_policy(db_path, policy) -> None:
    """Show or set who may adjudicate in this project: 'others' (default: not the annotators who
    decided that label there) or 'anyone'."""
    from hhir.store.team import ADJUDICATION_POLICIES

    store = _store(db_path)
    try:
        if policy is not None:
            store.set_adjudication_policy(policy)
        current = store.adjudication_policy()
        click.echo(f"adjudication policy: {current}: {ADJUDICATION_POLICIES[current]}")
    finally:
        store.close()

