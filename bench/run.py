"""Speed benchmarks: our analysis beside the seed's per-clip pipeline and beside the decoding floor.

    python bench/run.py [--minutes 1 10 60] [--size 1280x720] [--video PATH] [--quick] [--video-encoder fp32|int8]
                        [--seed-video-encoder fp32|same]

The seed ran its ViViT in fp32, so the seed-style pipeline does too by default; a second seed-style
run with our ViViT precision gives the like-for-like ("same model") ratio.

Every measurement runs in its own process (``bench/job.py``), so memory figures start from the
same baseline; by default one after the other, so nothing of ours runs beside what is timed.
Generated inputs of 60 minutes or more get only the measurements that scale with length (probe,
shots, audio, the frame pass, the decode floor, memory): the models' cost per clip is already
known from the shorter inputs. Prints a table and writes ``bench/out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from inputs import SIZE, BenchVideo, describe, generated, parse_size, user_video  # noqa: E402
from report import render  # noqa: E402

OUT = BENCH / "out"
FULL_UP_TO_MIN = 30  # longer generated inputs get the scaling measurements only


def _env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(BENCH.parent),
            "QT_QPA_PLATFORM": "offscreen"}


def run_job(kind: str, video: Path, timeout: float) -> dict:
    """One ``job.py`` measurement; a failure is recorded (with its last error lines), not raised."""
    out = OUT / "jobs" / f"{kind}-{video.stem}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, str(BENCH / "job.py"), kind, str(video.absolute()), str(out)],
                              env=_env(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"took longer than {timeout:g} s"}
    if proc.returncode != 0 or not out.is_file():
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-3:]}
    data = json.loads(out.read_text())
    data["process_s"] = time.perf_counter() - start
    return data


def run_app(video: Path) -> dict:
    """Window open (a whole process, timed from outside) and the UI interactions."""
    import tempfile

    if not (BENCH.parent / "desktop" / "main_window.py").is_file():
        return {"error": "desktop/ not present"}
    with tempfile.TemporaryDirectory(prefix="hhir-app-") as tmp:
        env = {**_env(), "HHIR_CONFIG_DIR": f"{tmp}/config", "HHIR_DATA_DIR": f"{tmp}/data", "XDG_CONFIG_HOME": f"{tmp}/xdg"}
        results: dict = {"open_process_s": []}
        for i in range(3):
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, str(BENCH / "app_bench.py"), "open", f"{tmp}/open{i}.sqlite"],
                                  env=env, capture_output=True, text=True, timeout=120)
            if proc.returncode != 0:
                return {"error": proc.stderr.strip().splitlines()[-3:]}
            results["open_process_s"].append(time.perf_counter() - start)
            results["open_shown_after_s"] = json.loads(proc.stdout.strip().splitlines()[-1])["shown_after_s"]
        proc = subprocess.run([sys.executable, str(BENCH / "app_bench.py"), "ui", f"{tmp}/ui.sqlite", str(video.absolute())],
                              env=env, capture_output=True, text=True, timeout=3600)
        if proc.returncode != 0:
            return {**results, "error": proc.stderr.strip().splitlines()[-3:]}
        return {**results, **json.loads(proc.stdout.strip().splitlines()[-1])}


def run_train() -> dict:
    """The learning area's training benchmark, when it exists; it writes ``bench/out/train.json``."""
    script, report = BENCH / "bench_train.py", OUT / "train.json"
    if not script.is_file():
        return {"error": "bench/bench_train.py not present"}
    started_at, start = time.time(), time.perf_counter()
    proc = subprocess.run([sys.executable, str(script)], env=_env(), capture_output=True, text=True, timeout=3600)
    result: dict = {"process_s": time.perf_counter() - start, "returncode": proc.returncode}
    if report.is_file() and report.stat().st_mtime >= started_at:
        result["result"] = json.loads(report.read_text())
    else:
        result["error"] = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return result


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 10], help="generated inputs (default: 1 10)")
    parser.add_argument("--size", type=parse_size, default=SIZE, metavar="WxH",
                        help=f"size of the generated inputs (default {SIZE[0]}x{SIZE[1]})")
    parser.add_argument("--video", type=Path, action="append", default=[], help="also benchmark this video (repeatable)")
    parser.add_argument("--quick", action="store_true", help="1 minute only; no app, training or encoder sweep")
    parser.add_argument("--video-encoder", choices=["profile", "fp32", "int8"], default="profile",
                        help="ViViT precision of our pipeline (default: the offline profile's)")
    parser.add_argument("--seed-video-encoder", choices=["fp32", "same"], default="fp32",
                        help="ViViT precision of the seed-style pipeline (default fp32, as the seed ran it; "
                             "'same': ours)")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["seed", "seed-same", "app", "train", "inference", "int8"],
                        help="measurements to leave out")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds per measurement")
    parser.add_argument("--report-only", action="store_true", help="print the table of the last results.json and exit")
    parser.add_argument("--only", nargs="+", default=[], metavar="NAME",
                        help="rerun these measurements (e.g. inference, app, inputs.0.ours) with the same inputs and "
                             "replace them in the last results.json")
    parser.add_argument("--jobs", type=int, default=1,
                        help="measurements run at once (default 1; more: wall times include each other's load, "
                             "CPU seconds stay comparable)")
    return parser.parse_args(argv)


