"""The training loop over feature arrays: masked BCE, AdamW, plateau schedule, early stopping.

A sample is one sequence of clip features (a scene, or one clip alone) with its target labels and a
mask of which labels are known; unknown (unreviewed) labels contribute nothing to the loss.
Everything random (initialisation, shuffling, dropout) runs from ``options.seed`` inside a forked
RNG, so the same data and seed give the same weights and metrics, and the caller's RNG is untouched.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from hhir.jobs import CancelToken, ProgressFn, no_progress
from hhir.learn.metrics import Metrics, evaluate
from hhir.learn.options import TrainingEpoch, TrainOptions


@dataclass(frozen=True)
class Sample:
    """One training sequence: ``(T, D)`` features per modality, ``(L,)`` targets and known mask."""

    video: np.ndarray
    text: np.ndarray
    audio: np.ndarray
    target: np.ndarray
    known: np.ndarray


@dataclass(frozen=True)
class FitResult:
    """The best weights (by validation loss, else training loss) and the epoch history."""

    state_dict: dict[str, Any]
    history: tuple[TrainingEpoch, ...]
    best_epoch: int
    pos_weight: tuple[float, ...]


def pos_weights(samples: list[Sample]) -> np.ndarray:
    """negatives / positives per label over known targets (1 where a label has no positive or negative)."""
    target = np.stack([s.target for s in samples]).astype(bool)
    known = np.stack([s.known for s in samples]).astype(bool)
    pos, neg = (target & known).sum(0), (~target & known).sum(0)
    weights = np.where((pos > 0) & (neg > 0), neg / np.maximum(pos, 1), 1.0)
    return np.clip(weights, 0.05, 50.0).astype(np.float32)


def collate(samples: list[Sample]) -> tuple[Any, ...]:
    """Zero-padded ``(B, T, D)`` tensors, the ``(B, T)`` prefix mask, targets and known mask."""
    import torch

    longest = max(len(s.video) for s in samples)

    def pad(name: str) -> Any:
        arrays = [getattr(s, name) for s in samples]
        out = np.zeros((len(arrays), longest, arrays[0].shape[1]), np.float32)
        for i, a in enumerate(arrays):
            out[i, : len(a)] = a
        return torch.from_numpy(out)

    mask = torch.zeros(len(samples), longest, dtype=torch.bool)
    for i, s in enumerate(samples):
        mask[i, : len(s.video)] = True
    target = torch.from_numpy(np.stack([s.target for s in samples]).astype(np.float32))
    known = torch.from_numpy(np.stack([s.known for s in samples]).astype(np.float32))
    return pad("video"), pad("text"), pad("audio"), mask, target, known


def _masked_loss(model: Any, batch: tuple[Any, ...], criterion: Any) -> tuple[Any, float]:
    video, text, audio, mask, target, known = batch
    raw = criterion(model(video, text, audio, mask), target) * known
    return raw.sum() / known.sum().clamp(min=1.0), float(known.sum())


def predict_samples(model: Any, samples: list[Sample], batch_size: int = 32) -> np.ndarray:
    """``(n, L)`` probabilities of ``samples`` (eval mode, no gradients)."""
    import torch

    model.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(samples), batch_size):
            video, text, audio, mask, _, _ = collate(samples[i:i + batch_size])
            out.append(torch.sigmoid(model(video, text, audio, mask)).numpy())
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def _mean_loss(model: Any, samples: list[Sample], criterion: Any, batch_size: int) -> float:
    import torch

    model.eval()
    total, weight = 0.0, 0.0
    with torch.inference_mode():
        for i in range(0, len(samples), batch_size):
            loss, n = _masked_loss(model, collate(samples[i:i + batch_size]), criterion)
            total, weight = total + float(loss) * n, weight + n
    return total / weight if weight else 0.0


def sample_metrics(model: Any, samples: list[Sample], labels: list[str], threshold: float | np.ndarray) -> Metrics:
    """Metrics of ``model`` on ``samples`` (unknown labels left out)."""
    scores = predict_samples(model, samples)
    return evaluate(np.stack([s.target for s in samples]), scores, labels, threshold,
                    known=np.stack([s.known for s in samples]))


def fit(model: Any, train: list[Sample], validation: list[Sample], labels: list[str], options: TrainOptions,
        progress: ProgressFn = no_progress, cancel: CancelToken | None = None,
        on_epoch: Callable[[TrainingEpoch], None] | None = None) -> FitResult:
    """Train ``model`` in place on ``train``; early-stop on ``validation`` loss (training loss if empty).

    Returns:
        The best epoch's weights (also loaded into ``model``) and the history.

    Raises:
        Cancelled: when ``cancel`` is set (checked after every batch); nothing is returned then.
    """
    import torch

    if not train:
        raise ValueError("no training samples")
    cancel = cancel or CancelToken()
    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, options.threads))
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(options.seed)
            return _fit(model, train, validation, labels, options, progress, cancel, on_epoch)
    finally:
        torch.set_num_threads(threads)


def _fit(model, train, validation, labels, options, progress, cancel, on_epoch) -> FitResult:
    import torch

    weights = pos_weights(train)
    criterion = torch.nn.BCEWithLogitsLoss(reduction="none", pos_weight=torch.from_numpy(weights))
    optimizer = torch.optim.AdamW(model.parameters(), lr=options.lr, weight_decay=options.weight_decay)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=options.plateau_factor,
                                                           patience=options.plateau_patience)
    order = torch.Generator().manual_seed(options.seed)
    history: list[TrainingEpoch] = []
    best_loss, best_state, best_epoch, stale = float("inf"), copy.deepcopy(model.state_dict()), 0, 0
    shown = _Fraction(progress, options.epochs, options.patience)
    for epoch in range(1, options.epochs + 1):
        started = time.perf_counter()
        train_loss = _train_epoch(model, train, criterion, optimizer, options.batch_size, order, cancel,
                                  lambda f, epoch=epoch, best=best_epoch: shown(epoch - 1 + f, best, f"Epoch {epoch}/{options.epochs}"))
        val_loss = _mean_loss(model, validation, criterion, options.batch_size) if validation else None
        watched = val_loss if val_loss is not None else train_loss
        scheduler.step(watched)
        improved = watched < best_loss - 1e-6
        if improved:
            best_loss, best_state, best_epoch, stale = watched, copy.deepcopy(model.state_dict()), epoch, 0
        else:
            stale += 1
        val_metrics = sample_metrics(model, validation, labels, options.threshold) if validation else None
        record = TrainingEpoch(epoch, options.epochs, train_loss, val_loss, val_metrics,
                               optimizer.param_groups[0]["lr"], time.perf_counter() - started, improved)
        history.append(record)
        shown(epoch, best_epoch, _describe(record))
        if on_epoch is not None:
            on_epoch(record)
        if stale >= options.patience:
            break
    model.load_state_dict(best_state)
    model.eval()
    return FitResult(best_state, tuple(history), best_epoch, tuple(float(w) for w in weights))


class _Fraction:
    """Progress of a run that ends by early stopping: the epoch cap is far away, so the fraction is
    measured against the epoch training stops at if the validation loss does not improve again
    (best epoch + patience, at most the cap). It never goes backwards when that horizon moves on."""

    def __init__(self, progress: ProgressFn, cap: int, patience: int) -> None:
        self.progress, self.cap, self.patience, self.shown = progress, cap, patience, 0.0

    def __call__(self, epochs_done: float, best_epoch: int, message: str) -> None:
        horizon = max(1, min(self.cap, best_epoch + self.patience))
        self.shown = max(self.shown, min(1.0, epochs_done / horizon))
        self.progress(self.shown, message)


def _train_epoch(model, samples, criterion, optimizer, batch_size, generator, cancel, report) -> float:
    import torch

    model.train()
    perm = torch.randperm(len(samples), generator=generator).tolist()
    total, weight = 0.0, 0.0
    for start in range(0, len(perm), batch_size):
        cancel.check()
        loss, n = _masked_loss(model, collate([samples[i] for i in perm[start:start + batch_size]]), criterion)
        if n:
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        total, weight = total + float(loss.detach()) * n, weight + n
        report(min(1.0, (start + batch_size) / len(perm)))
    return total / weight if weight else 0.0


def _describe(e: TrainingEpoch) -> str:
    text = f"Epoch {e.epoch}/{e.epochs}: loss {e.train_loss:.4f}"
    if e.validation_loss is not None:
        text += f", validation loss {e.validation_loss:.4f}"
    if e.validation is not None:
        text += f", macro F1 {e.validation.macro_f1:.3f}, micro F1 {e.validation.micro_f1:.3f}"
    return text


def run_with_torch_seed(factory: Callable[[], Any], seed: int) -> Any:
    """``factory()`` run with torch seeded by ``seed`` (the caller's RNG state is restored after)."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return factory()
