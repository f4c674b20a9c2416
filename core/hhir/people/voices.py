"""Who speaks when: voice activity, speaker turns, one voice per speaker over the film, and the face
that moves its mouth while a voice speaks.

The pieces, all offline and license-clean for an installer:

* Voice activity: the Silero VAD ONNX model that faster-whisper ships (MIT), run by faster-whisper's
  own :func:`faster_whisper.vad.get_speech_timestamps`. The same model as the ``silero-vad`` wheel,
  already installed for transcription, so no new dependency.
* Speaker embeddings: Resemblyzer's GE2E voice encoder (Apache-2.0): a 3-layer LSTM(40 → 256) and a
  linear layer on 40-band mel power frames, 256-d, L2-normed. Its weights are vendored as
  ``resources/models/voices/voice_encoder.safetensors`` (converted from the wheel's ``pretrained.pt`` by
  :func:`vendor_encoder`, see ``resources/models/voices/README.md``), so nothing is unpickled at run time
  and Resemblyzer's own dependencies (librosa, numba, webrtcvad) are not needed. The mel front end
  below reproduces ``librosa.feature.melspectrogram`` with Resemblyzer's settings in numpy.
* Turns: sliding 1.6 s windows inside each voiced stretch are embedded; a stretch is cut where the
  voices before and after a point differ; the turns are then clustered over the whole film
  (average-linkage agglomerative clustering on cosine distance, one distance threshold).
* The link to a face: the on-screen track whose mouth opens and closes with the voice's loudness
  during a turn (Pearson correlation), or None.

Audio is 16 kHz mono float32 with sample 0 at time 0 (:func:`hhir.media.audio.extract_audio`).
"""

from __future__ import annotations

import hashlib
import threading
import logging
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from hhir.errors import ModelError
from hhir.jobs import CancelToken, ProgressFn, no_progress

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
N_MELS = 40
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
PARTIAL_FRAMES = 160  # 1.6 s: the utterance length the encoder was trained on
EMBEDDING_DIM = 256
ENCODER_RESOURCE = ("models", "voices", "voice_encoder.safetensors")
RESEMBLYZER_PT_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
"""``resemblyzer/pretrained.pt`` in ``Resemblyzer-0.1.4-py3-none-any.whl``: the file vendored."""
_INT16_MAX = 2**15 - 1
_BATCH = 128  # windows through the LSTM at once: a long stretch of speech stays a few MB at a time
_TARGET_DBFS = -30.0


# --- Front end: Resemblyzer's mel power frames --------------------------------------------------
# librosa computes these in Resemblyzer; we keep 30 lines of numpy instead of librosa, numba and
# llvmlite (about 100 MB in an installer). tests/core/test_people_voices.py checks the whole
# embedding against Resemblyzer's own code's output on a real recording.


def _hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """Slaney's mel scale (linear below 1 kHz, logarithmic above), as librosa's default."""
    hz = np.asarray(hz, dtype=np.float64)
    mel = hz / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log_part, mel)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    hz = mel * (200.0 / 3)
    return np.where(mel >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0)), hz)


