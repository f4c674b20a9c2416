"""Who speaks when: voice activity, speaker turns, one voice per speaker over the film, and the face
that moves its mouth while a voice speaks.

The pieces, all offline and license-clean for an installer:

* Voice activity: the Silero VAD ONNX model that faster-whisper ships (MIT), run by faster-whisper's
  own :func:`faster_whisper.vad.get_speech_timestamps`. The same model as the ``silero-vad`` wheel,
  already installed for transcription, so no new dependency.
* Speaker embeddings: Resemblyzer's GE2E voice encoder (Apache-2.0): a 3-layer LSTM(40 → 256) and a
  linear layer on 40-band mel power frames, 256-d, L2-normed. Its weights are vendored as
  ``resources/voices/voice_encoder.safetensors`` (converted from the wheel's ``pretrained.pt`` by
  :func:`vendor_encoder`, see ``resources/voices/README.md``), so nothing is unpickled at run time
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
import logging
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from hhir.errors import ModelError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
N_MELS = 40
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
PARTIAL_FRAMES = 160  # 1.6 s: the utterance length the encoder was trained on
EMBEDDING_DIM = 256
ENCODER_RESOURCE = ("voices", "voice_encoder.safetensors")
RESEMBLYZER_PT_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
"""``resemblyzer/pretrained.pt`` in ``Resemblyzer-0.1.4-py3-none-any.whl``: the file vendored."""
_INT16_MAX = 2**15 - 1
_TARGET_DBFS = -30.0


# --- Front end: Resemblyzer's mel power frames --------------------------------------------------
# librosa computes these in Resemblyzer; we keep 30 lines of numpy instead of librosa, numba and
# llvmlite (about 100 MB in an installer). tests/core/test_people_voices.py checks the whole
# embedding against Resemblyzer's own code's output on a real recording.


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
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
    return (weights * (2.0 / (edges[2:] - edges[:-2]))[:, None]).astype(np.float32)


_MEL_BASIS = _slaney_filterbank()
_WINDOW = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann


def mel_frames(audio: np.ndarray) -> np.ndarray:
    """Mel power (not log) frames, ``(1 + len(audio) // HOP, N_MELS)`` float32: a centred STFT with
    zero padding, 25 ms periodic Hann windows every 10 ms, power 2, 40 Slaney mel bands."""
    x = np.pad(np.asarray(audio, dtype=np.float32).reshape(-1), N_FFT // 2)
    frames = np.lib.stride_tricks.sliding_window_view(x, N_FFT)[::HOP]
    power = np.abs(np.fft.rfft(frames * _WINDOW, axis=1)).astype(np.float32) ** 2
    return power @ _MEL_BASIS.T


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
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            data = wheel.read("resemblyzer/pretrained.pt")
    else:
        data = source.read_bytes()
    if hashlib.sha256(data).hexdigest() != RESEMBLYZER_PT_SHA256:
        raise ModelError(f"{source}: not Resemblyzer 0.1.4's pretrained.pt (checksum differs)")
    state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)["model_state"]
    tensors = {key: state[key].contiguous().float() for key in _ENCODER_KEYS}
    out = Path(out_dir) / ENCODER_RESOURCE[1]
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
        threads: torch intra-op threads while embedding (0: leave torch's setting).
    """

    def __init__(self, weights: Path | None = None, threads: int = 0) -> None:
        self.weights = Path(weights) if weights is not None else None
        self.threads = threads
        self._net = None

    def _load(self):
        if self._net is None:
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
        previous = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)
        try:
            with torch.inference_mode():
                _, (hidden, _) = net["lstm"](torch.from_numpy(np.ascontiguousarray(mels, np.float32)))
                raw = torch.relu(net["linear"](hidden[-1]))
                out = raw / torch.linalg.vector_norm(raw, dim=1, keepdim=True).clamp_min(1e-12)
        finally:
            torch.set_num_threads(previous)
        return out.numpy()

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
        return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
