"""Typed settings and progress records of a training run."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from core.learn.metrics import Metrics


@dataclass(frozen=True)
class TrainOptions:
    """Hyper-parameters and data choices. The defaults are the seed paper's recipe.

    Attributes:
        epochs: Upper bound on epochs (early stopping usually ends sooner).
        lr: AdamW learning rate.
        weight_decay: AdamW weight decay.
        batch_size: Samples per optimiser step.
        threshold: Decision threshold for the fixed-threshold metrics.
        patience: Epochs without a better validation loss before stopping.
        plateau_patience: Epochs without improvement before ReduceLROnPlateau lowers the rate.
        plateau_factor: Factor ReduceLROnPlateau multiplies the rate by.
        seed: Seeds initialisation, shuffling, dropout and the split.
        validation_fraction: Share of annotated videos held out for early stopping and thresholds.
        test_fraction: Share held out for ``evaluate`` (only taken once there are 3+ videos).
        clip_samples: Also train on each annotated clip alone (a one-clip sequence), which is how
            clip scores are predicted; scenes are always samples.
        hidden_dim: LSTM hidden size; num_heads, num_layers, dropout: as in the classifier.
        annotator: Learn from this annotator only; None = all (majority vote, ties left out).
        profile: Analysis profile whose encoders' cached features are used when no trained model is active.
    """

    epochs: int = 30
    lr: float = 3e-5
    weight_decay: float = 1e-4
    batch_size: int = 8
    threshold: float = 0.6
    patience: int = 5
    plateau_patience: int = 2
    plateau_factor: float = 0.5
    seed: int = 42
    validation_fraction: float = 0.2
    test_fraction: float = 0.15
    clip_samples: bool = True
    hidden_dim: int = 512
    num_heads: int = 8
    num_layers: int = 2
    dropout: float = 0.3
    annotator: str | None = None
    profile: str = "offline"

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError("epochs and batch_size must be >= 1 and lr > 0")
        if not 0 <= self.validation_fraction < 1 or not 0 <= self.test_fraction < 1:
            raise ValueError("validation_fraction and test_fraction must lie in [0, 1)")
        if (2 * self.hidden_dim) % self.num_heads:
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
