"""The project's fixed split: each video (each film) gets train, validation or test once, for good.

Held out must mean never trained on, by any later model either: a model warm-starts from the active
one, so a video that any model trained on can never be an honest test video afterwards. Sides are
stored in the project (``Store.video_sides``) the first time a video is trained with, and every
later run reuses them. A video added later gets a side by the same seeded rule:

- videos without a side are taken in the order of ``sha256(seed, fingerprint)`` (not the order they
  were found, so the same videos and seed always give the same sides);
- a video of a film that already has a side joins that side (scenes of one film share actors and
  sets, so splitting them would leak; films are named with ``hhir split film``, see :func:`group_film`);
- a video some earlier model trained on goes to train (a project from before sides were stored);
- otherwise validation gets its first video once there are 2, test once there are 3 (when their
  fractions are above 0), and after that each video goes to the side furthest below its share.

Only ``hhir split move`` changes a side, and it says which models' figures the move invalidates.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from hhir.learn.split import Split

SIDES = ("train", "validation", "test")


def _order_key(seed: int, fingerprint: str) -> str:
    return hashlib.sha256(f"{seed}:{fingerprint}".encode()).hexdigest()


def choose_side(counts: dict[str, int], validation_fraction: float, test_fraction: float) -> str:
    """The side the next new video takes, given how many each side already has."""
    n = sum(counts.values()) + 1
    if validation_fraction > 0 and n >= 2 and counts["validation"] == 0:
        return "validation"
    if test_fraction > 0 and n >= 3 and counts["test"] == 0:
        return "test"
    shares = {"train": 1.0 - validation_fraction - test_fraction, "validation": validation_fraction, "test": test_fraction}
    return max(SIDES, key=lambda side: (shares[side] * n - counts[side], -SIDES.index(side)))


def assign(existing: dict[str, str], new: list[str], seed: int, validation_fraction: float, test_fraction: float,
           films: dict[str, str] | None = None, trained_on: set[str] | frozenset = frozenset(),
           film_sides: dict[str, str] | None = None) -> dict[str, str]:
    """Sides for the ``new`` fingerprints, given the ``existing`` fingerprint -> side (pure; nothing stored).

    Args:
        films: fingerprint -> film name, for videos that belong to a named film.
        trained_on: fingerprints an earlier model trained on (they go to train).
        film_sides: film -> side already stored for that film.
    """
    films, film_sides = films or {}, dict(film_sides or {})
    counts = {side: 0 for side in SIDES}
    for side in existing.values():
        counts[side] += 1
    out: dict[str, str] = {}
    for fingerprint in sorted(set(new) - set(existing), key=lambda fp: _order_key(seed, fp)):
        film = films.get(fingerprint)
        if film is not None and film in film_sides:
            side = film_sides[film]
        elif fingerprint in trained_on:
            side = "train"
        else:
            side = choose_side(counts, validation_fraction, test_fraction)
        out[fingerprint] = side
        counts[side] += 1
        if film is not None:
            film_sides.setdefault(film, side)
    return out


def project_split(store, fingerprints: list[str], seed: int, validation_fraction: float, test_fraction: float,
                  trained_on: set[str] | frozenset = frozenset()) -> Split:
    """The stored sides of ``fingerprints``; those without one get a side now, stored in the project.

    Args:
        store: the project (``hhir.store.Store``).
        fingerprints: the videos about to be used (annotated, with features).
        trained_on: fingerprints that models in this project already trained on (kept on train).
    """
    stored = store.video_sides()
    existing = {fp: row.side for fp, row in stored.items()}
    film_sides = {row.film: row.side for row in stored.values() if row.film}
    new = assign(existing, [fp for fp in fingerprints if fp not in existing], seed, validation_fraction,
                 test_fraction, trained_on=trained_on, film_sides=film_sides)
    if new:
        store.assign_sides([(fp, side, None) for fp, side in new.items()], seed)
    sides = existing | new
    wanted = sorted(set(fingerprints))
    return Split(*(tuple(fp for fp in wanted if sides[fp] == side) for side in SIDES))


@dataclass(frozen=True)
class MoveReport:
    """What moving videos changed: their old sides, and the models whose figures they touch."""

    moved: tuple[tuple[str, str, str], ...]  # (fingerprint, from side, to side)
    models: tuple[tuple[str, str], ...]  # (model id, how its figures are affected)


def move_videos(store, fingerprints: list[str], side: str) -> MoveReport:
    """Move videos to ``side`` by hand and say which trained models' figures that invalidates.

    A model keeps the split it was trained with (``training.json``), so its own evaluation stays
    honest; what changes is how later models compare with it, and for a video moved *out of*
    train into validation or test, that every model trained on it (and any model warm-started from
    one) has seen it, so it will be left out of their held-out figures.

    Raises:
        StoreError: an unknown side.
    """
    from hhir.learn.split import read_split

    known = store.video_sides()
    # A video that never had a side gets the chosen one now (still a move by hand, recorded as such).
    store.assign_sides([(fp, side, None) for fp in fingerprints if fp not in known], seed=0)
    before = store.move_videos(fingerprints, side)
    moved = tuple((b.fingerprint, b.side, side) for b in before if b.side != side)
    affected = []
    for model in store.models():
        split = read_split(model.path) if model.path else None
        if split is None:
            continue
        notes = sorted({_effect(split.part(fp), new) for fp, _, new in moved} - {""})
        if notes:
            affected.append((model.id, "; ".join(notes)))
    return MoveReport(moved, tuple(affected))


def _effect(was: str | None, now: str) -> str:
    if was is None or was == now:
        return ""
    if was == "train":
        return f"trained on a video now in {now}: it is left out of this model's held-out figures"
    if now == "train":
        return f"its {was} figures used a video later models train on: do not compare them with later models'"
    return f"its {was} figures used a video now in {now}"


def group_film(store, fingerprints: list[str], film: str, seed: int = 0, validation_fraction: float = 0.2,
               test_fraction: float = 0.15) -> MoveReport:
    """Name ``film`` as the source of these videos' scenes and put them all on one side.

    The side is the film's (when another of its videos has one), else the side most of these videos
    already have (a tie goes to test, then validation: held out stays held out), else the seeded
    rule's next side. Videos that change side are
    moved as :func:`move_videos` moves them (and the report says what that invalidates).
    """
    stored = store.video_sides()
    film_side = next((row.side for row in stored.values() if row.film == film), None)
    if film_side is None:  # the side most of them have; a tie keeps them held out (test, then validation)
        have = [stored[fp].side for fp in fingerprints if fp in stored]
        film_side = max(SIDES[::-1], key=have.count) if have else None
    if film_side is None:
        counts = {side: 0 for side in SIDES}
        for row in stored.values():
            counts[row.side] += 1
        film_side = choose_side(counts, validation_fraction, test_fraction)
    store.assign_sides([(fp, film_side, film) for fp in fingerprints if fp not in stored], seed)
    changing = [fp for fp in fingerprints if fp in stored and stored[fp].side != film_side]
    report = move_videos(store, changing, film_side) if changing else MoveReport((), ())
    store.set_film(fingerprints, film)
    return report
