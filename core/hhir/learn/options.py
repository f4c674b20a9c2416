"""Typed settings and progress records of a training run."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from hhir.learn.metrics import Metrics
from hhir.thresholds import DEFAULT_THRESHOLD


FRESH_HIDDEN_DIM = 128
"""Hidden size of a model trained from scratch. The seed's 512 has 48 M parameters and needs hours
per 2,000 clips on a 2-core CPU; 128 trains in minutes (see bench/bench_train.py), and a model that
continues from a 512-wide parent (an imported seed checkpoint) keeps 512."""


@dataclass(frozen=True)
class TrainOptions:
    """Hyper-parameters and data choices. The defaults are the seed paper's recipe.

    Attributes:
        epochs: A safety cap on epochs, not a budget: training stops when the validation loss has not
            improved for ``patience`` epochs. (A 30-epoch budget stopped a 26-video project with its
            validation loss still falling and every clip score between 0.41 and 0.59.)
        lr: AdamW learning rate.
        weight_decay: AdamW weight decay.
        batch_size: Samples per optimiser step (32: on a CPU a step's cost hardly grows with the
            batch, so larger batches make an epoch several times faster).
        threshold: Decision threshold for the fixed-threshold metrics.
        patience: Epochs without a better validation loss before stopping.
        plateau_patience: Epochs without improvement before ReduceLROnPlateau lowers the rate.
        plateau_factor: Factor ReduceLROnPlateau multiplies the rate by.
        seed: Seeds initialisation, shuffling, dropout and the split.
        validation_fraction: Share of annotated videos held out for early stopping and thresholds.
        test_fraction: Share held out for ``evaluate`` (only taken once there are 3+ videos).
        clip_samples: Also train on each annotated clip alone (a one-clip sequence), which is how
            clip scores are predicted; scenes are always samples.
        hidden_dim: LSTM hidden size. None: the parent model's when training continues from one
            (so its weights carry over), else :data:`FRESH_HIDDEN_DIM`. num_heads, num_layers,
            dropout: as in the seed's classifier.
        threads: torch threads while training. 1 by default: with these small per-sample matrices a
            second thread gains little, and when the CPU is shared (the app's UI, other jobs)
            torch's waiting threads cost up to 10x the time (measured: 0.10 s vs 1.6 s CPU per
            step on a loaded 2-core machine).
        annotator: Learn from this annotator only; None = all (majority vote, ties left out).
        profile: Analysis profile whose encoders' cached features are used when no trained model is active.
    """

    epochs: int = 300
    lr: float = 3e-5
    weight_decay: float = 1e-4
    batch_size: int = 32
    threshold: float = DEFAULT_THRESHOLD
    patience: int = 5
    plateau_patience: int = 2
    plateau_factor: float = 0.5
    seed: int = 42
    validation_fraction: float = 0.2
    test_fraction: float = 0.15
    clip_samples: bool = True
    hidden_dim: int | None = None
    num_heads: int = 8
    num_layers: int = 2
    dropout: float = 0.3
    threads: int = 1
    annotator: str | None = None
    profile: str = "offline"

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError("epochs and batch_size must be >= 1 and lr > 0")
        if not 0 <= self.validation_fraction < 1 or not 0 <= self.test_fraction < 1:
            raise ValueError("validation_fraction and test_fraction must lie in [0, 1)")
        if self.hidden_dim is not None and (2 * self.hidden_dim) % self.num_heads:
            raise ValueError(f"2 * hidden_dim ({2 * self.hidden_dim}) must be divisible by num_heads ({self.num_heads})")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class TrainingEpoch:
    """One finished epoch, for live curves: losses and validation metrics at the fixed threshold.

    ``validation_loss`` and ``validation`` are None when there is no validation data (then early
    stopping watches the training loss).
    """

    epoch: int
    epochs: int
    train_loss: float
    validation_loss: float | None
    validation: Metrics | None
    lr: float
    seconds: float
    best: bool
