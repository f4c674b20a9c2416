"""The installer's spec, checked fast: what it names exists, what it leaves out is not needed.

The frozen build itself is ``make installer`` (too slow for CI); these checks catch most of what
breaks it: a hidden import that moved, a model folder or plugin that is not where the spec looks,
an exclusion that removes a module the app loads, and a self-test that fails before freezing.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
sys.path.insert(0, str(INSTALLERS))

import bundle_config as cfg  # noqa: E402

SPEC = INSTALLERS / "hhir_studio.spec"
MACHINE_PATH = re.compile(r"""["'](/(home|work|usr|opt|tmp|root)/|[A-Za-z]:\\\\|~/)""")


def test_spec_parses_and_reads_its_data_from_bundle_config():
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"} <= calls
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert "bundle_config" in imported
    assert (INSTALLERS / "entry.py").is_file() and "entry.py" in SPEC.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [SPEC, INSTALLERS / "bundle_config.py", INSTALLERS / "build.py",
                                  INSTALLERS / "windows" / "hhir_studio.iss"], ids=lambda p: p.name)
def test_no_machine_paths(path):
    text = path.read_text(encoding="utf-8")
    assert not MACHINE_PATH.search(text), MACHINE_PATH.search(text)


@pytest.mark.parametrize("name", cfg.HIDDEN_IMPORTS)
def test_hidden_import_is_importable(name):
    assert importlib.util.find_spec(name) is not None, f"{name} is named by the spec but cannot be found"


@pytest.mark.parametrize("name", cfg.HIDDEN_PACKAGES)
def test_hidden_package_is_a_package(name):
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations, f"{name} is not an installed package"


@pytest.mark.parametrize(("folder", "dest"), cfg.data_folders() + cfg.binary_folders(), ids=str)
def test_bundled_folder_exists_and_nothing_in_it_is_dropped(folder, dest):
    pairs = cfg.tree(folder, dest)
    assert pairs, f"{folder} is empty or missing"
    kept = [src for src, d in pairs if not cfg.dropped(f"{d}/{Path(src).name}")]
    assert len(kept) == len(pairs), f"the drop patterns would remove needed files from {dest}"
    assert not any("__pycache__" in src or src.endswith(".pyc") for src, _ in pairs)


def test_the_files_the_app_needs_are_among_them():
    sources = {Path(src) for folder, dest in cfg.data_folders() for src, _ in cfg.tree(folder, dest)}
    names = {(p.parent.name, p.name) for p in sources}
    assert {("model", "model.bin"), ("model", "model.safetensors"), ("model", "tokenizer.json")} <= names
    assert ("labels", "default.json") in names and ("migrations", "env.py") in names
    assert any(p.parent.name == "versions" and p.suffix == ".py" for p in sources)
    assert any(p.suffix == ".onnx" for p in sources)  # faster-whisper's voice activity model
    assert ("data", "haarcascade_frontalface_default.xml") in names  # the starter's face detector
    ((plugins, _),) = cfg.binary_folders()
    assert any("ffmpeg" in p.name for p in plugins.iterdir()), f"no FFmpeg backend in {plugins}"


def test_ffmpeg_binary_is_the_one_the_app_runs():
    from hhir.media.ffmpeg import ffmpeg_exe

    ((binary, dest),) = cfg.data_files()
    assert binary.samefile(ffmpeg_exe()) and os.access(binary, os.X_OK) and dest == "imageio_ffmpeg/binaries"


@pytest.mark.parametrize("name", cfg.METADATA)
def test_metadata_to_copy_is_installed(name):
    assert distribution(name).version