def _slaney_filterbank() -> np.ndarray:
    """``(N_MELS, N_FFT // 2 + 1)`` triangles from 0 Hz to 8 kHz, area-normalised ("slaney")."""
    freqs = np.linspace(0.0, SAMPLE_RATE / 2.0, N_FFT // 2 + 1)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2.0), N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - freqs[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.asarray(weights * (2.0 / (edges[2:] - edges[:-2]))[:, None], dtype=np.float32)


_MEL_BASIS = _slaney_filterbank()
_WINDOW = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann
_MEL_BLOCK = 6000


def mel_frames(audio: np.ndarray) -> np.ndarray:
    """Mel power (not log) frames, ``(1 + len(audio) // HOP, N_MELS)`` float32: a centred STFT with
    zero padding, 25 ms periodic Hann windows every 10 ms, power 2, 40 Slaney mel bands."""
    x = np.pad(np.asarray(audio, dtype=np.float32).reshape(-1), N_FFT // 2)
    frames = np.lib.stride_tricks.sliding_window_view(x, N_FFT)[::HOP]
    out = np.empty((len(frames), N_MELS), np.float32)
    for lo in range(0, len(frames), _MEL_BLOCK):  # a minute at a time: the STFT's float64 copies stay small
        block = frames[lo:lo + _MEL_BLOCK]
        power = np.abs(np.fft.rfft(block * _WINDOW, axis=1)).astype(np.float32) ** 2
        out[lo:lo + len(block)] = power @ _MEL_BASIS.T
    return out


def normalize_volume(audio: np.ndarray) -> np.ndarray:
    """Raise quiet audio to -30 dBFS RMS, never lower it (Resemblyzer's preprocessing): the encoder
    reads mel *power*, so its input level matters."""
    x = np.asarray(audio, dtype=np.float32)
    rms = float(np.sqrt(np.mean((x.astype(np.float64) * _INT16_MAX) ** 2))) if x.size else 0.0
    if rms <= 0.0:
        return x
    change_db = _TARGET_DBFS - 20.0 * np.log10(rms / _INT16_MAX)
    return x if change_db < 0 else x * np.float32(10.0 ** (change_db / 20.0))


def partial_slices(n_samples: int, rate: float = 1.3, min_coverage: float = 0.75) -> list[slice]:
    """Mel-frame ranges of the 1.6 s partial utterances that cover ``n_samples`` (Resemblyzer's
    ``compute_partial_slices``: ``rate`` partials a second, a last partial kept when at least
    ``min_coverage`` of it is audio, always at least one)."""
    n_frames = int(np.ceil((n_samples + 1) / HOP))
    step = int(np.round((SAMPLE_RATE / rate) / HOP))
    starts = range(0, max(1, n_frames - PARTIAL_FRAMES + step + 1), step)
    slices = [slice(s, s + PARTIAL_FRAMES) for s in starts]
    coverage = (n_samples - slices[-1].start * HOP) / (PARTIAL_FRAMES * HOP)
    if coverage < min_coverage and len(slices) > 1:
        slices.pop()
    return slices


# --- The voice encoder ------------------------------------------------------------------------

_ENCODER_KEYS = (
    *(f"lstm.{kind}_l{layer}" for layer in range(3)
      for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")),
    "linear.weight", "linear.bias",
)


def vendor_encoder(source: Path, out_dir: Path) -> Path:
    """Write the encoder's weights as safetensors from Resemblyzer's wheel (or its ``pretrained.pt``).

    Only the model tensors are kept (the checkpoint also holds the optimiser state, two thirds of
    its 17 MB). ``torch.load(weights_only=True)`` reads the pickle without running code in it, and
    the file must be the one whose SHA-256 is :data:`RESEMBLYZER_PT_SHA256`.

    Returns:
        The written ``voice_encoder.safetensors``.
    """
    import io

    import torch
    from safetensors.torch import save_file

    source = Path(source)
    try:
        if source.suffix == ".whl":
            with zipfile.ZipFile(source) as wheel:
                data = wheel.read("resemblyzer/pretrained.pt")
        else:
            data = source.read_bytes()
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{source}: cannot read Resemblyzer's pretrained.pt ({exc})") from exc
    if hashlib.sha256(data).hexdigest() != RESEMBLYZER_PT_SHA256:
        raise ModelError(f"{source}: not Resemblyzer 0.1.4's pretrained.pt (checksum differs)")
    state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)["model_state"]
    tensors = {key: state[key].contiguous().float() for key in _ENCODER_KEYS}
    out = Path(out_dir) / ENCODER_RESOURCE[-1]
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out), metadata={
        "source": "Resemblyzer 0.1.4 (resemble-ai), resemblyzer/pretrained.pt, model_state",
        "source_sha256": RESEMBLYZER_PT_SHA256, "license": "Apache-2.0"})
    return out


def _default_weights() -> Path:
    from hhir.appdirs import resource

    return resource(*ENCODER_RESOURCE)


