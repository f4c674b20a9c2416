"""Stage profile and paired ratios, measured from outside each process (CPU seconds and peak memory).

    python bench/stage_profile.py --video SCENE.webm [--minutes 10] [--size 640x360] [--repeats 2] [--skip-seed]

For every input:

- **stage profile**: ``bench/job.py ours`` (our stages one by one, see ``bench/ours.py``): CPU s and
  peak RSS per stage, per minute of film, with the decode floor measured in the same process;
- **paired runs**: ``hhir analyze`` into a fresh project (the product path, ``job.py analyze``) and
  the seed-style pipeline with the same models (``job.py seed``: the profile's ViViT precision),
  alternated ``--repeats`` times (seed first, then ours, then ours first...), so a neighbour's burst
  on a shared machine weighs on both sides alike; and
- **cached re-analysis**: ``hhir analyze`` a second time into the project of the first run, in a
  fresh process.

Each process is timed from outside with ``os.wait4``: user + system CPU seconds of the process and
of every child it waited for (ffmpeg), and its peak resident memory. On a machine shared with other
work, wall time measures the neighbours; CPU seconds and memory much less. The load average is read
before and after every run and printed beside every figure. Writes ``bench/out/stage_profile.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from inputs import BenchVideo, describe, generated, parse_size, user_video  # noqa: E402

OUT = BENCH / "out"


def _env(core: Path | None = None) -> dict[str, str]:
    core = core or BENCH.parent / "core"
    path = os.pathsep.join(str(p) for p in (BENCH.parent, core) if p.is_dir())
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": path,
            "QT_QPA_PLATFORM": "offscreen"}


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def measured(argv: list[str], timeout: float, env: dict[str, str] | None = None) -> dict:
    """Run ``argv`` and read its CPU seconds (itself and the children it waited for) and peak RSS."""
    load_before, start = _load(), time.perf_counter()
    proc = subprocess.Popen(argv, env=env or _env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            return {"error": f"took longer than {timeout:g} s", "load_before": load_before, "load_after": _load()}
        time.sleep(0.05)
    wall = time.perf_counter() - start
    out, err = proc.stdout.read().decode(errors="replace"), proc.stderr.read().decode(errors="replace")
    result = {"cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024.0, "wall_s": wall,
              "load_before": load_before, "load_after": _load(), "returncode": os.waitstatus_to_exitcode(status)}
    if result["returncode"] != 0:
        result["error"] = (err or out).strip().splitlines()[-3:]
    return result


def _job(kind: str, video: Path, timeout: float) -> dict:
    out = OUT / "jobs" / f"profile-{kind}-{video.stem}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    outside = measured([sys.executable, str(BENCH / "job.py"), kind, str(video.absolute()), str(out)], timeout)
    if out.is_file():
        outside["inside"] = json.loads(out.read_text())
    return outside


def _analyze(video: Path, db: Path, timeout: float, core: Path | None = None) -> dict:
    """``hhir analyze`` as an annotator runs it, in its own process, into the project file ``db``
    (with the library in ``core``: a baseline's ``core/`` folder, default this tree's)."""
    env = {**_env(core), "HHIR_CONFIG_DIR": str(db.parent / "config"), "HHIR_DATA_DIR": str(db.parent / "data")}
    return measured([sys.executable, "-m", "hhir", "analyze", "--db", str(db), str(video.absolute())], timeout, env)


def profile_input(video: BenchVideo, repeats: int, seed: bool, timeout: float, baseline: Path | None = None,
                  stages: bool = True) -> dict:
    row: dict = {"input": describe(video), "minutes": video.minutes}
    print(f"{video.label}: stage profile", file=sys.stderr, flush=True)
    row["stages"] = _job("ours", video.path, timeout) if stages else {}
    row["paired"] = []
    sides = (["seed"] if seed else []) + (["before"] if baseline else []) + ["ours"]
    with tempfile.TemporaryDirectory(prefix="hhir-profile-") as tmp:
        for i in range(repeats):
            pair: dict = {}
            for side in sides if i % 2 == 0 else sides[::-1]:
                print(f"{video.label}: run {i + 1}, {side}", file=sys.stderr, flush=True)
                if side == "seed":
                    pair["seed"] = _job("seed", video.path, timeout)
                else:
                    core = baseline if side == "before" else None
                    db = Path(tmp) / f"run{i}-{side}" / "project.sqlite"
                    db.parent.mkdir()
                    pair[side] = _analyze(video.path, db, timeout, core)
                    pair[f"{side}_cached"] = _analyze(video.path, db, timeout, core)
            row["paired"].append(pair)
    return row


def _per_min(value: float | None, minutes: float) -> str:
    return "–" if value is None or not minutes else f"{value / minutes:.2f}"


def render(results: dict) -> str:
    lines = []
    for row in results["inputs"]:
        minutes = row["minutes"]
        lines += [f"### {row['label']}", ""]
        staged = row["stages"]
        inside = staged.get("inside") or {}
        lines += [f"Stage profile (`job.py ours`, one process; load average {staged.get('load_before')} → "
                  f"{staged.get('load_after')}): whole process {staged.get('cpu_s', 0):.1f} CPU s, "
                  f"peak {staged.get('peak_rss_mb', 0):.0f} MiB", "",
                  "| stage | CPU s | CPU s per film minute | peak RSS MiB |", "|---|---:|---:|---:|"]
        for s in inside.get("stages", []):
            sub = s["name"].startswith("  ")
            name = ("↳ " if sub else "") + s["name"].strip()
            peak = "" if sub else f"{s['peak_rss_mb']:.0f}"
            lines.append(f"| {name} | {s['cpu_s']:.2f} | {_per_min(s['cpu_s'], minutes)} | {peak} |")
        floor = inside.get("floor") or {}
        if floor:
            lines.append(f"| *decode floor: decode only* | {floor['decode_cpu_s']:.2f} | "
                         f"{_per_min(floor['decode_cpu_s'], minutes)} | |")
            lines.append(f"| *decode floor: decode + 128×128* | {floor['analysis_res_cpu_s']:.2f} | "
                         f"{_per_min(floor['analysis_res_cpu_s'], minutes)} | |")
        lines += ["", "| run | side | CPU s | peak RSS MiB | wall s | load avg before → after |", "|---|---|---:|---:|---:|---|"]
        for i, pair in enumerate(row["paired"]):
            for side in ("seed", "before", "before_cached", "ours", "ours_cached"):
                m = pair.get(side)
                if not m:
                    continue
                if "error" in m:
                    lines.append(f"| {i + 1} | {side} | error: {m['error']} | | | |")
                    continue
                lines.append(f"| {i + 1} | {side} | {m['cpu_s']:.1f} | {m['peak_rss_mb']:.0f} | {m['wall_s']:.1f} | "
                             f"{m['load_before']} → {m['load_after']} |")
        ratios = [p["seed"]["cpu_s"] / p["ours"]["cpu_s"] for p in row["paired"]
                  if "cpu_s" in p.get("seed", {}) and "cpu_s" in p.get("ours", {})]
        if ratios:
            lines += ["", f"seed-style ÷ ours, CPU s, per pair: {', '.join(f'{r:.2f}×' for r in ratios)}"]
        for side in ("before", "before_cached"):
            after = side.replace("before", "ours")
            gains = [p[side]["cpu_s"] / p[after]["cpu_s"] for p in row["paired"]
                     if "cpu_s" in p.get(side, {}) and "cpu_s" in p.get(after, {})]
            if gains:
                lines.append(f"{side} ÷ {after}, CPU s, per pair: {', '.join(f'{r:.2f}×' for r in gains)}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, action="append", default=[], help="a real video (repeatable)")
    parser.add_argument("--minutes", type=float, nargs="*", default=[], help="generated films of these lengths")
    parser.add_argument("--size", type=parse_size, default=(640, 360), metavar="WxH", help="generated films' size")
    parser.add_argument("--repeats", type=int, default=2, help="paired runs per input (default 2)")
    parser.add_argument("--skip-seed", action="store_true", help="no seed-style runs")
    parser.add_argument("--skip-stages", action="store_true", help="no stage profile (the paired runs only)")
    parser.add_argument("--baseline", type=Path, metavar="CORE",
                        help="also run `hhir analyze` with the library in this core/ folder (e.g. an export of an "
                             "earlier commit), alternated with this tree's: before ÷ after in one run")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds per process")
    parser.add_argument("--report-only", action="store_true", help="print the last results file")
    parser.add_argument("--out", default="stage_profile.json", help="results file name under bench/out")
    args = parser.parse_args(argv)
    path = OUT / Path(args.out).name
    if args.report_only:
        print(render(json.loads(path.read_text())))
        return 0
    inputs = [user_video(v) for v in args.video] + [generated(m, args.size) for m in args.minutes]
    results: dict = {"cpus": os.cpu_count(), "started": time.strftime("%Y-%m-%d %H:%M:%S"), "inputs": []}
    for video in inputs:
        row = profile_input(video, args.repeats, not args.skip_seed, args.timeout, args.baseline, not args.skip_stages)
        row["label"] = video.label
        results["inputs"].append(row)
        OUT.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=1, default=float))
    print(render(results))
    print(f"\nwritten: {path.relative_to(BENCH.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
