"""``hhir analyze --ray auto|ADDRESS``: a corpus on Ray, with one corpus-wide progress bar."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hhir.errors import HHIRError


class CorpusBar:
    """One bar for the whole corpus (videos done plus the running ones' fractions), with the
    per-video states beside it: how many run, wait, are done, failed or were retried."""

    def __init__(self, total: int) -> None:
        self._bar = click.progressbar(length=total * 1000, label="corpus", file=sys.stderr, show_eta=False,
                                      item_show_func=lambda m: m)
        self._done = 0

    def __enter__(self) -> CorpusBar:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(*exc)

    def __call__(self, states: list) -> None:
        finished = sum(1000 for s in states if s.state in ("done", "failed"))
        partial = sum(int(s.fraction * 1000) for s in states if s.state == "running")
        count = {k: sum(s.state == k for s in states) for k in ("done", "running", "queued", "failed")}
        retried = sum(s.attempts > 1 for s in states)
        running = ", ".join(f"{Path(s.path).name} {s.fraction:.0%}" for s in states if s.state == "running")
        line = f"{count['done']} done, {count['running']} running, {count['queued']} queued, {count['failed']} failed"
        line += (f", {retried} retried" if retried else "") + (f" [{running}]" if running else "")
        target = finished + partial
        self._bar.update(max(0, target - self._done), line[:120])
        self._done = max(self._done, target)


def run_on_ray(store, videos: list, options, address: str, workers: int | None, cancel) -> list[int]:
    """Analyze ``videos`` on Ray into ``store``'s project; the finished videos' ids.

    Raises:
        click.exceptions.Exit: 130 when cancelled (the next run resumes), 2 when a video failed.
    """
    from hhir.cluster import analyze_corpus

    db = store.reopen_value()
    try:
        with CorpusBar(len(videos)) as bar:
            run = analyze_corpus(db, list(videos), options, address=address, workers=workers, progress=bar, cancel=cancel)
    except HHIRError as exc:
        click.echo(f"error: {exc}", err=True)
        raise click.exceptions.Exit(2) from None
    for v in run.videos:
        if v.state == "failed":
            click.echo(f"error: {v.path}: {v.error}", err=True)
    done = [v for v in run.videos if v.state == "done"]
    per_video = sum(v.seconds or 0.0 for v in done) / max(1, len(done))
    click.echo(f"corpus: {len(done)}/{len(run.videos)} videos in {run.seconds:.1f} s on {run.workers} workers "
               f"({per_video:.1f} s per video in a worker); retried: {sum(v.attempts > 1 for v in run.videos)}", err=True)
    if run.cancelled:
        click.echo("cancelled; finished stages are kept and the next run resumes", err=True)
        raise click.exceptions.Exit(130)
    if run.counts.get("failed"):
        raise click.exceptions.Exit(2)
    return [v.video_id for v in done]
