"""Characters across the film: the tracks of one person grouped by how they look.

Two tracks are compared by the cosine distance of their appearance vectors
(:mod:`hhir.people.descriptors`), mixed with that of their face patches where both show a face by
``FACE_WEIGHT`` (0 for now: the patch did not tell people apart on real footage). Two tracks on screen at the same time in the same shot are two
people, whatever they look like. Average-linkage clustering (scipy) cut at ``group_distance``
gives the groups; a group that still holds two tracks seen together is split. A grouping is a
suggestion: the store keeps it unconfirmed until a person confirms or names the character.
"""

from __future__ import annotations

import numpy as np

from hhir.people.descriptors import BODY_DIM, FACE_DIM
from hhir.people.records import CharacterGroup, Detection, PeopleOptions, Track

FACE_WEIGHT = 0.0  # share of the face patch's distance where both tracks show a face: none, it does not tell people apart (docs/people.md)
APART = 4.0  # the distance given to two tracks seen together: never one person


def _unit_mean(vectors: list[np.ndarray]) -> tuple[float, ...]:
    if not vectors:
        return ()
    mean = np.mean(vectors, axis=0)
    n = float(np.linalg.norm(mean))
    return tuple(float(v) for v in (mean / n if n > 0 else mean))


def track_descriptors(detections: list[Detection]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A track's body and face vectors: the unit mean of its detections' (face: where seen)."""
    body = [np.asarray(d.descriptor[:BODY_DIM], np.float32) for d in detections if len(d.descriptor) >= BODY_DIM]
    face = [np.asarray(d.descriptor[BODY_DIM:], np.float32) for d in detections if len(d.descriptor) == BODY_DIM + FACE_DIM]
    return _unit_mean(body), _unit_mean(face)


def _cosine(vectors: list[tuple[float, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise cosine distances of the non-empty vectors, and a mask of which pairs had both."""
    has = np.array([len(v) > 0 for v in vectors])
    dim = max((len(v) for v in vectors), default=0)
    m = np.array([v if len(v) else (0.0,) * dim for v in vectors], np.float32).reshape(len(vectors), dim)
    dist = 1.0 - m @ m.T if dim else np.ones((len(vectors), len(vectors)), np.float32)
    return np.clip(dist, 0.0, 2.0), has[:, None] & has[None, :]


def _together(tracks: list[Track]) -> np.ndarray:
    shot = np.array([t.shot_index for t in tracks])
    start = np.array([t.start_frame for t in tracks])
    end = np.array([t.end_frame for t in tracks])
    out: np.ndarray = (shot[:, None] == shot[None, :]) & (start[:, None] <= end[None, :]) & (start[None, :] <= end[:, None])
    return out


def distances(tracks: list[Track]) -> np.ndarray:
    """The ``(n, n)`` distances between tracks the grouping uses (``APART`` for tracks seen together)."""
    body, _ = _cosine([t.descriptor for t in tracks])
    face, both = _cosine([t.face_descriptor for t in tracks])
    dist = np.where(both, FACE_WEIGHT * face + (1 - FACE_WEIGHT) * body, body)
    together = _together(tracks)
    np.fill_diagonal(together, False)
    dist[together] = APART
    np.fill_diagonal(dist, 0.0)
    return dist


def group_tracks(tracks: list[Track], group_distance: float | None = None) -> list[CharacterGroup]:
    """Suggested characters: groups of track indices, largest (most frames) first; ``group_distance``
    defaults to the people stage's (:class:`PeopleOptions`)."""
    if not tracks:
        return []
    if len(tracks) == 1:
        return [CharacterGroup((0,), FACE_WEIGHT > 0 and bool(tracks[0].face_descriptor))]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = distances(tracks)
    cut = PeopleOptions().group_distance if group_distance is None else group_distance
    labels = fcluster(linkage(squareform(dist, checks=False), method="average"), t=cut, criterion="distance")
    groups: list[list[int]] = []
    for label in np.unique(labels):
        groups.extend(_apart(list(np.flatnonzero(labels == label)), dist))
    frames = [sum(len(tracks[i].boxes) for i in g) for g in groups]
    ordered = [g for _, g in sorted(zip(frames, groups), key=lambda p: (-p[0], p[1][0]))]
    return [CharacterGroup(tuple(int(i) for i in g), FACE_WEIGHT > 0 and all(tracks[i].face_descriptor for i in g)) for g in ordered]


def _apart(members: list[int], dist: np.ndarray) -> list[list[int]]:
    """Split a group so that no two of its tracks were seen together: each track joins the nearest
    subgroup it does not clash with."""
    out: list[list[int]] = []
    for i in members:
        fits = [g for g in out if all(dist[i, j] < APART for j in g)]
        if fits:
            min(fits, key=lambda g: float(np.mean(dist[i, g]))).append(i)
        else:
            out.append([i])
    return out
