"""What finding people costs: ``python bench/people_cost.py VIDEO [SAMPLES_PER_S] [TILES]``.

Runs the people stage's library part (decode, detect on sampled frames, track per shot, group into
characters) on ``VIDEO`` with its detected shots, and prints one JSON object: wall and CPU seconds,
their ratio to the video's duration (real time), sampled frames, tracks, characters, and the
process's peak resident memory before and after (MiB). Shot detection is not counted (analysis
does it anyway). Run it on a machine as loaded as you want to know about, and say so next to the figures.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent / "core")]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(video: str, samples_per_s: float = 2.0, tiles: int = 1) -> None:
    from hhir.media.probe import probe
    from hhir.people.records import PeopleOptions
    from hhir.people.video import find_people
    from hhir.segment.shots import detect_shots

    info = probe(video)
    shots = detect_shots(video, info)
    before = _peak_mib()
    wall, cpu = time.perf_counter(), time.process_time()
    result = find_people(video, shots, info.fps, PeopleOptions(samples_per_s=samples_per_s, tiles=tiles))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({
        "video_s": round(info.duration_s, 2), "size": f"{info.width}x{info.height}", "shots": len(shots),
        "samples_per_s": samples_per_s, "tiles": tiles, "sampled_frames": result.sampled_frames,
        "tracks": len(result.tracks), "characters": len(result.characters),
        "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
        "wall_x_realtime": round(wall / info.duration_s, 3), "cpu_x_realtime": round(cpu / info.duration_s, 3),
        "peak_rss_mib_before": round(before), "peak_rss_mib_after": round(_peak_mib()),
    }))


if __name__ == "__main__":
    main(sys.argv[1], *(float(sys.argv[2]),) if len(sys.argv) > 2 else (), *(int(sys.argv[3]),) if len(sys.argv) > 3 else ())
