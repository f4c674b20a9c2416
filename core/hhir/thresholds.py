"""The one answer to "what is the decision threshold of label L now?".

Accept-suggestions, the review queue, the timeline, the label panel, the exports and the reports
all ask here, so they can never disagree. The rule, first match wins:

1. the active model's tuned threshold for the label (``thresholds`` in its bundle's manifest,
   tuned on reviewed clips when it was trained);
2. the user's setting for the label (``Settings.thresholds``), else ``Settings.default_threshold``;
3. :data:`DEFAULT_THRESHOLD`, the seed's decision threshold.

The zero-shot starter has no tuned thresholds, so with no trained model the settings decide.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from hhir.settings import DEFAULT_THRESHOLD, Settings, SettingsError, load

__all__ = ["DEFAULT_THRESHOLD", "label_threshold", "label_thresholds", "threshold_lookup", "tuned_thresholds"]

log = logging.getLogger(__name__)

_TRAINED_KINDS = ("trained", "imported")


def label_threshold(label: str, tuned: Mapping[str, float] | None = None,
                    settings: Settings | None = None) -> float:
    """The threshold of ``label`` given a model's tuned values and the user's settings (the rule above)."""
    if tuned and label in tuned:
        return float(tuned[label])
    if settings is not None:
        return float(settings.thresholds.get(label, settings.default_threshold))
    return DEFAULT_THRESHOLD


def tuned_thresholds(store: object) -> dict[str, float]:
    """The active trained or imported model's tuned thresholds by label; empty for the starter or when
    the bundle's manifest cannot be read (its own loading reports that, with the file named)."""
    active = store.active_model()  # type: ignore[attr-defined]
    if active is None or active.kind not in _TRAINED_KINDS or not active.path:
        return {}
    path = Path(active.path) / "manifest.json"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    return dict(_manifest_thresholds(str(path), stamp))


@lru_cache(maxsize=16)
def _manifest_thresholds(path: str, _stamp: int) -> tuple[tuple[str, float], ...]:
    # Only two fields are needed, read here by hand: this module sits below hhir.models in the
    # layers (settings and exports use it), so the bundle's own reader is out of reach. The full
    # manifest is validated when the bundle loads; bad values here only cost the tuned thresholds.
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        labels, values = data["labels"], data["thresholds"]
        pairs = tuple((str(n), float(t)) for n, t in zip(labels, values, strict=True))
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:  # RecursionError: nesting 200,000 deep
        log.warning("%s: no tuned thresholds (%s)", path, type(exc).__name__ if isinstance(exc, RecursionError) else exc)
        return ()
    return tuple((n, t) for n, t in pairs if 0.0 <= t <= 1.0)


def threshold_lookup(store: object, settings: Settings | None = None) -> Callable[[str], float]:
    """A function label → threshold for the project as it is now (reads the active model once)."""
    tuned = tuned_thresholds(store)
    chosen = settings if settings is not None else _user_settings()
    return lambda label: label_threshold(label, tuned, chosen)


def label_thresholds(store: object, labels: Sequence[str], settings: Settings | None = None) -> list[float]:
    """The thresholds of ``labels``, in order."""
    lookup = threshold_lookup(store, settings)
    return [lookup(label) for label in labels]


def _user_settings() -> Settings | None:
    try:
        return load()
    except SettingsError as exc:  # a broken settings file must not stop a review: defaults, said once
        log.warning("%s", exc)
        return None
