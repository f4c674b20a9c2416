"""Corpus throughput on a local Ray: the same short films with 1 and 2 analysis workers, and the
cost of a worker SIGKILLed mid-video. ``python bench/cluster_throughput.py [N_FILMS] [OUT.json]``.

Films are silent 3-shot 160x120 clips (2.4 s) so the run stays short; the figures to carry over
are the per-video cost in a warm worker, the one-off model load per worker, and the kill's extra
time. Prints one JSON object (and writes it to OUT.json when given).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent / "tests")]
COLOURS = ["green", "yellow", "magenta", "cyan", "white", "black", "orange", "purple"]


def films(folder: Path, count: int) -> list[Path]:
    from media_factory import make_video

    return [make_video(folder / f"film{i}.mp4", [(20, "red"), (20, "blue"), (20, COLOURS[i % len(COLOURS)])], audio=False)
            for i in range(count)]


def one_run(folder: Path, videos: list[Path], workers: int, kill: bool) -> dict:
    from hhir.cluster import analyze_corpus
    from hhir.store import Store

    db = folder / f"w{workers}{'-kill' if kill else ''}.sqlite"
    Store(db).close()
    killed: list[float] = []
    started = time.monotonic()

    def progress(states) -> None:
        for s in states:
            if kill and not killed and s.state == "running" and s.fraction > 0.3 and s.pid:
                os.kill(s.pid, signal.SIGKILL)
                killed.append(time.monotonic() - started)

    run = analyze_corpus(db, videos, workers=workers, progress=progress)
    done = [v for v in run.videos if v.state == "done"]
    warm = sorted(v.seconds for v in done)[: max(1, len(done) - workers)]  # without each worker's first (model load)
    return {
        "workers": workers, "killed": kill, "films": len(videos), "done": len(done), "wall_s": round(run.seconds, 2),
        "films_per_min": round(60 * len(done) / run.seconds, 2), "retried": sum(v.attempts > 1 for v in run.videos),
        "per_video_s": sorted(round(v.seconds, 2) for v in done), "per_video_cpu_s": sorted(round(v.cpu_seconds, 2) for v in done),
        "warm_video_s": round(sum(warm) / len(warm), 2), "kill_at_s": round(killed[0], 2) if killed else None,
    }


def main() -> None:
    import ray

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    folder = Path(tempfile.mkdtemp(prefix="hhir-cluster-bench-"))
    os.environ.setdefault("HHIR_DATA_DIR", str(folder / "data"))
    videos = films(folder, count)
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    runs = [one_run(folder, videos, 1, False), one_run(folder, videos, 2, False), one_run(folder, videos, 2, True)]
    ray.shutdown()
    out = {"cpus": os.cpu_count(), "runs": runs, "speedup_2_vs_1": round(runs[0]["wall_s"] / runs[1]["wall_s"], 2),
           "kill_cost_s": round(runs[2]["wall_s"] - runs[1]["wall_s"], 2)}
    text = json.dumps(out, indent=1)
    print(text)
    if len(sys.argv) > 2:
        Path(sys.argv[2]).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
