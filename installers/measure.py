"""What a built bundle weighs, how fast it starts, and whether its self-test passes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

TOP_PARTS = 15
OWN_LINE = re.compile(r"^(\[\s*\d+%\]|FAILED |self-test |Traceback|\w+Error)")


@dataclass
class BundleReport:
    """Figures of one built app folder."""

    size_bytes: int = 0
    files: int = 0
    parts: list[tuple[str, int]] = field(default_factory=list)  # (folder inside the bundle, bytes)
    self_test_passed: bool = False
    self_test_seconds: float = 0.0
    self_test_output: str = ""
    startup: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"bundle: {self.size_bytes / 2**20:.0f} MiB in {self.files} files; largest parts:"]
        out += [f"  {size / 2**20:8.1f} MiB  {name}" for name, size in self.parts]
        out += self.startup
        verdict = "passed" if self.self_test_passed else "FAILED"
        out += [f"frozen self-test {verdict} ({self.self_test_seconds:.1f} s):", self.self_test_output.rstrip()]
        return out


def _part(rel: Path) -> str:
    """Group a file under its package folder (two levels for Qt, torch and the like)."""
    parts = rel.parts[1:] if rel.parts and rel.parts[0] == "_internal" else rel.parts
    if len(parts) <= 1:
        return parts[0] if parts else "."
    depth = 3 if parts[0] in {"PySide6", "torch"} and len(parts) > 3 else 2
    return "/".join(parts[:min(depth, len(parts) - 1)])


def weigh(app_dir: Path, report: BundleReport) -> None:
    sizes: Counter[str] = Counter()
    for path in app_dir.rglob("*"):
        if path.is_file() and not path.is_symlink():
            size = path.stat().st_size
            report.size_bytes += size
            report.files += 1
            sizes[_part(path.relative_to(app_dir))] += size
    report.parts = sizes.most_common(TOP_PARTS)


def _offscreen_env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def run_self_test(exe: Path, report: BundleReport) -> None:
    started = time.monotonic()
    proc = subprocess.run([str(exe), "--self-test"], capture_output=True, text=True, env=_offscreen_env(),
                          timeout=1800)
    report.self_test_seconds = time.monotonic() - started
    report.self_test_passed = proc.returncode == 0
    # Only the self-test's own lines: the encoders and Qt's FFmpeg log chatter to stderr as well.
    lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if OWN_LINE.match(ln)]
    report.self_test_output = "\n".join("  " + ln for ln in lines)


def time_startup(exe: Path, report: BundleReport, runs: int = 2) -> None:
    """Seconds until the main window's event loop runs (the app prints it and quits)."""
    for attempt in range(runs):
        started = time.monotonic()
        proc = subprocess.run([str(exe), "--startup-time"], capture_output=True, text=True, env=_offscreen_env(),
                              timeout=300)
        wall = time.monotonic() - started
        said = [ln for ln in proc.stdout.splitlines() if ln.startswith("start-up:")]
        detail = said[0] if said else f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:] or ''}"
        report.startup.append(f"start-up run {attempt + 1}: {wall:.2f} s wall; {detail}")


def check_bundle(app_dir: Path, exe_name: str) -> BundleReport:
    """Weigh the bundle, time its start-up and run its self-test."""
    exe = app_dir / (exe_name + (".exe" if sys.platform == "win32" else ""))
    report = BundleReport()
    weigh(app_dir, report)
    time_startup(exe, report)
    run_self_test(exe, report)
    return report
