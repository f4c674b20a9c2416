"""Linux packages of the one-folder app: a tarball, an AppDir (and an AppImage), optionally a .deb.

The AppDir is the AppImage layout (``AppRun``, a ``.desktop`` entry, an icon, the app under
``usr/lib``); ``appimagetool``, when it is on PATH, turns it into one ``.AppImage`` file. Files are
hard-linked into the AppDir and the .deb tree rather than copied, so the 1-2 GB app is not
duplicated on disk.
"""

from __future__ import annotations

import os
import shutil
import stat
import struct
import sys
import tarfile
import zlib
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import bundle_config as cfg  # noqa: E402

Runner = Callable[..., object]
DEB_DEPENDS = ("libegl1, libgl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, libdbus-1-3, libxcb-cursor0, "
               "libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, libxcb-randr0, libxcb-render-util0, libxcb-image0, "
               "libpulse0 | libasound2")


def desktop_entry(exec_line: str) -> str:
    return (f"[Desktop Entry]\nType=Application\nName={cfg.APP_NAME}\nExec={exec_line} %F\nIcon={cfg.EXE_NAME}\n"
            "Comment=Review human-human interaction labels in film\nCategories=AudioVideo;Video;Science;\n"
            "MimeType=video/mp4;video/x-matroska;video/webm;video/quicktime;video/x-msvideo;\nTerminal=false\n")


def icon_png(size: int = 256) -> bytes:
    """A plain generated icon (two overlapping discs), so the packages need no binary asset."""
    import numpy as np

    y, x = np.mgrid[0:size, 0:size].astype(float)
    left, right = ((x - size * cx) ** 2 + (y - size / 2) ** 2 < (size * 0.3) ** 2 for cx in (0.36, 0.64))
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[left | right] = (70, 150, 230, 255)
    rgba[left & right] = (40, 110, 200, 255)
    raw = b"".join(b"\x00" + row.tobytes() for row in rgba)  # filter byte 0 before each row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def link_tree(src: Path, dst: Path) -> None:
    """Mirror ``src`` at ``dst`` with hard links (a copy where linking is not possible)."""
    def link(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True, copy_function=link)


def _write_exec(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def tarball(app_dir: Path, dist: Path) -> Path:
    out = dist / f"{cfg.EXE_NAME}-{cfg.version()}-linux-x86_64.tar.gz"
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(app_dir, arcname=f"{cfg.EXE_NAME}-{cfg.version()}")
    return out


def appdir(app_dir: Path, work: Path) -> Path:
    root = work / f"{cfg.APP_NAME.replace(' ', '')}.AppDir"
    link_tree(app_dir, root / "usr" / "lib" / cfg.EXE_NAME)
    # AppRun runs from wherever the AppImage is mounted: find the app relative to itself.
    _write_exec(root / "AppRun", f'#!/bin/sh\nHERE="$(dirname "$(readlink -f "$0")")"\n'
                                 f'exec "$HERE/usr/lib/{cfg.EXE_NAME}/{cfg.EXE_NAME}" "$@"\n')
    (root / f"{cfg.EXE_NAME}.desktop").write_text(desktop_entry(cfg.EXE_NAME), encoding="utf-8")
    (root / f"{cfg.EXE_NAME}.png").write_bytes(icon_png())
    return root


def build_deb(app_dir: Path, work: Path, dist: Path, run: Runner) -> Path:
    root = work / "deb"
    link_tree(app_dir, root / "opt" / cfg.EXE_NAME)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / cfg.EXE_NAME).symlink_to(f"/opt/{cfg.EXE_NAME}/{cfg.EXE_NAME}")
    for sub, name, data in (("applications", f"{cfg.EXE_NAME}.desktop", desktop_entry(cfg.EXE_NAME).encode()),
                            ("icons/hicolor/256x256/apps", f"{cfg.EXE_NAME}.png", icon_png())):
        (root / "usr" / "share" / sub).mkdir(parents=True)
        (root / "usr" / "share" / sub / name).write_bytes(data)
    (root / "DEBIAN").mkdir()
    size_kib = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) // 1024
    (root / "DEBIAN" / "control").write_text(
        f"Package: {cfg.EXE_NAME}\nVersion: {cfg.version()}\nArchitecture: amd64\nMaintainer: HHIR Studio developers\n"
        f"Installed-Size: {size_kib}\nDepends: {DEB_DEPENDS}\nSection: video\nPriority: optional\n"
        f"Description: {cfg.APP_NAME}\n Review, correct and learn human-human interaction labels in film.\n",
        encoding="utf-8")
    out = dist / f"{cfg.EXE_NAME}_{cfg.version()}_amd64.deb"
    run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(root), str(out)])
    return out


def package_linux(app_dir: Path, dist: Path, work: Path, run: Runner, deb: bool = False) -> list[Path]:
    """Tarball and AppDir always; the AppImage when appimagetool is installed; the .deb on request."""
    written = [tarball(app_dir, dist), appdir(app_dir, work)]
    tool = shutil.which("appimagetool")
    if tool:
        image = dist / f"{cfg.APP_NAME.replace(' ', '_')}-{cfg.version()}-x86_64.AppImage"
        run([tool, "--no-appstream", str(written[1]), str(image)], env={**os.environ, "ARCH": "x86_64"})
        written.append(image)
    else:
        print("appimagetool is not on PATH: wrote the AppDir only (run appimagetool on it to get an .AppImage)")
    if deb and shutil.which("dpkg-deb"):
        written.append(build_deb(app_dir, work, dist, run))
    return written
