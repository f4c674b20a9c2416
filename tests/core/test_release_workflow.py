"""The release workflow and its per-OS locks, checked here.

The Linux job's commands come from the workflow file itself: its build and test commands must be the
ones ``make installer`` and ``make test-fast`` run (``make -n`` prints them), and its package check runs
here, as written, on a stand-in app. actionlint and zizmor check the file in ``make lint``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
sys.path.insert(0, str(INSTALLERS))

import bundle_config as cfg  # noqa: E402
import locks  # noqa: E402

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
JOBS = {"linux": "linux-x86_64", "windows": "windows-x64", "macos": "macos-arm64"}  # job -> its lock


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def step(job: dict, step_id: str) -> dict:
    (found,) = [s for s in job["steps"] if s.get("id") == step_id]
    return found


def make_dry_run(target: str) -> list[list[str]]:
    """The commands ``make TARGET`` runs, setup left out (the workflow sets up from its lock)."""
    proc = subprocess.run(["make", "--no-print-directory", "-n", "-o", "setup", target], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return [shlex.split(line) for line in proc.stdout.splitlines() if line.strip()]


# --- The workflow -----------------------------------------------------------------------------------------------


def test_triggered_by_a_version_tag_and_by_hand(workflow):
    on = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert on["push"] == {"tags": ["v*"]} and "workflow_dispatch" in on and "pull_request_target" not in on


def test_token_is_read_only_and_actions_are_pinned_to_commits(workflow):
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert job["permissions"] == {"contents": "read"}, name
        assert job["timeout-minutes"] > 0, name
        for s in job["steps"]:
            if "uses" in s:
                assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", s["uses"]), f"{name}: {s['uses']} is not pinned"
            if s.get("uses", "").startswith("actions/checkout@"):
                assert s["with"]["persist-credentials"] is False, name


def test_no_expression_is_expanded_inside_a_script(workflow):
    """Values reach scripts through the environment, never as ``${{ }}`` pasted into the shell."""
    for name, job in workflow["jobs"].items():
        for s in job["steps"]:
            assert "${{" not in s.get("run", ""), f"{name}: {s.get('name')}"


@pytest.mark.parametrize(("job_name", "lock"), JOBS.items())
def test_each_os_job_sets_up_from_its_lock_tests_builds_checks_and_uploads(workflow, job_name, lock):
    job = workflow["jobs"][job_name]
    assert job["needs"] == "checks"
    runs = [s.get("run", "") for s in job["steps"]]
    setup = next(i for i, r in enumerate(runs) if f"-r installers/locks/{lock}.txt" in r)
    tests = next(i for i, r in enumerate(runs) if "-m pytest" in r and '-m "not slow"' in r)
    build = job["steps"].index(step(job, "build"))
    package = job["steps"].index(step(job, "package"))
    assert setup < tests < build < package
    assert (ROOT / "installers" / "locks" / f"{lock}.txt").is_file()
    assert shlex.split(runs[build])[1:] == ["installers/build.py"]
    assert shlex.split(runs[package])[1:] == ["installers/check_package.py"]
    (upload,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["if"] == "${{ !cancelled() }}" and upload["with"]["if-no-files-found"] == "error"
    assert "dist/build-report.txt" in upload["with"]["path"].split()


def test_runners_are_the_systems_the_locks_resolve_for(workflow):
    runners = {name: workflow["jobs"][name]["runs-on"] for name in JOBS}
    assert runners["linux"].startswith("ubuntu-") and runners["windows"].startswith("windows-")
    assert runners["macos"] in {"macos-14", "macos-15"}  # Apple silicon runners, macOS 14 or later
    assert {t.name for t in locks.TARGETS} == set(JOBS.values())


def test_linux_build_and_tests_are_the_commands_make_runs(workflow):
    job = workflow["jobs"]["linux"]
    assert [shlex.split(step(job, "build")["run"])] == make_dry_run("installer")
    ((env, *pytest_cmd),) = make_dry_run("test-fast")
    assert env == "QT_QPA_PLATFORM=offscreen" and workflow["env"]["QT_QPA_PLATFORM"] == "offscreen"
    fast = [s["run"] for s in job["steps"] if "-m pytest" in s.get("run", "")]
    assert [shlex.split(r) for r in fast] == [pytest_cmd]


def test_linux_job_installs_the_cpu_build_of_the_pinned_torch(workflow):
    setup = next(s["run"] for s in workflow["jobs"]["linux"]["steps"] if "installers/locks/" in s.get("run", ""))
    assert "torch==2.13.0+cpu" in setup and "--no-deps" in setup and "torch.__version__ == '2.13.0+cpu'" in setup
    assert setup.index("torch==2.13.0+cpu") < setup.index("-r installers/locks/linux-x86_64.txt")


def test_the_checks_job_runs_the_lock_check_and_both_linters(workflow):
    runs = [s.get("run", "") for s in workflow["jobs"]["checks"]["steps"]]
    assert "python installers/locks.py --check" in runs and "actionlint" in runs
    assert any(r.startswith("zizmor ") for r in runs)
    lint = [" ".join(cmd) for cmd in make_dry_run("lint")]
    assert ".venv/bin/python installers/locks.py --check" in lint and ".venv/bin/actionlint" in lint
    assert any(c.startswith(".venv/bin/zizmor ") for c in lint)


# --- The Linux job's package check, run from the workflow file ---------------------------------------------------


def _sandbox(tmp_path: Path, self_test: str, exit_code: int) -> Path:
    """A checkout with a stand-in app packed by the real Linux packager, and ``.venv/bin/python``."""
    from linux.package import tarball

    root = tmp_path / "checkout"
    shutil.copytree(INSTALLERS, root / "installers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / ".venv" / "bin").mkdir(parents=True)
    python = root / ".venv" / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n', encoding="utf-8")
    python.chmod(0o755)
    app = tmp_path / "built" / cfg.EXE_NAME
    (app / "_internal").mkdir(parents=True)
    exe = app / cfg.EXE_NAME
    exe.write_text(f"#!{sys.executable}\nimport sys\nprint({self_test!r})\nsys.exit({exit_code})\n", encoding="utf-8")
    exe.chmod(0o755)
    (root / "dist").mkdir()
    tarball(app, root / "dist")
    return root


@pytest.mark.skipif(sys.platform != "linux", reason="the Linux job's steps")
@pytest.mark.parametrize(("said", "code", "verdict"), [("self-test passed: 9 checks", 0, "passed"),
                                                        ("FAILED player: no frame shown", 1, "FAILED")])
def test_linux_package_step_runs_as_written(workflow, tmp_path, said, code, verdict):
    root = _sandbox(tmp_path, said, code)
    command = shlex.split(step(workflow["jobs"]["linux"], "package")["run"])
    proc = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **{k: str(v) for k, v in workflow["env"].items()}})
    assert proc.returncode == code, proc.stderr
    report = (root / "dist" / "build-report.txt").read_text(encoding="utf-8")
    assert f"linux-x86_64.tar.gz, unpacked elsewhere: self-test {verdict}" in report and said in report


def test_package_step_says_when_there_is_no_package(tmp_path):
    import check_package

    assert check_package.main(["--dist", str(tmp_path)]) == 2
    assert not (tmp_path / "build-report.txt").exists()


def test_unpack_refuses_what_it_does_not_know(tmp_path):
    import check_package

    with pytest.raises(ValueError, match=r"x\.7z: not a package"):
        check_package.unpack(tmp_path / "x.7z", tmp_path)


# --- The per-OS locks -------------------------------------------------------------------------------------------


def read_lock(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==" and not req.marker, f"{path.name}: {line} is not an exact pin"
            assert canonicalize_name(req.name) not in pins, f"{path.name}: {req.name} twice"
            pins[canonicalize_name(req.name)] = spec.version
    return pins


DEV_LOCK = read_lock(ROOT / "requirements.lock")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
DECLARED = [Requirement(r) for r in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]]


@pytest.mark.parametrize("target", locks.TARGETS, ids=lambda t: t.name)
def test_lock_pins_every_declared_dependency_at_the_dev_locks_version(target):
    pins = read_lock(target.lock)
    assert pins["torch"] == "2.13.0"
    for req in DECLARED:
        name = canonicalize_name(req.name)
        assert name in pins, f"{target.lock.name}: {req.name} is declared in pyproject.toml but not locked"
        assert req.specifier.contains(pins[name], prereleases=True), f"{target.lock.name}: {name}=={pins[name]} vs {req}"
    moved = {n: (v, DEV_LOCK[n]) for n, v in pins.items() if n in DEV_LOCK and DEV_LOCK[n] != v}
    assert moved == {}, f"{target.lock.name} differs from requirements.lock: {moved}"
    excluded = {canonicalize_name(line) for line in locks.EXCLUDES.read_text(encoding="utf-8").split("\n")
                if line and not line.startswith("#")}
    assert excluded.isdisjoint(pins)


def test_linux_lock_is_the_dev_lock():
    """What the Linux job installs is what `make setup` installs, less the build helper nothing requires."""
    linux = read_lock(locks.LOCKS / "linux-x86_64.txt")
    assert set(linux) <= set(DEV_LOCK) and set(DEV_LOCK) - set(linux) <= {"wheel"}


def test_os_only_packages_are_those_of_that_os():
    extra = {t.name: set(read_lock(t.lock)) - set(DEV_LOCK) for t in locks.TARGETS}
    assert extra["linux-x86_64"] == set()
    assert {"colorama", "pefile", "pywin32-ctypes"} <= extra["windows-x64"]  # pytest's colours, PyInstaller on Windows
    assert "macholib" in extra["macos-arm64"]  # PyInstaller on macOS


def test_lock_command_reads_the_dev_lock_and_a_fixed_date():
    (target,) = [t for t in locks.TARGETS if t.name == "macos-arm64"]
    cmd = locks.command(target, Path("out.txt"))
    assert cmd[cmd.index("--constraints") + 1] == "requirements.lock"
    assert cmd[cmd.index("--python-platform") + 1] == "aarch64-apple-darwin" and target.macos_target == "14.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", cmd[cmd.index("--exclude-newer") + 1])
