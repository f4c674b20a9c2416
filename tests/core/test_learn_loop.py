"""The training loop on generated feature arrays: it learns, masks unknowns, is reproducible, cancels."""

from __future__ import annotations

import numpy as np
import pytest

from hhir.jobs import Cancelled, CancelToken
from hhir.learn.loop import Sample, fit, pos_weights, sample_metrics, run_with_torch_seed
from hhir.learn.options import TrainingEpoch, TrainOptions

LABELS = ["a", "b", "c"]
DIMS = (12, 8, 6)
SMALL = dict(hidden_dim=8, num_heads=2, num_layers=1, dropout=0.0, batch_size=4, lr=1e-2)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models gain nothing from threads, and on a shared 2-core machine threads spin-wait."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def make_samples(n: int, seed: int, known_fraction: float = 1.0) -> list[Sample]:
    """Label j is present when the clip features carry direction j (plus noise)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        t = int(rng.integers(1, 5))
        target = (rng.random(len(LABELS)) < 0.4).astype(np.float32)
        feats = []
        for d in DIMS:
            x = rng.normal(0, 0.3, (t, d)).astype(np.float32)
            x[:, : len(LABELS)] += 2.0 * target
            feats.append(x)
        known = rng.random(len(LABELS)) < known_fraction
        out.append(Sample(*feats, target=target, known=known))
    return out


def make_model():
    from hhir.models.lstm import MultimodalLSTM

    return MultimodalLSTM(*DIMS, hidden_dim=8, num_labels=len(LABELS), num_heads=2, num_layers=1, dropout=0.0)


def run(train, val, options, **kw):
    model = run_with_torch_seed(make_model, options.seed)
    return model, fit(model, train, val, LABELS, options, **kw)


def test_small_set_is_fit_almost_perfectly() -> None:
    train = make_samples(24, 0)
    options = TrainOptions(epochs=40, patience=40, **SMALL)
    model, result = run(train, [], options)
    metrics = sample_metrics(model, train, LABELS, 0.6)
    assert metrics.macro_f1 >= 0.95, metrics
    assert result.history[-1].train_loss < result.history[0].train_loss / 3


def test_generalises_to_held_out_samples_and_reports_each_epoch() -> None:
    seen: list[TrainingEpoch] = []
    messages: list[str] = []
    options = TrainOptions(epochs=25, patience=25, **SMALL)
    model, result = run(make_samples(32, 1), make_samples(12, 2), options, on_epoch=seen.append,
                        progress=lambda f, m: messages.append(m))
    assert [e.epoch for e in seen] == list(range(1, len(seen) + 1)) and seen == list(result.history)
    assert all(e.validation is not None and e.validation_loss is not None for e in seen)
    assert seen[-1].validation.macro_f1 >= 0.8
    assert any("validation loss" in m for m in messages)
    assert result.best_epoch == min(seen, key=lambda e: e.validation_loss).epoch


def test_same_data_and_seed_give_identical_results_and_other_seed_differs() -> None:
    train, val = make_samples(16, 3), make_samples(6, 4)
    options = TrainOptions(epochs=5, **SMALL)
    _, first = run(train, val, options)
    _, second = run(train, val, options)
    _, other = run(train, val, TrainOptions(epochs=5, **{**SMALL, "seed": 7}))
    losses = lambda r: [(e.train_loss, e.validation_loss) for e in r.history]  # noqa: E731
    assert losses(first) == losses(second)
    assert [e.validation for e in first.history] == [e.validation for e in second.history]
    assert losses(first) != losses(other)


def test_unknown_labels_do_not_count_as_negatives() -> None:
    samples = make_samples(10, 5)
    masked = [Sample(s.video, s.text, s.audio, s.target, np.array([True, True, False])) for s in samples]
    weights = pos_weights(masked)
    assert weights[2] == 1.0  # no known entries: neutral weight
    # Flipping the unknown label's targets must not change training at all.
    flipped = [Sample(s.video, s.text, s.audio, np.r_[s.target[:2], 1 - s.target[2]], s.known) for s in masked]
    options = TrainOptions(epochs=3, **SMALL)
    _, a = run(masked, [], options)
    _, b = run(flipped, [], options)
    assert [e.train_loss for e in a.history] == [e.train_loss for e in b.history]


def test_early_stopping_ends_before_the_epoch_limit() -> None:
    # Validation labels are unrelated to the features, so validation loss soon stops improving.
    val = make_samples(8, 6)
    noise = [Sample(s.video, s.text, s.audio, 1 - s.target, s.known) for s in val]
    options = TrainOptions(epochs=60, patience=3, **SMALL)
    _, result = run(make_samples(16, 7), noise, options)
    assert len(result.history) < 60
    assert len(result.history) - result.best_epoch == 3


def test_cancel_stops_training() -> None:
    token = CancelToken()
    options = TrainOptions(epochs=50, **SMALL)

    def stop_after_two(epoch: TrainingEpoch) -> None:
        if epoch.epoch == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        run(make_samples(8, 8), [], options, cancel=token, on_epoch=stop_after_two)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError):
        TrainOptions(epochs=0)
    with pytest.raises(ValueError, match="divisible"):
        TrainOptions(hidden_dim=5, num_heads=4)


def test_progress_runs_to_the_early_stop_not_to_the_epoch_cap() -> None:
    from hhir.learn.loop import _Fraction

    seen: list[float] = []
    shown = _Fraction(lambda f, m: seen.append(f), cap=300, patience=5)
    best = 0
    for epoch, improved in enumerate([True] * 10 + [False, False, True] + [False] * 5, start=1):
        shown(epoch - 0.5, best, "mid-epoch")
        best = epoch if improved else best
        shown(epoch, best, "end of epoch")
    assert seen == sorted(seen) and seen[-1] == 1.0  # never backwards; full when training stops
    assert 0.6 < seen[19] < 0.8  # after 10 improving epochs: 10 of 15, not 10 of 300
    assert seen.count(1.0) == 1
