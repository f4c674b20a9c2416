"""What Whisper's word times cost. ``python bench/word_times_bench.py [MEDIA...] [--repeats N]``.

:mod:`hhir.speech.asr` asks faster-whisper for word times (``word_timestamps=True``) so that
analysis can cut a transcript segment where the voice changes. This runs the offline speech model
(one CPU thread, so CPU time is steady on a loaded machine) on each recording with and without
word times, alternating, ``--repeats`` times, and prints one JSON object: per recording, its
length and the CPU and wall-clock seconds of each run. By default: the 30 s two-speaker call in
``tests/fixtures/voices`` and ``sophie-7.webm`` from the development set (``HHIR_DEVSET``) if present.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("media", nargs="*", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "core")]
    from hhir.media.audio import extract_audio
    from hhir.speech.asr import SAMPLE_RATE, Transcriber, default_offline_model

    media = list(args.media)
    if not media:
        devset = Path(os.environ.get("HHIR_DEVSET", Path.home() / ".cache" / "hhir-devset"))
        media = [ROOT / "tests" / "fixtures" / "voices" / "sample.wav"]
        media += [p for p in [devset / "sophie-7.webm"] if p.exists()]
    model = Transcriber(default_offline_model(), cpu_threads=1)._load()
    report: dict[str, object] = {"load_average": os.getloadavg(), "repeats": args.repeats, "recordings": {}}
    for path in media:
        audio = extract_audio(path)
        runs: dict[str, list[dict[str, float]]] = {"plain": [], "words": []}
        for _ in range(args.repeats):
            for mode in runs:
                cpu, wall = time.process_time(), time.perf_counter()
                segments = list(model.transcribe(audio, beam_size=5, vad_filter=True, condition_on_previous_text=False,
                                                 word_timestamps=mode == "words")[0])
                runs[mode].append({"cpu_s": round(time.process_time() - cpu, 3),
                                   "wall_s": round(time.perf_counter() - wall, 3), "segments": len(segments)})
        cpu_mean = {mode: sum(r["cpu_s"] for r in rs) / len(rs) for mode, rs in runs.items()}
        report["recordings"][path.name] = {  # type: ignore[index]
            "audio_s": round(audio.size / SAMPLE_RATE, 1), "runs": runs,
            "cpu_s_mean": {k: round(v, 3) for k, v in cpu_mean.items()},
            "words_extra_cpu": round(cpu_mean["words"] / cpu_mean["plain"] - 1, 3)}
    report["load_average_after"] = os.getloadavg()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
