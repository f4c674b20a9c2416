"""The label set a new project starts with (``resources/labels/default.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from hhir.appdirs import resource
from hhir.errors import StoreError
from hhir.types import LabelDef


def default_labels_file() -> Path:
    """The label set every new project starts with."""
    return resource("labels", "default.json")


def load_label_file(path: Path) -> list[LabelDef]:
    """Read a label-set file: ``{"labels": [{"name", "description", "key"}, ...]}``.

    Raises:
        StoreError: naming the file, when it is missing or malformed.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: cannot read the label set ({exc})") from exc
    entries = data.get("labels") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise StoreError(f"{path}: expected an object with a non-empty 'labels' list")
    labels = []
    for i, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise StoreError(f"{path}: label {i + 1} has no name")
        labels.append(LabelDef(name=name, description=str(entry.get("description", "")), key=str(entry.get("key", ""))))
    return labels
