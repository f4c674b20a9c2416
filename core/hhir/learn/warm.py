"""Starting a new model from its parent's weights, even when the label set grew.

Every parameter whose name and shape match is copied. The output layer is copied row by row for the
labels both models share, so a new label ("hugs") gets a freshly initialised output of its own while
everything the parent learned is kept.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def warm_start(model: Any, parent: Any, labels: list[str]) -> int:
    """Copy ``parent`` (a ModelBundle) weights into ``model``; returns how many tensors were copied.

    Nothing is copied when the encoders' sizes or the classifier's shape differ (a fresh start then).
    """
    import torch

    theirs = parent.classifier.state_dict()
    ours = model.state_dict()
    out_weight, out_bias = _output_keys(ours)
    rows = [(i, list(parent.labels).index(name)) for i, name in enumerate(labels) if name in parent.labels]
    copied = 0
    with torch.no_grad():
        for key, tensor in ours.items():
            if key in (out_weight, out_bias) and key in theirs and theirs[key].shape[1:] == tensor.shape[1:]:
                for mine, parents in rows:
                    tensor[mine] = theirs[key][parents]
                copied += 1
            elif key in theirs and theirs[key].shape == tensor.shape:
                tensor.copy_(theirs[key])
                copied += 1
    model.load_state_dict(ours)
    log.info("warm start from %s: %d of %d tensors", parent.id, copied, len(ours))
    return copied


def _output_keys(state: dict[str, Any]) -> tuple[str, str]:
    """The last Linear layer's weight and bias keys (the per-label outputs: registered last)."""
    weights = [k for k in state if k.endswith(".weight") and state[k].ndim == 2]
    last = weights[-1]
    return last, last[: -len("weight")] + "bias"