class VoiceEncoder:
    """Resemblyzer's speaker encoder, loaded on first use from safetensors.

    Args:
        weights: The safetensors file; the vendored one by default.
        threads: torch intra-op threads while embedding (0: leave torch's setting). One by default:
            an LSTM over a few dozen windows gains little from a second thread, and on a loaded
            machine two threads measured six times the CPU time of one for the same batch.
    """

    def __init__(self, weights: Path | None = None, threads: int = 1) -> None:
        self.weights = Path(weights) if weights is not None else None
        self.threads = threads
        self._net: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            return self._net if self._net is not None else self._build()

    def _build(self) -> Any:
        import torch
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        path = self.weights or _default_weights()
        try:
            state = load_file(str(path))
        except (OSError, SafetensorError) as exc:
            raise ModelError(f"{path}: cannot read the voice encoder's weights ({exc})") from exc
        missing = [k for k in _ENCODER_KEYS if k not in state]
        if missing:
            raise ModelError(f"{path}: not a voice encoder (no {missing[0]})")
        net = torch.nn.ModuleDict({"lstm": torch.nn.LSTM(N_MELS, 256, 3, batch_first=True),
                                   "linear": torch.nn.Linear(256, EMBEDDING_DIM)})
        try:
            net.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            raise ModelError(f"{path}: the voice encoder's tensors do not fit ({exc})") from exc
        self._net = net.eval()
        return self._net

    def embed_partials(self, mels: np.ndarray) -> np.ndarray:
        """``(n, PARTIAL_FRAMES, N_MELS)`` mel frames → ``(n, 256)`` L2-normed embeddings (the
        LSTM's last hidden state of its top layer, linear, ReLU)."""
        import torch

        net = self._load()
        if len(mels) == 0:
            return np.zeros((0, EMBEDDING_DIM), np.float32)
        previous = torch.get_num_threads()  # a process-wide setting: put back as soon as done
        if self.threads:
            torch.set_num_threads(self.threads)
        out = np.empty((len(mels), EMBEDDING_DIM), np.float32)
        try:
            with torch.inference_mode():
                for lo in range(0, len(mels), _BATCH):
                    batch = torch.from_numpy(np.ascontiguousarray(mels[lo:lo + _BATCH], np.float32))
                    _, (hidden, _) = net["lstm"](batch)
                    raw = torch.relu(net["linear"](hidden[-1]))
                    out[lo:lo + len(batch)] = (raw / torch.linalg.vector_norm(raw, dim=1, keepdim=True).clamp_min(1e-12)).numpy()
        finally:
            torch.set_num_threads(previous)
        return out

    def embed_utterance(self, audio: np.ndarray, rate: float = 1.3, min_coverage: float = 0.75) -> np.ndarray:
        """One utterance's ``(256,)`` embedding: the normalised mean of its partials' embeddings
        (Resemblyzer's ``embed_utterance`` on audio already volume-normalised)."""
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        slices = partial_slices(len(audio), rate, min_coverage)
        needed = slices[-1].stop * HOP
        if needed >= len(audio):
            audio = np.pad(audio, (0, needed - len(audio)))
        mel = mel_frames(audio)
        partials = self.embed_partials(np.stack([mel[s] for s in slices]))
        mean = partials.mean(axis=0)
        return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12), dtype=np.float32)


# --- Voice activity -----------------------------------------------------------------------------

VAD_CHUNK_S = 600.0
"""Voice activity runs on 10-minute chunks: faster-whisper's VAD copies its whole input twice."""


