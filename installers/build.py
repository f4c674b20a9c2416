"""Build the packaged app for this OS: ``python installers/build.py`` (what ``make installer`` runs).

1. PyInstaller builds the one-folder app from ``installers/hhir_studio.spec`` into ``dist/hhir-studio/``
   (``dist/HHIR Studio.app`` on macOS).
2. This OS's packager wraps it: Linux a tarball and an AppDir (an ``.AppImage`` when ``appimagetool``
   is on PATH; a ``.deb`` with ``--deb``), Windows a zip and, with Inno Setup's ``iscc`` on PATH, a
   setup ``.exe``, macOS a ``.dmg``.
3. The frozen app's ``--self-test`` runs, and the bundle's size and start-up time are measured
   (``--no-check`` skips this). The figures are written to ``dist/build-report.txt``.

Every external program is run with an argument list, never through a shell.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bundle_config as cfg  # noqa: E402 - needs HERE on sys.path
from measure import check_bundle  # noqa: E402

DIST = cfg.ROOT / "dist"
WORK = cfg.ROOT / "build"


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run one program (argument list, no shell), echoing it; raise if it fails."""
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=True, **kwargs)


def pyinstaller(clean: bool = True) -> Path:
    """Run PyInstaller with the spec; return the one-folder app."""
    started = time.monotonic()
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", *(["--clean"] if clean else []), "--log-level", "WARN",
         "--distpath", str(DIST), "--workpath", str(WORK / "pyinstaller"), str(HERE / "hhir_studio.spec")])
    print(f"PyInstaller finished in {time.monotonic() - started:.0f} s", flush=True)
    return DIST / cfg.EXE_NAME


def package(app_dir: Path, deb: bool) -> list[Path]:
    """Wrap the one-folder app in this OS's installer formats; return the files written."""
    if sys.platform == "win32":
        from windows.package import package_windows

        return package_windows(app_dir, DIST, run)
    if sys.platform == "darwin":
        from macos.package import package_macos

        return package_macos(DIST / f"{cfg.APP_NAME}.app", DIST, run)
    from linux.package import package_linux

    return package_linux(app_dir, DIST, WORK, run, deb=deb)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-check", action="store_true", help="skip the frozen self-test and measurements")
    parser.add_argument("--no-package", action="store_true", help="only run PyInstaller")
    parser.add_argument("--skip-pyinstaller", action="store_true", help="reuse the app already in dist/")
    parser.add_argument("--no-clean", action="store_true", help="reuse PyInstaller's analysis cache in build/")
    parser.add_argument("--deb", action="store_true", help="also build a Debian package (Linux)")
    args = parser.parse_args(argv)
    app_dir = DIST / cfg.EXE_NAME if args.skip_pyinstaller else pyinstaller(clean=not args.no_clean)
    if not app_dir.is_dir():
        print(f"{app_dir}: no built app; run without --skip-pyinstaller", file=sys.stderr)
        return 2
    ok = True
    if not args.no_check:
        report = check_bundle(app_dir, cfg.EXE_NAME)
        (DIST / "build-report.txt").write_text("\n".join(report.lines()) + "\n", encoding="utf-8")
        print("\n".join(report.lines()), flush=True)
        ok = report.self_test_passed
    if not args.no_package:
        for path in package(app_dir, args.deb):
            print(f"wrote {path} ({path.stat().st_size / 2**20:.0f} MiB)" if path.is_file() else f"wrote {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
