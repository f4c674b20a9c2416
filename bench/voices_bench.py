"""Voices: speaker attribution and cost. ``python bench/voices_bench.py [--extra MEDIA RTTM]...
[--long-minutes N] [--out OUT.json]``.

Measures, in one run:

* on the real two-speaker call in ``tests/fixtures/voices`` (30 s, pyannote.audio's sample, with its
  reference RTTM and STM): diarization error rate (no collar, overlap scored) and its parts, the
  share of the reference's utterances and of Whisper's words given the right speaker;
* the distance threshold swept around the one shipped, on every recording measured;
* cost: seconds of processing per minute of audio for voice activity and for the whole of
  :func:`hhir.people.voices.speech_turns`, on the call repeated 4 times (2 minutes), as a ratio to
  real time, wall-clock and CPU time, measured in this run (the machine may be loaded: say so
  with the figures; CPU time is the steadier of the two there).

``--long-minutes N`` also runs on the call repeated to N minutes (cost, turns, peak memory).
``--extra`` adds a local recording with a reference RTTM of your own (never committed).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "voices"
THRESHOLDS = (0.26, 0.28, 0.30, 0.32, 0.34, 0.36, 0.38, 0.40)


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768


def read_rttm(path: Path) -> list[tuple[float, float, str]]:
    rows = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
    return [(float(r[3]), float(r[3]) + float(r[4]), r[7]) for r in rows]


def read_stm(path: Path) -> list[tuple[float, float, str]]:
    rows = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
    return [(float(r[3]), float(r[4]), r[2]) for r in rows]


def _mapped_accuracy(found: list[int | None], truth: list[str]) -> float:
    """Share right under the mapping of each found voice to the reference name it is most often."""
    mapping = {}
    for voice in {f for f in found if f is not None}:
        names = [t for f, t in zip(found, truth, strict=True) if f == voice]
        mapping[voice] = max(set(names), key=names.count)
    return sum(mapping.get(f) == t for f, t in zip(found, truth, strict=True)) / max(len(truth), 1)


def word_accuracy(audio: np.ndarray, turns, utterances) -> dict:
    """Whisper tiny.en's words (word timestamps on), each given a speaker; the truth is the STM
    utterance holding the word's middle."""
    from faster_whisper import WhisperModel

    from hhir.people.voices import speakers_of
    from hhir.speech.asr import default_offline_model
    from hhir.types import TranscriptSegment

    model = WhisperModel(default_offline_model(), device="cpu", compute_type="int8", cpu_threads=2)
    segments, _ = model.transcribe(audio, word_timestamps=True, vad_filter=True, condition_on_previous_text=False)
    words = [w for s in segments for w in (s.words or [])]
    spans, truth = [], []
    for w in words:
        mid = (w.start + w.end) / 2
        owner = [who for s, e, who in utterances if s <= mid <= e]
        if owner:
            spans.append(TranscriptSegment(float(w.start), float(w.end), w.word))
            truth.append(owner[0])
    found = speakers_of(spans, turns)
    return {"words": len(spans), "words_right": _mapped_accuracy(found, truth),
            "words_unattributed": sum(f is None for f in found)}


def attribution(name: str, audio: np.ndarray, reference, encoder) -> dict:
    from hhir.people import voices

    sweep = {}
    for threshold in THRESHOLDS:
        turns = voices.speech_turns(audio, encoder, threshold=threshold)
        scores = voices.diarization_error(reference, turns)
        sweep[f"{threshold:.2f}"] = {"der": round(scores["der"], 3), "voices": len({t.speaker for t in turns})}
    turns = voices.speech_turns(audio, encoder)
    scores = {k: round(v, 3) for k, v in voices.diarization_error(reference, turns).items()}
    return {"recording": name, "threshold": voices.SPEAKER_THRESHOLD, **scores,
            "voices_found": len({t.speaker for t in turns}), "reference_speakers": len({r[2] for r in reference}),
            "turns": len(turns), "sweep": sweep}, turns


