"""``hhir disagreements`` and ``hhir adjudicate``: where annotators differ, and the final decision,
on clip and scene labels and on interactions (who does what to whom: the disagreements as
``hhir.learn.interaction_agreement`` finds them, the decision kept apart from the annotators')."""

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
    """Clip and scene labels, and interactions, on which annotators' decisions differ, and their adjudication."""
    from hhir.cli.interactions import describe
    from hhir.learn.interaction_agreement import interaction_disagreements

    store = _store(db_path)
    found = 0
    for video in store.videos():
        if video_ids and video.id not in video_ids:
            continue
        for i in interaction_disagreements(store, video.id):
            versions = "; ".join(f"{who}: " + (describe(store, video, [v])[0] if v is not None and v.annotator == who else "none")
                                 for who, v in ((i.annotator_a, i.a), (i.annotator_b, i.b)))
            settled = (f"adjudicated: {describe(store, video, [i.decision])[0]}" if i.decision is not None else "not adjudicated")
            click.echo(f"video {video.id} interaction frames {i.start_frame}-{i.end_frame} differ on {', '.join(i.parts)}: "
                       f"{versions}; {settled}")
            found += 1
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
@click.option("--accept", "accept", type=int, default=None,
              help="An interaction: accept this annotator's record (its id, as `hhir disagreements` shows it).")
@click.option("--actor", default=None, help="An interaction: its actor (person number, name or id:N).")
@click.option("--target", "whom", default=None, help="An interaction: its target (a person, group, offscreen or unknown).")
@click.option("--start", default=None, help="An interaction: its first frame (or seconds with an s).")
@click.option("--end", default=None, help="An interaction: its end frame, exclusive (or seconds with an s).")
def adjudicate(db_path, video_id, label, state, clip_id, adjudicator, accept, actor, whom, start, end) -> None:
    """Record the final decision on LABEL of a clip (or the scene): present, absent, or none to withdraw it.

    On an interaction (with --accept or --actor, --target, --start, --end; --accept fills what is
    not given from that record): present records it as the decision, absent decides there is no such
    interaction, none withdraws the adjudicator's decision with exactly these parts and span."""
    from hhir.cli.config import user_settings
    from hhir.types import AnnotationState, Target

    store = _store(db_path)
    try:
        who = adjudicator or user_settings().annotator_name()
        if accept is not None or any(v is not None for v in (actor, whom, start, end)):
            if clip_id is not None:
                raise click.UsageError("--clip is for a clip's label; an interaction has its own span")
            _adjudicate_interaction(store, video_id, label, state, who, accept, actor, whom, start, end)
            return
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



def _adjudicate_interaction(store, video_id: int, label: str, state: str, who: str, accept: int | None,
                            actor: str | None, whom: str | None, start: str | None, end: str | None) -> None:
    from hhir.cli.interactions import character, describe, frame, target
    from hhir.errors import HHIRError
    from hhir.learn.interaction_agreement import OWN, accepted

    video = next((v for v in store.videos() if v.id == video_id), None)
    if video is None:
        raise HHIRError(f"no video with id {video_id} in this project")
    base = store.interaction(accept) if accept is not None else None
    if base is not None and base.video_id != video_id:
        raise HHIRError(f"interaction {accept} is of video {base.video_id}, not {video_id}")
    if base is None:
        if actor is None or whom is None or start is None or end is None:
            raise click.UsageError("an interaction's decision needs --accept ID, or --actor, --target, --start and --end")
        actor_id, (kind, target_id) = character(store, video_id, actor).id, target(store, video_id, whom)
        first, last = frame(video, start), frame(video, end)
    else:
        actor_id = character(store, video_id, actor).id if actor is not None else base.actor_id
        kind, target_id = target(store, video_id, whom) if whom is not None else (base.target_kind, base.target_id)
        first = frame(video, start) if start is not None else base.start_frame
        last = frame(video, end) if end is not None else base.end_frame
    if state == "none":
        mine = [d for d in store.interaction_adjudications(video_id)
                if (d.actor_id, d.label, d.target_kind, d.target_id, d.start_frame, d.end_frame)
                == (actor_id, label, kind, target_id, first, last) and d.source == f"adjudication:{who}"]
        if not mine:
            raise HHIRError(f"{who} has no adjudicated interaction with these parts and span to withdraw in video {video_id}")
        for d in mine:
            store.delete_interaction(d.id, who)
        click.echo(f"withdrawn by {who}: {describe(store, video, mine)[0]}")
        return
    same = base is not None and (actor_id, label, kind, target_id, first, last) == (
        base.actor_id, base.label, base.target_kind, base.target_id, base.start_frame, base.end_frame)
    evidence = accepted(base) if same and base is not None else OWN
    _change, new_id = store.adjudicate_interaction(video_id, actor_id, label, kind, target_id, first, last, state, who, evidence)
    click.echo(f"adjudicated by {who}: {describe(store, video, [store.interaction(new_id)])[0]}")