@pytest.mark.parametrize(("path", "drop"), [
    ("torch/test/test_api", True), ("torch/bin/test_api", True), ("torch/bin/torch_shm_manager", False),
    ("torch/include/ATen/ATen.h", True), ("torch/lib/libtorchbind_test.so", True),
    ("nvidia/cudnn/lib/libcudnn.so.9", True), ("libcudart.so.12", True), ("torch/lib/libtorch_cpu.so", False),
    ("torch/lib/libc10.so", False), ("PySide6/Qt/lib/libQt6Multimedia.so.6", False), ("cv2/cv2.abi3.so", False),
    ("ctranslate2.libs/libctranslate2-1.so.4", False), ("torch\\test\\x.exe", True),
])
def test_drop_patterns(path, drop):
    assert cfg.dropped(path) is drop


def test_platforms_are_data():
    assert set(cfg.PLATFORMS) == {"linux", "darwin", "win32"}
    assert cfg.platform_spec("freebsd14") == cfg.PLATFORMS["linux"]
    assert cfg.version() == distribution("hhir-studio").version


SELF_TEST = """
import json, sys
from hhir.selftest import run_self_test
failures = run_self_test()
print(json.dumps({"failures": failures, "modules": sorted(sys.modules)}))
"""


@pytest.mark.slow
def test_self_test_passes_unfrozen_without_any_excluded_module(tmp_path):
    proc = subprocess.run([sys.executable, "-c", SELF_TEST], capture_output=True, text=True, timeout=900,
                          cwd=ROOT, env={**os.environ, "HHIR_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["failures"] == []
    loaded = [m for m in result["modules"] if any(m == e or m.startswith(e + ".") for e in cfg.EXCLUDES)]
    assert loaded == [], f"the spec excludes modules the analysis loads: {loaded}"


def test_self_test_names_what_failed(tmp_path, monkeypatch):
    from hhir.selftest import run_self_test

    monkeypatch.setenv("HHIR_RESOURCES", str(tmp_path / "no resources here"))
    failures = run_self_test(workdir=tmp_path)
    assert failures and failures[0].startswith("analysis pipeline:")
    assert "no resources here" in failures[0]


def test_generated_video_has_the_cuts_it_claims(tmp_path):
    from hhir.media.probe import probe
    from hhir.segment.shots import detect_shots
    from hhir.selftest import make_test_video

    video = make_test_video(tmp_path / "-leading dash.mp4")
    info = probe(video.path)
    assert info.frame_count == video.frame_count and info.has_audio
    assert tuple(s.start_frame for s in detect_shots(video.path, info)[1:]) == video.cuts


@pytest.fixture
def tiny_app(tmp_path):
    """A stand-in for the one-folder app: an executable that says where it runs from."""
    app = tmp_path / "dist" / cfg.EXE_NAME
    (app / "_internal").mkdir(parents=True)
    exe = app / cfg.EXE_NAME
    exe.write_text(f"#!{sys.executable}\nimport sys; print('ran', sys.argv[1:])\n", encoding="utf-8")
    exe.chmod(0o755)
    (app / "_internal" / "data.txt").write_text("x", encoding="utf-8")
    return app


@pytest.mark.skipif(sys.platform != "linux", reason="Linux packages")
def test_linux_tarball_and_appdir_run_the_app(tiny_app, tmp_path):
    import tarfile

    from linux.package import appdir, tarball

    archive = tarball(tiny_app, tmp_path)
    with tarfile.open(archive) as tar:
        member = tar.getmember(f"{cfg.EXE_NAME}-{cfg.version()}/{cfg.EXE_NAME}")
        assert member.mode & 0o111 and f"{cfg.EXE_NAME}-{cfg.version()}/_internal/data.txt" in tar.getnames()
    root = appdir(tiny_app, tmp_path / "work")
    proc = subprocess.run([str(root / "AppRun"), "--", "-x y"], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "ran ['--', '-x y']"
    assert (root / f"{cfg.EXE_NAME}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"Exec={cfg.EXE_NAME} %F" in (root / f"{cfg.EXE_NAME}.desktop").read_text(encoding="utf-8")


@pytest.mark.skipif(not __import__("shutil").which("dpkg-deb"), reason="needs dpkg-deb")
def test_deb_package_is_valid(tiny_app, tmp_path):
    from linux.package import build_deb

    def run(cmd, **kwargs):
        return subprocess.run(cmd, check=True, capture_output=True, **kwargs)

    deb = build_deb(tiny_app, tmp_path / "work", tmp_path, run)
    info = subprocess.run(["dpkg-deb", "--info", str(deb)], capture_output=True, text=True, check=True).stdout
    assert f"Package: {cfg.EXE_NAME}" in info and f"Version: {cfg.version()}" in info
    files = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True).stdout
    assert f"./opt/{cfg.EXE_NAME}/{cfg.EXE_NAME}" in files and f"./usr/bin/{cfg.EXE_NAME} -> " in files


def _imports_inside_functions(path: Path) -> set[str]:
    """Modules a file imports inside its functions: what PyInstaller's analysis must still reach."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for func in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        for node in ast.walk(func):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return names


def _bundled(name: str) -> bool:
    in_package = any(name == p or name.startswith(p + ".") for p in cfg.HIDDEN_PACKAGES)
    return in_package or name in cfg.HIDDEN_IMPORTS or name.split(".")[0] in sys.stdlib_module_names


CHILD_FILES = [ROOT / "desktop" / "hhir_studio" / "ops" / "child.py", ROOT / "desktop" / "hhir_studio" / "ops" / "codec.py",
               ROOT / "desktop" / "hhir_studio" / "operations.py",
               *sorted((ROOT / "core" / "hhir" / "pipeline").glob("*.py")),
               ROOT / "desktop" / "hhir_studio" / "selftest" / "child.py"]


def test_the_analysis_child_and_what_it_imports_lazily_are_bundled():
    for name in ("hhir_studio.ops.child", "hhir_studio.operations", "hhir.pipeline"):
        assert name in cfg.HIDDEN_IMPORTS and importlib.util.find_spec(name) is not None, name
    lazy = set().union(*(_imports_inside_functions(p) for p in CHILD_FILES))
    assert {"hhir_studio.ops.codec", "hhir.pipeline", "hhir.store"} <= lazy  # the walk sees the real imports
    for name in sorted(lazy):
        assert importlib.util.find_spec(name) is not None, f"{name} is imported by the analysis child but missing"
        assert _bundled(name), f"{name}: imported lazily by the analysis child, not named by the spec"
        assert not any(name == e or name.startswith(e + ".") for e in cfg.EXCLUDES), f"the spec excludes {name}"


def test_entry_routes_the_analysis_child_flag_with_its_request(tmp_path):
    """``entry.py --op-child OP`` must reach the child (not the window) with the request (on stdin) intact."""
    from hhir_studio.ops.child import CHILD_FLAG

    import entry

    assert entry.CHILD_FLAG == CHILD_FLAG
    missing = tmp_path / "--self-test no such video.mp4"
    request = {"project": str(tmp_path / "p.sqlite"), "video_path": str(missing), "options": {}}
    proc = subprocess.run([sys.executable, str(INSTALLERS / "entry.py"), CHILD_FLAG, "analyze"], input=json.dumps(request) + "\n",
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "HHIR_DATA_DIR": str(tmp_path)})
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert proc.returncode != 0 and events, proc.stderr[-2000:]
    assert "error" in events[-1] and missing.name in events[-1]["error"], events


def test_ray_is_left_out_and_only_the_cluster_code_imports_it():
    """The app never starts a Ray cluster: Ray stays out of the bundle, and only hhir.cluster (which
    says how to install it when missing) imports it."""
    import ast

    assert "ray" in cfg.EXCLUDES
    importers = []
    for path in sorted((ROOT / "core").rglob("*.py")) + sorted((ROOT / "desktop").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            if any(n == "ray" or n.startswith("ray.") for n in names):
                importers.append(path.relative_to(ROOT).as_posix())
    assert importers and all(p.startswith("core/hhir/cluster/") for p in importers), importers