def _save(results: dict) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "results.json"
    path.write_text(json.dumps(results, indent=1, default=float))
    return path


def plan(args: argparse.Namespace, inputs: list[BenchVideo], results: dict) -> list[tuple[str, object]]:
    """Every measurement as (where its result goes, a function running it), longest first."""
    skip = set(args.skip) | ({"app", "train", "inference", "int8"} if args.quick else set())
    suffix = {"profile": "", "fp32": "-fp32", "int8": "-int8"}[args.video_encoder]
    ours_precision = "-" + results["video_encoder"]
    seed_suffix = ours_precision if args.seed_video_encoder == "same" else "-fp32"
    same_model = "seed" not in skip and "seed-same" not in skip and seed_suffix != ours_precision
    jobs: list[tuple[str, object]] = []
    for i, video in enumerate(inputs):
        results["inputs"].append({"input": describe(video)})
        if not (video.generated and video.minutes > FULL_UP_TO_MIN):
            if "seed" not in skip:
                jobs.append((f"inputs.{i}.seed", lambda v=video: run_job("seed" + seed_suffix, v.path, args.timeout)))
            if same_model:  # like for like: the seed's steps with our ViViT precision
                jobs.append((f"inputs.{i}.seed_same", lambda v=video: run_job("seed" + ours_precision, v.path, args.timeout)))
            jobs.append((f"inputs.{i}.ours", lambda v=video: run_job("ours" + suffix, v.path, args.timeout)))
            if suffix == "":  # the product path itself: stages overlapped as the app and CLI run them
                jobs.append((f"inputs.{i}.analyze", lambda v=video: run_job("analyze", v.path, args.timeout)))
        jobs.append((f"inputs.{i}.scaling", lambda v=video: run_job("scaling", v.path, args.timeout)))
    jobs.sort(key=lambda job: -inputs[int(job[0].split(".")[1])].minutes)
    first = inputs[0].path
    if "app" not in skip:
        jobs.insert(min(2, len(jobs)), ("app", lambda: run_app(generated(10, args.size).path)))  # 2,000 shots need 2,000 frames
    if "int8" not in skip:  # the other precision on the first input: before/after of quantising ViViT
        other = "ours-fp32" if results["video_encoder"] == "int8" else "ours-int8"
        jobs.append(("other_precision_first_input", lambda: run_job(other, first, args.timeout)))
    if "inference" not in skip:
        jobs.append(("inference", lambda: run_job("inference", first, args.timeout)))
    if "train" not in skip:
        jobs.append(("train", run_train))
    return jobs


def _precision(choice: str) -> str:
    if choice != "profile":
        return choice
    from hhir.models.profiles import get_profile

    return "int8" if get_profile("offline").video.quantize else "fp32"


def _store(results: dict, where: str, value: dict) -> None:
    parts = where.split(".")
    if parts[0] == "inputs":
        results["inputs"][int(parts[1])][parts[2]] = value
    else:
        results[where] = value


def main(argv: list[str] | None = None) -> int:
    from concurrent.futures import ThreadPoolExecutor, as_completed

    args = parse(argv)
    if args.report_only:
        print(render(json.loads((OUT / "results.json").read_text())))
        return 0
    minutes = [1.0] if args.quick else args.minutes
    inputs: list[BenchVideo] = [generated(m, args.size) for m in minutes] + [user_video(v) for v in args.video]
    results: dict = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
                     "video_encoder": _precision(args.video_encoder), "parallel_jobs": args.jobs,
                     "seed_video_encoder": "fp32" if args.seed_video_encoder == "fp32" else _precision(args.video_encoder),
                     "started": time.strftime("%Y-%m-%d %H:%M:%S"), "inputs": []}
    jobs = plan(args, inputs, results)
    if args.only:
        jobs = [job for job in jobs if job[0] in args.only]
        described = results["inputs"]
        results = json.loads((OUT / "results.json").read_text())
        results["inputs"] += described[len(results["inputs"]):]  # inputs added since (e.g. another --video)
        results.setdefault("reruns", []).append({"only": args.only, "at": time.strftime("%Y-%m-%d %H:%M:%S")})
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(fn): where for where, fn in jobs}
        for future in as_completed(futures):
            _store(results, futures[future], future.result())
            _save(results)
            print(f"done: {futures[future]}", file=sys.stderr, flush=True)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    path = _save(results)
    print(render(results))
    print(f"\nwritten: {path.relative_to(BENCH.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