def voice_activity(audio: np.ndarray, threshold: float = 0.5, min_silence_s: float = 0.25,
                   min_speech_s: float = 0.25, pad_s: float = 0.05) -> list[tuple[float, float]]:
    """Stretches of speech, ``(start_s, end_s)`` in order, from the Silero VAD model.

    Args:
        threshold: Speech probability above which a 32 ms window is speech.
        min_silence_s: A pause shorter than this does not end a stretch.
        min_speech_s: Stretches shorter than this are dropped.
        pad_s: Padding added on each side of a stretch.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    options = VadOptions(threshold=threshold, min_speech_duration_ms=int(min_speech_s * 1000),
                         min_silence_duration_ms=int(min_silence_s * 1000), speech_pad_ms=int(pad_s * 1000))
    chunk = int(VAD_CHUNK_S * SAMPLE_RATE)
    stretches: list[tuple[float, float]] = []
    for offset in range(0, len(audio), chunk):
        part = audio[offset:offset + chunk]
        if len(part) < 512:  # one VAD window; a sliver at the end holds no speech worth a turn
            break
        for s in get_speech_timestamps(part, options, sampling_rate=SAMPLE_RATE):
            start, end = (offset + s["start"]) / SAMPLE_RATE, (offset + s["end"]) / SAMPLE_RATE
            if stretches and start - stretches[-1][1] < min_silence_s:  # across a chunk boundary
                stretches[-1] = (stretches[-1][0], end)
            else:
                stretches.append((start, end))
    return stretches


# --- Speech turns -------------------------------------------------------------------------------

SPEAKER_THRESHOLD = 0.32
"""Average-linkage cosine distance under which two stretches of voice are one speaker (chosen on a
development recording: docs/people.md, "Voices")."""
WINDOW_STEP_S = 0.4  # a voice label every 0.4 s of speech, from the 1.6 s window centred there
SMOOTH_WINDOWS = 5  # labels are the majority over 5 steps (2 s): a turn is not shorter than ~1 s
RELIABLE_S = 1.0
MAX_CLUSTERED = 3000  # non-overlapping windows clustered pairwise at most (70 MB of distances)


@dataclass(frozen=True)
class VoiceTurn:
    """One speaker speaking without a break: ``speaker`` numbers the voices of the film from 0, in
    the order they first speak; ``embedding`` is the turn's 256-d unit-length voice vector;
    ``confidence`` its cosine similarity to the speaker's mean voice (1: typical of that voice).

    What the voice analysis finds; the store keeps it as :class:`hhir.types.SpeechTurn` (with the
    video, the speaking track and character where known), without the embedding."""

    start_s: float
    end_s: float
    speaker: int
    embedding: np.ndarray = field(compare=False, repr=False)
    confidence: float = 1.0


def _window_starts(n: int) -> np.ndarray:
    size, step = PARTIAL_FRAMES * HOP, int(WINDOW_STEP_S * SAMPLE_RATE)
    if n <= size:
        return np.zeros(1, int)
    starts = list(range(0, n - size + 1, step))
    if starts[-1] != n - size:
        starts.append(n - size)
    return np.asarray(starts)


def _embed_stretch(encoder: VoiceEncoder, audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres (samples, relative) of the 1.6 s windows over one stretch of speech, and their
    embeddings. A stretch shorter than a window is padded with silence, as Resemblyzer does."""
    size = PARTIAL_FRAMES * HOP
    n = len(audio)
    audio = normalize_volume(audio)
    starts = _window_starts(n)
    if n < size:
        audio = np.pad(audio, (0, size - n))
    mel = mel_frames(audio)
    batch = np.stack([mel[s // HOP:s // HOP + PARTIAL_FRAMES] for s in starts])
    centres = np.minimum(starts + size // 2, n // 2) if n < size else starts + size // 2
    return centres, encoder.embed_partials(batch)


def _cluster(windows: np.ndarray, threshold: float) -> np.ndarray:
    """One voice per cluster: average-linkage agglomerative clustering (cosine) of a subset of the
    windows that do not overlap (at most :data:`MAX_CLUSTERED`, evenly spread), every window then
    labelled with the nearest cluster's mean voice. Returns ``(n_voices, 256)`` unit means."""
    from scipy.cluster.hierarchy import fcluster, linkage

    stride = int(round(PARTIAL_FRAMES * HOP / (WINDOW_STEP_S * SAMPLE_RATE)))
    picked = windows[::stride]
    if len(picked) > MAX_CLUSTERED:
        picked = picked[np.linspace(0, len(picked) - 1, MAX_CLUSTERED).astype(int)]
    if len(picked) < 2:
        labels = np.zeros(len(picked), int)
    else:
        tree = linkage(picked.astype(np.float64), method="average", metric="cosine")
        labels = fcluster(tree, t=threshold, criterion="distance") - 1
    return _means(picked, labels)


def _means(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    means = np.stack([vectors[labels == k].mean(axis=0) for k in range(labels.max() + 1)])
    return np.asarray(means / np.linalg.norm(means, axis=1, keepdims=True), dtype=np.float32)


def _smooth(labels: np.ndarray, width: int) -> np.ndarray:
    """Majority label over ``width`` neighbouring steps (ties keep the label already there)."""
    if len(labels) < 3:
        return labels
    half = width // 2
    out = labels.copy()
    for i in range(len(labels)):
        around = labels[max(0, i - half):i + half + 1]
        counts = np.bincount(around)
        if counts.max() > counts[labels[i]]:
            out[i] = int(np.argmax(counts))
    return out


def speech_turns(audio: np.ndarray, encoder: VoiceEncoder | None = None,
                 threshold: float = SPEAKER_THRESHOLD, progress: ProgressFn = no_progress,
                 cancel: CancelToken | None = None) -> list[VoiceTurn]:
    """Who speaks when over a whole film: stretches of speech split where the voice changes, each
    turn with its voice embedding and a speaker number shared by every turn of the same voice.

    A voice label every 0.4 s of speech (the nearest of the voices clustered over the film, then
    the majority over 2 s); a turn is a run of one label inside one stretch of speech.

    Returns:
        Turns in time order; empty for silent or empty audio.
    """
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    encoder = encoder or VoiceEncoder()
    stretches = voice_activity(audio)
    per_stretch = []
    for k, (start_s, end_s) in enumerate(stretches):
        if cancel is not None:
            cancel.check()
        a, b = int(start_s * SAMPLE_RATE), int(end_s * SAMPLE_RATE)
        per_stretch.append(_embed_stretch(encoder, audio[a:b]))
        progress((k + 1) / len(stretches) * 0.95, "Finding voices")
    if not per_stretch:
        progress(1.0, "Finding voices")
        return []
    windows = np.concatenate([emb for _, emb in per_stretch])
    # A stretch shorter than a window is mostly padding: its voice joins a voice, never founds one.
    reliable = np.concatenate([np.full(len(emb), e - s >= RELIABLE_S)
                               for (s, e), (_, emb) in zip(stretches, per_stretch, strict=True)])
    centres = _cluster(windows[reliable] if reliable.any() else windows, threshold)
    turns = []
    for (start_s, end_s), (mids, emb) in zip(stretches, per_stretch, strict=True):
        labels = _smooth(np.argmax(emb @ centres.T, axis=1), SMOOTH_WINDOWS)
        edges = np.flatnonzero(np.diff(labels)) + 1
        for lo, hi in zip([0, *edges], [*edges, len(labels)], strict=True):
            t0 = start_s if lo == 0 else start_s + (mids[lo - 1] + mids[lo]) / 2 / SAMPLE_RATE
            t1 = end_s if hi == len(labels) else start_s + (mids[hi - 1] + mids[hi]) / 2 / SAMPLE_RATE
            vector = emb[lo:hi].mean(axis=0)
            vector /= max(float(np.linalg.norm(vector)), 1e-12)
            label = int(labels[lo])
            turns.append(VoiceTurn(float(t0), float(t1), label, vector, float(vector @ centres[label])))
    order = {old: new for new, old in enumerate(dict.fromkeys(t.speaker for t in turns))}
    progress(1.0, "Finding voices")
    return [replace(t, speaker=order[t.speaker]) for t in turns]


# --- Alignment to the transcript ----------------------------------------------------------------


class TimedSpan(Protocol):
    """Anything with a start and an end in seconds: a transcript segment, a word."""

    @property
    def start_s(self) -> float: ...

    @property
    def end_s(self) -> float: ...


class SpokenSpan(Protocol):
    """A turn as :func:`turn_indices` reads it: a voice over a time span (a :class:`VoiceTurn`, or
    a stored :class:`hhir.types.SpeechTurn`)."""

    @property
    def start_s(self) -> float: ...

    @property
    def end_s(self) -> float: ...

    @property
    def speaker(self) -> int: ...


def turn_indices(spans: Sequence[TimedSpan], turns: Sequence[SpokenSpan], tolerance_s: float = 0.3) -> list[int | None]:
    """The index in ``turns`` of each span's turn: of the voice whose turns overlap the span most,
    its turn overlapping most; else the nearest turn within ``tolerance_s`` (word times and voice
    activity disagree by a few tens of milliseconds); else None."""
    if not turns:
        return [None] * len(spans)
    starts = np.array([t.start_s for t in turns])
    ends = np.array([t.end_s for t in turns])
    result: list[int | None] = []
    for span in spans:
        overlap = np.minimum(ends, span.end_s) - np.maximum(starts, span.start_s)
        if overlap.max() > 0:
            totals: dict[int, float] = {}
            hits = [int(i) for i in np.flatnonzero(overlap > 0)]
            for i in hits:
                totals[turns[i].speaker] = totals.get(turns[i].speaker, 0.0) + float(overlap[i])
            voice = max(totals, key=totals.__getitem__)
            result.append(max((i for i in hits if turns[i].speaker == voice), key=lambda i: overlap[i]))
            continue
        gap = np.maximum(starts - span.end_s, span.start_s - ends)
        result.append(int(np.argmin(gap)) if gap.min() <= tolerance_s else None)
    return result


def speakers_of(spans: Sequence[TimedSpan], turns: Sequence[VoiceTurn], tolerance_s: float = 0.3) -> list[int | None]:
    """The speaker of each span (words or transcript segments): the voice whose turns overlap it
    most, else that of the nearest turn within ``tolerance_s``, else None (:func:`turn_indices`)."""
    return [turns[i].speaker if i is not None else None for i in turn_indices(spans, turns, tolerance_s)]


# --- Measuring attribution ----------------------------------------------------------------------


def diarization_error(reference: Sequence[tuple[float, float, str]], turns: Sequence[VoiceTurn],
                      step_s: float = 0.01) -> dict[str, float]:
    """Diarization error rate of ``turns`` against reference ``(start_s, end_s, speaker)`` turns,
    no collar, overlapping reference speech scored: missed, false alarm and confused speech as
    fractions of the reference's speech time, under the best one-to-one mapping of voices to
    reference speakers. Sampled every ``step_s``. (pyannote.metrics computes the same, but brings
    pyannote.core and its dependencies for twenty lines of counting.)"""
    from scipy.optimize import linear_sum_assignment

    end = max([e for _, e, _ in reference] + [t.end_s for t in turns] + [0.0])
    times = (np.arange(int(np.ceil(end / step_s))) + 0.5) * step_s
    names = sorted({name for _, _, name in reference})
    ref = np.zeros((len(names), len(times)), bool)
    for s, e, name in reference:
        ref[names.index(name), (times >= s) & (times < e)] = True
    n_hyp = max([t.speaker for t in turns] + [-1]) + 1
    hyp = np.zeros((n_hyp, len(times)), bool)
    for t in turns:
        hyp[t.speaker, (times >= t.start_s) & (times < t.end_s)] = True
    n_ref, n_sys = ref.sum(0), hyp.sum(0)
    together = ref.astype(np.int64) @ hyp.T.astype(np.int64)  # frames each pair speaks together
    rows, cols = linear_sum_assignment(-together) if together.size else ([], [])
    correct = int(together[rows, cols].sum())
    total = max(int(n_ref.sum()), 1)
    missed = int(np.maximum(n_ref - n_sys, 0).sum())
    false_alarm = int(np.maximum(n_sys - n_ref, 0).sum())
    confused = int(np.minimum(n_ref, n_sys).sum()) - correct
    return {"der": (missed + false_alarm + confused) / total, "missed": missed / total,
            "false_alarm": false_alarm / total, "confusion": confused / total,
            "speech_s": total * step_s}


# --- The face that speaks -----------------------------------------------------------------------

MIN_CORRELATION = 0.3
"""Pearson correlation of mouth opening with voice loudness below which no track is said to speak."""
MIN_FRAMES = 5


def voice_loudness(audio: np.ndarray, times_s: np.ndarray, window_s: float = 0.04) -> np.ndarray:
    """The voice's loudness in dB (RMS over ``window_s``) around each time."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    half = max(1, int(window_s * SAMPLE_RATE / 2))
    out = np.empty(len(times_s), np.float64)
    for i, t in enumerate(np.asarray(times_s, dtype=np.float64)):
        c = int(round(t * SAMPLE_RATE))
        part = audio[max(0, c - half):c + half].astype(np.float64)
        out[i] = 10.0 * np.log10(np.mean(part**2) + 1e-10) if part.size else -100.0
    return out


def speaking_tracks(turns: Sequence[TimedSpan], mouths: np.ndarray, audio: np.ndarray,
                    min_correlation: float = MIN_CORRELATION) -> list[int | None]:
    """The on-screen track speaking each turn, or None.

    Args:
        turns: Speech turns.
        mouths: ``(n, 3)`` rows of ``(frame_time_s, track_id, mouth_open_score)``, one per track
            and sampled frame where the track's face is visible.
        audio: The film's 16 kHz mono waveform.
        min_correlation: Below this correlation of a track's mouth opening with the voice's
            loudness over the turn, the track is not speaking.

    Returns:
        Per turn, the track whose mouth opens and closes most with the voice (Pearson correlation
        over the turn's frames; at least :data:`MIN_FRAMES` frames, covering half the turn's
        frames), or None where no track fits: off-screen speech, a still face, a turn too short.
    """
    mouths = np.asarray(mouths, dtype=np.float64).reshape(-1, 3)
    result: list[int | None] = []
    for turn in turns:
        rows = mouths[(mouths[:, 0] >= turn.start_s) & (mouths[:, 0] <= turn.end_s)]
        frames = np.unique(rows[:, 0])
        best, best_r = None, min_correlation
        for track in np.unique(rows[:, 1]):
            own = rows[rows[:, 1] == track]
            if len(own) < max(MIN_FRAMES, len(frames) / 2):
                continue
            loud = voice_loudness(audio, own[:, 0])
            if np.std(own[:, 2]) < 1e-6 or np.std(loud) < 1e-6:
                continue
            r = float(np.corrcoef(own[:, 2], loud)[0, 1])
            if r > best_r:
                best, best_r = int(track), r
        result.append(best)
    return result
