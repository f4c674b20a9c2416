"""The results of ``bench/run.py`` as Markdown tables (printed, and pasted into docs/performance.md)."""

from __future__ import annotations

UI_TARGET_MS = 50.0


def _f(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _stage_rows(job: dict, minutes: float) -> list[str]:
    rows = []
    for s in job.get("stages", []):
        per_min = s["seconds"] / minutes if minutes else None
        peak = "" if s["name"].startswith("  ") else _f(s["peak_rss_mb"], 0)
        rows.append(f"| {s['name'].strip() if not s['name'].startswith('  ') else '↳ ' + s['name'].strip()} | "
                    f"{_f(s['seconds'])} | {_f(s['cpu_s'])} | {_f(per_min, 2)} | {peak} |")
    return rows


def _pipeline_table(title: str, job: dict, minutes: float) -> list[str]:
    if not job or "error" in job:
        return [f"**{title}**: not measured ({(job or {}).get('error', 'skipped')})", ""]
    head = [f"**{title}** — {job['shots']} shots, {job['clips']} clips", "",
            "| stage | wall s | CPU s | wall s per video-minute | peak RSS MiB |", "|---|---:|---:|---:|---:|"]
    total = f"| **total** | **{_f(job['total_s'])}** | **{_f(job['total_cpu_s'])}** | **{_f(job['total_s'] / minutes, 2)}** | |"
    return head + _stage_rows(job, minutes) + [total, ""]


def _ratio(seed: dict, ours: dict) -> str:
    if "total_s" not in seed or "total_s" not in ours:
        return "–"
    return f"{seed['total_s'] / ours['total_s']:.2f}× ({seed['total_cpu_s'] / ours['total_cpu_s']:.2f}×)"


def _wall_cpu(job: dict) -> str:
    return f"{_f(job.get('total_s'))} ({_f(job.get('total_cpu_s'))})"


def _summary(inputs: list[dict], seed_precision: str, ours_precision: str) -> list[str]:
    """Ours end to end is ``hhir.pipeline.analyze()`` where it was measured, else the staged run."""
    lines = [f"| input | ours, `analyze()`: wall s (CPU s) | ours stage by stage: wall s (CPU s) | "
             f"seed-style, {seed_precision} ViViT: wall s (CPU s) | seed ÷ ours, wall (CPU) | "
             f"same model ({ours_precision} ViViT in both): seed ÷ ours, wall (CPU) | ours minus models ÷ decode floor | "
             "shot detection ÷ floor rate |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    notes: list[str] = []
    for row in inputs:
        staged, seed, scale = row.get("ours") or {}, row.get("seed") or {}, row.get("scaling") or {}
        product = row.get("analyze") or {}
        ours = product if "total_s" in product else staged
        same = seed if seed_precision == ours_precision else row.get("seed_same") or {}
        ok_o = "total_s" in staged
        fl = staged.get("floor") or scale.get("floor") or {}  # the floor measured in the same process as ours
        floor, floor_cpu = fl.get("analysis_res_s"), fl.get("analysis_res_cpu_s")
        nonmodel = f"wall {(staged['total_s'] - staged['model_s']) / floor:.2f}×" if ok_o and floor else "–"
        if ok_o and floor_cpu:
            nonmodel += f"; CPU {(staged['total_cpu_s'] - staged['model_cpu_s']) / floor_cpu:.2f}×"
        lines.append(f"| {_label(row['input'])} | {_wall_cpu(product)} | {_wall_cpu(staged)} | {_wall_cpu(seed)} | "
                     f"{_ratio(seed, ours)} | {_ratio(same, ours)} | {nonmodel} | {_shot_rate(scale)} |")
        if seed.get("shots") and staged.get("shots") and seed["shots"] != staged["shots"]:
            notes.append(f"{_label(row['input'])}: the seed-style pipeline found {seed['shots']} shots ({seed['clips']} clips), "
                         f"ours {staged['shots']} ({staged['clips']} clips), so their per-clip work differs and the ratio "
                         "compares unequal work.")
    return lines + [""] + [f"**Note:** {n}" for n in notes] + ([""] if notes else [])


def _label(inp: dict) -> str:
    size = inp.get("size") or (0, 0)
    pixels = f"{size[0]}×{size[1]}" if size[0] else ""
    if inp.get("generated"):
        return f"{inp['minutes']:g} min generated" + (f", {pixels}" if pixels else "")
    return f"{inp['path']} ({inp['minutes']:.2f} min{', ' + pixels if pixels else ''})"


def _shot_rate(scale: dict) -> str:
    """Frames per second of shot detection against the floor's, both per wall second and per CPU second
    (best of the alternated repeats where measured, else the single staged pass)."""
    rate = scale.get("rate")
    if rate:
        n = rate["frames"]
        return (f"wall {n / rate['shots_s']:.0f} ÷ {n / rate['floor_s']:.0f} fps = {rate['floor_s'] / rate['shots_s']:.0%}; "
                f"CPU {n / rate['shots_cpu_s']:.0f} ÷ {n / rate['floor_cpu_s']:.0f} fps = "
                f"{rate['floor_cpu_s'] / rate['shots_cpu_s']:.0%} (best of {rate['repeats']})")
    stages = {s["name"]: s for s in scale.get("stages", [])}
    floor = scale.get("floor") or {}
    if "shots" not in stages or not floor.get("analysis_fps"):
        return "–"
    fps = scale["frames"] / stages["shots"]["seconds"]
    text = f"wall {fps:.0f} ÷ {floor['analysis_fps']:.0f} fps = {fps / floor['analysis_fps']:.0%}"
    if floor.get("analysis_res_cpu_s") and stages["shots"]["cpu_s"]:
        ratio = floor["analysis_res_cpu_s"] / stages["shots"]["cpu_s"]
        text += f"; CPU {scale['frames'] / stages['shots']['cpu_s']:.0f} ÷ {scale['frames'] / floor['analysis_res_cpu_s']:.0f} fps = {ratio:.0%}"
    return text


def _memory(inputs: list[dict]) -> list[str]:
    inputs = [r for r in inputs if (r.get("scaling") or {}).get("stages")]
    if not inputs:
        return []
    names = [s["name"] for s in inputs[0]["scaling"]["stages"]]
    head = "| stage | " + " | ".join(f"{_label(r['input'])}: peak / growth MiB" for r in inputs) + " |"
    lines = ["Peak resident memory of each stage that scales with the video (its own process; growth = peak − memory at the stage's start):", "",
             head, "|---|" + "---:|" * len(inputs)]
    for name in names:
        cells = []
        for row in inputs:
            stage = next((s for s in (row.get("scaling") or {}).get("stages", []) if s["name"] == name), None)
            cells.append(f"{stage['peak_rss_mb']:.0f} / {stage['growth_mb']:.0f}" if stage else "–")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines + [""]


def _inference(inf: dict | None) -> list[str]:
    if not inf or "error" in inf:
        return [f"Encoder inference: not measured ({(inf or {}).get('error', 'skipped')})", ""]
    lines = [f"Model inference per clip ({inf['clips']} real clips, warm), wall s / CPU s per clip at each batch size:", "",
             "| encoder | batch: wall / CPU s per clip |", "|---|---|"]
    for key in ("video_fp32", "video_int8", "text", "audio"):
        cells = ", ".join(f"{b}: {v['wall']:.3f} / {v['cpu']:.3f}" if isinstance(v, dict) else f"{b}: {v:.3f}"
                          for b, v in inf[key].items())
        lines.append(f"| {key} (`{inf['ids'][key]}`) | {cells} |")
    d = inf["int8_drift"]
    lines += ["", f"int8 ViViT against fp32 on the same clips: cosine mean {d['cosine_mean']:.4f} (min {d['cosine_min']:.4f}), "
              f"relative L2 {d['relative_l2']:.3f}, nearest-neighbour clip agreement {d['nearest_neighbour_agreement']:.0%}.", ""]
    return lines


def _app(app: dict | None) -> list[str]:
    if not app or "error" in app:
        return [f"App: not measured ({(app or {}).get('error', 'skipped')})", ""]
    ok = lambda ms: "✓" if ms is not None and ms < UI_TARGET_MS else "✗"  # noqa: E731
    frames = [f for f in app.get("seek_to_frame_ms", []) if f is not None]
    frame_ms = max(frames) if frames else None
    copies = [f for f in app.get("seek_to_frame_copy_ms") or [] if f is not None]
    copy_ms = max(copies) if copies else None
    rows = [
        ("window open: whole process, start to exit (s)", f"{min(app['open_process_s']):.2f}", ""),
        ("window shown after interpreter start (s)", f"{app['open_shown_after_s']:.2f}", ""),
        (f"open a film of {app['shots']} shots, {app['clips']} clips with predictions (s)", _f(app["open_video_ms"] / 1000), ""),
        ("timeline paint, whole film, from the cached tracks (ms)", _f(app["timeline_paint_whole_film_ms"]), ok(app["timeline_paint_whole_film_ms"])),
        ("timeline paint, whole film, nothing cached: a zoom or new data (ms)",
         _f(app.get("timeline_paint_whole_film_uncached_ms")), ok(app.get("timeline_paint_whole_film_uncached_ms"))),
        ("timeline paint, zoomed ×40 (ms)", _f(app["timeline_paint_zoomed_ms"]), ok(app["timeline_paint_zoomed_ms"])),
        ("seek: playhead, timeline and transcript updated (ms)", _f(app["seek_ui_ms"]), ok(app["seek_ui_ms"])),
        (f"seek: new video frame shown, from the film itself (ms, slowest of 3; keyframes up to "
         f"{app.get('film_keyframe_spacing', '?')} frames apart)", _f(frame_ms), ok(frame_ms)),
        (f"seek: new video frame shown, from its playback copy (ms, slowest of 3; keyframes "
         f"{app.get('copy_keyframe_spacing', '?')} frames apart; copy written in {_f(app.get('playback_copy_s'))} s)",
         _f(copy_ms), ok(copy_ms)),
        ("label toggle → committed, readable by another connection (ms)", _f(app["toggle_committed_ms"]), ok(app["toggle_committed_ms"])),
        ("label toggle → window refreshed (ms)", _f(app["toggle_refreshed_ms"]), ok(app["toggle_refreshed_ms"])),
    ]
    if "none_refs_lost_per_whole_film_paint" in app:
        rows.append(("references to None lost by PySide6 per whole-film paint (Python 3.11 aborts near 0)",
                     f"{app['none_refs_lost_per_whole_film_paint']:,}", ""))
    return ["| app (offscreen Qt) | value | < 50 ms |", "|---|---:|:---:|"] + [f"| {a} | {b} | {c} |" for a, b, c in rows] + [""]


def _train(train: dict | None) -> list[str]:
    r = (train or {}).get("result")
    if not r:
        return [f"Training: not measured ({(train or {}).get('error', 'skipped')})", ""]
    f1 = {k: v for k, v in r.get("metrics", {}).items() if k.endswith("macro_f1")}
    return [f"`bench/bench_train.py`: {r['clips']} cached clips in {r['videos']} videos, {r['epochs_run']} epochs "
            f"(best {r['best_epoch']}), {r['train_s']} s training ({r['epoch_s_mean']} s/epoch, {r['torch_threads']} torch threads); "
            f"building the database {r['build_db_s']} s; {f1}.", ""]


def render(results: dict) -> str:
    ours_p = results["video_encoder"]
    seed_p = results.get("seed_video_encoder", ours_p)  # older results ran both with the same precision
    lines = [f"Machine: {results['machine']['cpus']} CPUs, {results['machine']['platform']}; ViViT {ours_p} in ours, "
             f"{seed_p} in the seed-style pipeline; {results.get('parallel_jobs', 1)} measurement(s) at a time.", "",
             "### End to end", ""] + _summary(results["inputs"], seed_p, ours_p)
    for row in results["inputs"]:
        minutes = row["input"]["minutes"]
        if "ours" in row:
            lines += [f"### {_label(row['input'])}", ""] + _pipeline_table("ours", row["ours"], minutes)
            lines += _pipeline_table(f"seed-style ({seed_p} ViViT)", row.get("seed") or {"error": "skipped"}, minutes)
            if row.get("seed_same"):
                lines += _pipeline_table(f"seed-style, same model ({ours_p} ViViT)", row["seed_same"], minutes)
    lines += ["### Memory", ""] + _memory(results["inputs"])
    other = results.get("other_precision_first_input")
    base = results["inputs"][0].get("ours") or {}
    if other and "total_s" in other and "total_s" in base:
        fp32, int8 = (other, base) if results["video_encoder"] == "int8" else (base, other)
        lines += [f"ViViT precision, ours on the first input — fp32: {fp32['total_s']:.1f} s wall ({fp32['total_cpu_s']:.1f} CPU s), "
                  f"video inference {fp32['inference_cpu_s']['video']:.1f} CPU s; int8: {int8['total_s']:.1f} s wall "
                  f"({int8['total_cpu_s']:.1f} CPU s), video inference {int8['inference_cpu_s']['video']:.1f} CPU s.", ""]
    lines += ["### Encoders", ""] + _inference(results.get("inference"))
    lines += ["### App", ""] + _app(results.get("app"))
    lines += ["### Training", ""] + _train(results.get("train"))
    return "\n".join(lines)