def cost(audio: np.ndarray, encoder) -> dict:
    from hhir.people import voices

    long = np.tile(audio, 4)
    minutes = len(long) / 16000 / 60
    voices.speech_turns(audio[: 16000 * 5], encoder)  # load the models once, outside the timing
    started, cpu = time.perf_counter(), time.process_time()
    voices.voice_activity(long)
    vad_s, vad_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    voices.speech_turns(long, encoder)
    total_s, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"audio_minutes": round(minutes, 2),
            "vad_wall_s_per_audio_min": round(vad_s / minutes, 2), "vad_cpu_s_per_audio_min": round(vad_cpu / minutes, 2),
            "turns_wall_s_per_audio_min": round(total_s / minutes, 2),
            "turns_cpu_s_per_audio_min": round(total_cpu / minutes, 2),
            "wall_real_time_factor": round(total_s / (minutes * 60), 4),
            "cpu_real_time_factor": round(total_cpu / (minutes * 60), 4)}


def long_run(audio: np.ndarray, encoder, minutes: float) -> dict:
    """The call repeated to ``minutes``: cost and the process's peak memory above the audio itself."""
    import resource

    from hhir.people import voices

    long = np.tile(audio, int(np.ceil(minutes * 60 * 16000 / len(audio))))[: int(minutes * 60 * 16000)]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), time.process_time()
    turns = voices.speech_turns(long, encoder)
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"audio_minutes": minutes, "turns": len(turns), "voices": len({t.speaker for t in turns}),
            "cpu_s_per_audio_min": round(used / minutes, 2), "wall_s_per_audio_min": round(wall / minutes, 2),
            "peak_rss_mb_before": round(before), "peak_rss_mb_after": round(peak),
            "audio_mb": round(long.nbytes / 2**20)}


def espeak_dialogue() -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """Two espeak-ng voices alternating six sentences (the test's dialogue), with its reference."""
    import subprocess
    import tempfile
    from fractions import Fraction

    from scipy.signal import resample_poly

    lines = ["Where were you last night?", "I told you, I was at the station until late.",
             "That is not what your brother said.", "My brother says a lot of things.",
             "Then tell us where the car is.", "It is behind the old mill, by the river."]
    speakers = [("en-us+m3", "25"), ("en-gb+f4", "80")]
    parts, reference, t = [np.zeros(8000, np.float32)], [], 0.5
    for i, line in enumerate(lines):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "s.wav"
            subprocess.run(["espeak-ng", "-v", speakers[i % 2][0], "-p", speakers[i % 2][1], "-s", "150",
                            "-w", str(path), "--stdin"], input=line.encode(), check=True, capture_output=True)
            with wave.open(str(path)) as w:
                rate = w.getframerate()
                x = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768
        ratio = Fraction(16000, rate)
        x = resample_poly(x, ratio.numerator, ratio.denominator).astype(np.float32)
        x = x / np.abs(x).max() * 0.5
        reference.append((t, t + len(x) / 16000, f"voice{i % 2}"))
        parts += [x, np.zeros(8000, np.float32)]
        t += len(x) / 16000 + 0.5
    track = np.concatenate(parts)
    return track + np.random.default_rng(0).normal(0, 0.003, len(track)).astype(np.float32), reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", nargs=2, action="append", default=[], metavar=("MEDIA", "RTTM"))
    parser.add_argument("--out")
    parser.add_argument("--long-minutes", type=float, default=0.0, help="also run on the call repeated to this length")
    args = parser.parse_args()
    from hhir.people import voices

    encoder = voices.VoiceEncoder(ROOT / "resources" / "models" / "voices" / "voice_encoder.safetensors")
    call = read_wav(FIXTURES / "sample.wav")
    result, turns = attribution("pyannote sample.wav (real phone call, 30 s, 2 speakers)", call,
                                read_rttm(FIXTURES / "sample.rttm"), encoder)
    utterances = read_stm(FIXTURES / "sample.stm")
    from hhir.types import TranscriptSegment

    found = voices.speakers_of([TranscriptSegment(s, e, "") for s, e, _ in utterances], turns)
    result["utterances"] = len(utterances)
    result["utterances_right"] = round(_mapped_accuracy(found, [who for _, _, who in utterances]), 3)
    result.update(word_accuracy(call, turns, utterances))
    report = {"recordings": [result, attribution("two espeak-ng voices, 6 sentences", *espeak_dialogue(), encoder)[0]],
              "cost": cost(call, encoder)}
    for media, rttm in args.extra:
        from hhir.media.audio import extract_audio

        report["recordings"].append(attribution(Path(media).name, extract_audio(media), read_rttm(Path(rttm)), encoder)[0])
    if args.long_minutes:
        report["long"] = long_run(call, encoder, args.long_minutes)
    text = json.dumps(report, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "core")]
    main()
