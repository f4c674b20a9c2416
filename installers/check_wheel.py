"""Does the product work as an installed package, away from its checkout?

Builds the wheel, installs it (not editable) with the pinned dependencies into a new virtual
environment in a temporary folder, and from a folder outside the checkout runs ``hhir doctor``,
``hhir analyze`` on a generated video (checking its JSON) and ``hhir-studio --self-test``. Exit
status 0 when everything passed; each failure is printed as one line. ``make wheel-check`` runs
it, and ``make test`` runs that.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_NOT_SOURCE = (".git", ".venv", ".*venv*", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis")


def _run(args: list[str | Path], cwd: Path, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    started = time.monotonic()
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    name = " ".join(Path(str(a)).name if i == 0 else str(a) for i, a in enumerate(args[:3]))
    print(f"  {name} … exit {proc.returncode} ({time.monotonic() - started:.1f} s)", flush=True)
    return proc


def _clean_env(home: Path) -> dict[str, str]:
    """No trace of the checkout: no PYTHONPATH, fresh data/config folders, offline."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "HHIR_RESOURCES", "HHIR_DB")}
    env.update(HHIR_DATA_DIR=str(home / "data"), HHIR_CONFIG_DIR=str(home / "config"), QT_QPA_PLATFORM="offscreen",
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


def _install(tmp: Path) -> tuple[Path, list[str]]:
    """The wheel and its pinned dependencies in a new venv; its bin folder and any failures."""
    dist, venv, source = tmp / "dist", tmp / "venv", tmp / "source"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    # Built from a copy: setuptools leaves build/lib behind, and a module removed since the last
    # build would otherwise ship in the wheel from there.
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    steps = [
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist, source],
        [sys.executable, "-m", "venv", venv],
        [venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", "-r", ROOT / "requirements.lock"],
    ]
    for step in steps:
        proc = _run(step, tmp, env)
        if proc.returncode != 0:
            return venv / "bin", [f"{' '.join(map(str, step[:4]))}: {proc.stderr.strip()[-800:]}"]
    wheels = sorted(dist.glob("hhir_studio-*.whl"))
    if len(wheels) != 1:
        return venv / "bin", [f"expected one hhir_studio wheel in {dist}, found {[w.name for w in wheels]}"]
    proc = _run([venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", wheels[0]], tmp, env)
    return venv / "bin", [] if proc.returncode == 0 else [f"installing {wheels[0].name}: {proc.stderr[-800:]}"]


def _checks(bin_dir: Path, work: Path) -> list[str]:
    env = _clean_env(work)
    python = bin_dir / "python"
    where = _run([python, "-c", "import hhir, hhir_studio, hhir.resources as r; print(hhir.__file__); "
                  "from hhir.appdirs import resource; print(resource('labels', 'default.json').is_file())"], work, env)
    lines = where.stdout.split()
    if where.returncode != 0 or len(lines) != 2 or lines[1] != "True" or str(ROOT) in lines[0]:
        return [f"import from the installed wheel: {where.stdout.strip()} {where.stderr.strip()[-500:]}"]
    failures = []
    doctor = _run([bin_dir / "hhir", "doctor"], work, env)
    if doctor.returncode != 0:
        failures.append(f"hhir doctor: exit {doctor.returncode}: {(doctor.stdout + doctor.stderr)[-500:]}")
    video = work / "generated.mp4"
    made = _run([python, "-c", f"from hhir.selftest import make_test_video; make_test_video({str(video)!r})"], work, env)
    if made.returncode != 0:
        return [*failures, f"generating a video: {made.stderr[-500:]}"]
    failures += _analyze_problems(bin_dir, work, env, video)
    selftest = _run([bin_dir / "hhir-studio", "--self-test"], work, env)
    if selftest.returncode != 0:
        failures.append(f"hhir-studio --self-test: exit {selftest.returncode}: {selftest.stderr.strip()[-800:]}")
    return failures


def _analyze_problems(bin_dir: Path, work: Path, env: dict[str, str], video: Path) -> list[str]:
    out = work / "result.json"
    proc = _run([bin_dir / "hhir", "analyze", video, "--db", work / "project.sqlite3", "--json", out], work, env)
    if proc.returncode != 0:
        return [f"hhir analyze: exit {proc.returncode}: {proc.stderr.strip()[-800:]}"]
    (result,) = json.loads(out.read_text(encoding="utf-8"))["videos"]
    problems = []
    if len(result["shots"]) < 2 or not result["clips"]:
        problems.append(f"hhir analyze: {len(result['shots'])} shots, {len(result['clips'])} clips")
    if not result.get("predictions") or not result["predictions"].get("scene"):
        problems.append("hhir analyze: no predictions in the JSON")
    return problems


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hhir-wheel-") as name:
        tmp = Path(name)
        print("building and installing the wheel into a new virtual environment", flush=True)
        bin_dir, failures = _install(tmp)
        if not failures:
            work = tmp / "elsewhere"
            work.mkdir()
            print("running the installed commands outside the checkout", flush=True)
            failures = _checks(bin_dir, work)
    for line in failures:
        print(f"FAILED {line}", file=sys.stderr)
    print(f"wheel check {'passed' if not failures else 'failed'} in {time.monotonic() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
