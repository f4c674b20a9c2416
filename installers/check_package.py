"""Run the self-test of the app as a user gets it: ``python installers/check_package.py`` (after build.py).

build.py self-tests the one-folder app in ``dist/``; this unpacks the package it wrote into a fresh
folder elsewhere and runs ``--self-test`` from there, so a file that only worked from ``dist/`` (a lost
executable bit, a path into the build folder, the ``.app`` layout on macOS) fails here. Linux: the
tarball; Windows: the portable zip; macOS: the ``.app`` inside the ``.dmg``, mounted read-only. The result
is appended to ``dist/build-report.txt``; exit status 0 when the self-test passed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bundle_config as cfg  # noqa: E402 - needs HERE on sys.path
from measure import BundleReport, run_self_test  # noqa: E402

DIST = cfg.ROOT / "dist"


def package_path(dist: Path, platform: str | None = None) -> Path:
    """The package the release ships for ``platform`` (this OS when None), as build.py names it."""
    stem = f"{cfg.EXE_NAME}-{cfg.version()}"
    platform = platform or sys.platform
    if platform == "win32":
        return dist / f"{stem}-windows-x64.zip"
    if platform == "darwin":
        return dist / f"{stem}-macos.dmg"
    return dist / f"{stem}-linux-x86_64.tar.gz"


def unpack(package: Path, into: Path) -> Path:
    """Unpack a tarball or zip into ``into``; return the app's executable inside it.

    Member names are checked by the archive libraries' own filters: nothing lands outside ``into``."""
    if package.name.endswith(".tar.gz"):
        with tarfile.open(package) as tar:
            tar.extractall(into, filter="data")  # keeps the executable bits, refuses links out of `into`
        return into / f"{cfg.EXE_NAME}-{cfg.version()}" / cfg.EXE_NAME
    if package.suffix == ".zip":
        with zipfile.ZipFile(package) as archive:
            archive.extractall(into)  # noqa: S202 - zipfile drops ".." and absolute parts from member names
        return into / cfg.EXE_NAME / f"{cfg.EXE_NAME}.exe"
    raise ValueError(f"{package.name}: not a package this script unpacks (.tar.gz or .zip)")


def self_test_dmg(dmg: Path, mountpoint: Path, report: BundleReport) -> None:
    """Mount the .dmg read-only, self-test the .app in it, detach."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    subprocess.run(["hdiutil", "attach", "-nobrowse", "-readonly", "-mountpoint", str(mountpoint), str(dmg)], check=True)
    try:
        run_self_test(mountpoint / f"{cfg.APP_NAME}.app" / "Contents" / "MacOS" / cfg.EXE_NAME, report)
    finally:
        subprocess.run(["hdiutil", "detach", str(mountpoint)], check=True)


def check(package: Path, workdir: Path) -> BundleReport:
    report = BundleReport()
    if package.suffix == ".dmg":
        self_test_dmg(package, workdir / "mnt", report)
    else:
        run_self_test(unpack(package, workdir), report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=DIST, help="the folder build.py wrote (default: dist/)")
    args = parser.parse_args(argv)
    package = package_path(args.dist)
    if not package.is_file():
        print(f"{package}: no such package; run installers/build.py first", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="hhir-package-check-"))
    try:
        report = check(package, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    verdict = "passed" if report.self_test_passed else "FAILED"
    lines = [f"{package.name}, unpacked elsewhere: self-test {verdict} ({report.self_test_seconds:.1f} s)",
             report.self_test_output.rstrip()]
    print("\n".join(lines), flush=True)
    with (args.dist / "build-report.txt").open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    return 0 if report.self_test_passed else 1


if __name__ == "__main__":
    sys.exit(main())
