"""File-safe names for videos and clips, and the deterministic train/test split by scene.

Scene names (one per video) are the video's file stem with everything except letters, digits,
``-`` and ``_`` replaced by ``_``; two videos with the same stem get ``_2``, ``_3``… in the
order of their database ids, so an export is reproducible.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from pathlib import PureWindowsPath

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def sanitize(name: str, fallback: str = "video") -> str:
    """A name safe as one folder or file name on every OS (no dots, slashes or spaces)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("_", ascii_name).strip("_-")[:80]
    if not cleaned or cleaned.lower() in _RESERVED:
        cleaned = f"{fallback}_{cleaned}" if cleaned else fallback
    return cleaned


def video_stem(path: str) -> str:
    """The file stem of a stored video path, whichever OS wrote it."""
    return PureWindowsPath(path).stem if "\\" in path else path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def scene_names(videos: list[tuple[int, str]]) -> dict[int, str]:
    """Unique sanitised scene names for ``(video id, path)`` pairs, in id order."""
    taken: set[str] = set()
    names: dict[int, str] = {}
    for video_id, path in sorted(videos):
        base = sanitize(video_stem(path))
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name.lower())
        names[video_id] = name
    return names


def assign_splits(keys: list[str], test_fraction: float) -> dict[str, str]:
    """Split scenes into ``train`` / ``test`` by a hash of their key (e.g. the fingerprint).

    The order is a hash, so the split does not depend on the order videos were added, and a
    scene never moves between splits while the set of scenes stays the same. With at least two
    scenes and a positive fraction, at least one scene goes to ``test``.
    """
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test fraction must be in [0, 1), got {test_fraction}")
    ordered = sorted(keys, key=lambda k: hashlib.sha256(k.encode()).hexdigest())
    n_test = math.floor(len(ordered) * test_fraction + 0.5)
    if test_fraction > 0 and len(ordered) >= 2:
        n_test = max(n_test, 1)
    return {key: ("test" if i < n_test else "train") for i, key in enumerate(ordered)}


def seed_scene_keys(names: dict[int, str]) -> dict[int, str]:
    """The seed layout's scene key (``<movie>-<part>``, no other ``-``) for each video's scene name.

    The seed's notebook groups clips into scenes by ``"-".join(file_name.split("-")[:2])``, so a
    clip file is ``<movie>-<part>-clip0003`` and neither part may hold a ``-``. A scene name that
    already reads ``<movie>-<part>`` (``SuperHero-2``) is kept; any other gets its ``-`` turned
    into ``_`` and the part ``1`` (``Super-Hero-2`` -> ``Super_Hero_2-1``). Keys that would clash
    get ``_2``, ``_3``… on the part, in video id order.
    """
    taken: set[str] = set()
    keys: dict[int, str] = {}
    for video_id, name in sorted(names.items()):
        movie, sep, part = name.partition("-")
        if not (sep and movie and part and "-" not in part):
            movie, part = name.replace("-", "_"), "1"
        key, n = f"{movie}-{part}", 1
        while key.lower() in taken:
            n += 1
            key = f"{movie}-{part}_{n}"
        taken.add(key.lower())
        keys[video_id] = key
    return keys


def clip_name(scene_key: str, clip_index: int) -> str:
    """The seed layout's clip file stem; unique across a split because the seed keys by it."""
    return f"{scene_key}-clip{clip_index:04d}"


def clip_window(clip_index: int) -> str:
    """The seed layout's ``<sub>`` folder: the clip window id."""
    return f"w{clip_index:04d}"


# ASCII digits, at most nine: int() refuses strings over 4300 digits and a clip index is never that large.
_CLIP_NAME = re.compile(r"^(?P<scene>[^-]+-[^-]+)-clip(?P<index>[0-9]{1,9})$")
_OLD_CLIP_NAME = re.compile(r"^(?P<scene>.+)_clip(?P<index>[0-9]{1,9})$")  # what earlier versions wrote


def parse_clip_name(name: str) -> tuple[str, int] | None:
    """Inverse of :func:`clip_name`: ``(scene key, clip index)`` (a path or extension around it is ignored)."""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem[: -len(".mp4")] if stem.lower().endswith(".mp4") else stem
    match = _CLIP_NAME.match(stem) or _OLD_CLIP_NAME.match(stem)
    return (match["scene"], int(match["index"])) if match else None
