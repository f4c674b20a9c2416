"""The Windows and macOS packaging code, run here on its inputs and outputs.

The builds themselves need those systems (the release workflow has a job for each); what runs on Linux
is checked here: the per-OS data against the real PySide6 wheels of those systems, the Inno Setup
script against what the spec and the Windows packager produce, a real ``.app`` assembled by
PyInstaller's own ``BUNDLE`` with the spec's options (its ``Info.plist`` read with plistlib), and what
the ``.dmg`` step is handed. Programs that only exist there (``iscc``, ``hdiutil``) are the one thing
replaced: a recorder takes their command line, and the test checks the files it would read.
"""

from __future__ import annotations

import json
import plistlib
import re
import sys
import zipfile
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
sys.path.insert(0, str(INSTALLERS))

import bundle_config as cfg  # noqa: E402
import check_package  # noqa: E402

ISS = INSTALLERS / "windows" / "hhir_studio.iss"
WHEELS = json.loads((ROOT / "tests" / "fixtures" / "pyside6_multimedia_plugins.json").read_text(encoding="utf-8"))
WHEEL_TAG = {"win32": "win_amd64", "darwin": "macosx_"}


class Recorder:
    """Stands in for a program this OS lacks: keeps each command line, and what its input folder held then."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.seen: dict[str, list[str]] = {}

    def __call__(self, cmd: list[str], **_: object) -> None:
        self.calls.append(cmd)
        if "-srcfolder" in cmd:
            folder = Path(cmd[cmd.index("-srcfolder") + 1])
            self.seen[str(folder)] = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
            self.seen["Applications"] = [str((folder / "Applications").readlink())]


# --- Qt's plugin folder and the windowed executable, per OS -----------------------------------------------


def test_fixture_lists_the_pinned_pyside6():
    assert WHEELS["version"] == installed_version("PySide6-Addons"), "refresh tests/fixtures/pyside6_multimedia_plugins.json"


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_qt_multimedia_plugins_are_where_the_spec_looks_in_that_systems_wheel(platform):
    (wheel,) = [name for name in WHEELS["wheels"] if WHEEL_TAG[platform] in name]
    ((_, dest),) = cfg.binary_folders(platform)
    in_folder = [n for n in WHEELS["wheels"][wheel] if n.startswith(dest + "/")]
    assert any("ffmpegmediaplugin" in n for n in in_folder), f"{dest}: no FFmpeg media plugin in {wheel}"


def test_qt_multimedia_plugins_are_where_the_spec_looks_here():
    ((folder, dest),) = cfg.binary_folders("linux")
    assert dest == "PySide6/Qt/plugins/multimedia" and any("ffmpegmediaplugin" in p.name for p in folder.iterdir())


@pytest.mark.parametrize(("platform", "console"), [("linux", True), ("win32", False), ("darwin", False)])
def test_the_executable_is_windowed_on_windows_and_macos(platform, console):
    options = cfg.exe_options(platform)
    assert options["name"] == cfg.EXE_NAME and options["console"] is console


def test_only_macos_gets_an_app_bundle():
    assert cfg.bundle_options("linux") is None and cfg.bundle_options("win32") is None
    assert cfg.bundle_options("darwin")["name"] == f"{cfg.APP_NAME}.app"


# --- Windows: the portable zip and the Inno Setup script -----------------------------------------------------


def _iss_defines(text: str) -> dict[str, str]:
    return dict(re.findall(r'^#define (\w+) "([^"]*)"', text, flags=re.MULTILINE))


def _iss_expand(value: str, defines: dict[str, str]) -> str:
    return re.sub(r"\{#(\w+)\}", lambda m: defines[m.group(1)], value)


@pytest.fixture
def windows_app(tmp_path):
    """The one-folder app as the spec lays it out on Windows: the executable at its top, data below."""
    app = tmp_path / "dist" / cfg.EXE_NAME
    (app / "_internal" / "PySide6" / "plugins" / "multimedia").mkdir(parents=True)
    (app / f"{cfg.EXE_NAME}.exe").write_bytes(b"MZ")
    (app / "_internal" / "PySide6" / "plugins" / "multimedia" / "ffmpegmediaplugin.dll").write_bytes(b"MZ")
    return app


def test_windows_packages_and_the_inno_setup_script_agree(windows_app, monkeypatch):
    from windows import package as win

    monkeypatch.setattr(win, "find_iscc", lambda: "iscc")
    iscc = Recorder()
    dist = windows_app.parent
    zip_path, setup_exe = win.package_windows(windows_app, dist, iscc)

    # The zip: one folder with the executable at its top, as check_package unpacks it.
    assert zip_path == check_package.package_path(dist, "win32")
    with zipfile.ZipFile(zip_path) as archive:
        assert f"{cfg.EXE_NAME}/{cfg.EXE_NAME}.exe" in archive.namelist()
        assert f"{cfg.EXE_NAME}/_internal/PySide6/plugins/multimedia/ffmpegmediaplugin.dll" in archive.namelist()

    # iscc gets the script and exactly the defines it needs.
    ((program, *defines, script),) = iscc.calls
    assert program == "iscc" and Path(script) == ISS
    passed = dict(d.removeprefix("/D").split("=", 1) for d in defines)
    assert passed == {"AppVersion": cfg.version(), "SourceDir": str(windows_app), "OutputDir": str(dist)}
    text = ISS.read_text(encoding="utf-8")
    used = set(re.findall(r"\{#(\w+)\}", text)) | set(re.findall(r"^#ifndef (\w+)", text, flags=re.MULTILINE))
    defines = {**_iss_defines(text), **passed}
    assert used <= set(defines), f"the script uses defines nobody sets: {used - set(defines)}"

    # The files it names are the ones the spec and the packager produce.
    assert defines["ExeName"] == f"{cfg.EXE_NAME}.exe" and (windows_app / defines["ExeName"]).is_file()
    setup = dict(re.findall(r"^(\w+)=(.*)$", text.split("[Setup]")[1].split("\n[")[0], flags=re.MULTILINE))
    assert Path(_iss_expand(setup["OutputDir"], defines)) == dist
    assert dist / (_iss_expand(setup["OutputBaseFilename"], defines) + ".exe") == setup_exe
    assert _iss_expand(setup["AppName"], defines) == cfg.APP_NAME
    assert re.fullmatch(r"\{\{[0-9A-F]{8}-([0-9A-F]{4}-){3}[0-9A-F]{12}\}", setup["AppId"])  # "{{" escapes "{"
    (files,) = re.findall(r'^Source: "([^"]+)"; DestDir: "\{app\}"; Flags: (.*)$', text, flags=re.MULTILINE)
    assert files[0] == "{#SourceDir}\\*" and "recursesubdirs" in files[1]
    shortcuts = re.findall(r'^Name: "[^"]+"; Filename: "\{app\}\\([^"]+)"', text, flags=re.MULTILINE)
    assert shortcuts and all(_iss_expand(s, defines) == f"{cfg.EXE_NAME}.exe" for s in shortcuts)


def test_windows_zip_without_inno_setup(windows_app, monkeypatch, capsys):
    from windows import package as win

    monkeypatch.setattr(win, "find_iscc", lambda: None)
    iscc = Recorder()
    assert win.package_windows(windows_app, windows_app.parent, iscc) == [check_package.package_path(windows_app.parent, "win32")]
    assert iscc.calls == [] and "Inno Setup" in capsys.readouterr().out


# --- macOS: the .app PyInstaller assembles, its Info.plist, and the .dmg step ----------------------------------


@pytest.fixture
def mac_app(tmp_path, monkeypatch):
    """A real ``.app``, assembled by PyInstaller's own BUNDLE with the spec's macOS options.

    BUNDLE runs only on macOS (it checks ``is_darwin``); told it is, it builds the bundle's folders and
    Info.plist here the same way. The COLLECT it is handed carries the spec's windowed setting and a
    stand-in executable. Its code signing needs ``codesign``, so it only warns here."""
    from PyInstaller.building import api, osx
    from PyInstaller.config import CONF

    for key, value in {"workpath": tmp_path / "work", "distpath": tmp_path / "dist", "specpath": INSTALLERS}.items():
        value.mkdir(exist_ok=True)
        monkeypatch.setitem(CONF, key, str(value))
    monkeypatch.setitem(CONF, "spec", str(INSTALLERS / "hhir_studio.spec"))
    monkeypatch.setitem(CONF, "code_cache", {})
    monkeypatch.setattr(osx, "is_darwin", True)

    exe = tmp_path / "work" / cfg.EXE_NAME
    exe.write_text("#!/bin/sh\n", encoding="utf-8")
    data = tmp_path / "work" / "default.json"
    data.write_text("{}", encoding="utf-8")
    collect = object.__new__(api.COLLECT)  # its fields as the spec's COLLECT(EXE(...)) sets them
    collect.toc = [(cfg.EXE_NAME, str(exe), "EXECUTABLE"), ("hhir/resources/labels/default.json", str(data), "DATA")]
    collect.console = cfg.exe_options("darwin")["console"]
    collect.strip_binaries = collect.upx_binaries = False
    collect.upx_exclude, collect.target_arch, collect.codesign_identity, collect.entitlements_file = [], None, None, None

    options = cfg.bundle_options("darwin")
    if options["icon"] is None:  # PyInstaller's default .icns ships only in its macOS wheels
        icon = tmp_path / "work" / "icon.icns"
        icon.write_bytes(b"icns\x00\x00\x00\x08")
        options = {**options, "icon": str(icon)}
    osx.BUNDLE(collect, **options)
    app = tmp_path / "dist" / f"{cfg.APP_NAME}.app"
    assert app.is_dir()
    return app


def test_info_plist_is_valid_and_says_what_the_app_is(mac_app):
    plist = plistlib.loads((mac_app / "Contents" / "Info.plist").read_bytes())
    assert plist["CFBundleExecutable"] == cfg.EXE_NAME and (mac_app / "Contents" / "MacOS" / cfg.EXE_NAME).is_file()
    assert plist["CFBundleIdentifier"] == cfg.BUNDLE_ID and re.fullmatch(r"[a-z]+(\.[a-z]+)+", cfg.BUNDLE_ID)
    assert plist["CFBundleName"] == cfg.APP_NAME and plist["CFBundlePackageType"] == "APPL"
    assert plist["CFBundleShortVersionString"] == plist["CFBundleVersion"] == cfg.version()
    assert plist["LSMinimumSystemVersion"] == cfg.MACOS_MINIMUM == "14.0"  # torch 2.13.0's macOS wheel
    assert plist["NSHighResolutionCapable"] is True
    assert "LSBackgroundOnly" not in plist, "a console EXE: the app would start with no Dock icon and no menu bar"
    assert (mac_app / "Contents" / "Resources" / plist["CFBundleIconFile"]).is_file()
    assert (mac_app / "Contents" / "Resources" / "hhir" / "resources" / "labels" / "default.json").is_file()


def test_dmg_is_made_from_the_app_and_an_applications_link(mac_app):
    from macos.package import package_macos

    hdiutil = Recorder()
    dist = mac_app.parent
    (out,) = package_macos(mac_app, dist, hdiutil)
    ((*args, target),) = hdiutil.calls
    stage = args[args.index("-srcfolder") + 1]
    assert args[:2] == ["hdiutil", "create"] and args[args.index("-volname") + 1] == cfg.APP_NAME
    assert args[args.index("-format") + 1] == "UDZO" and "-ov" in args
    assert Path(target) == out == check_package.package_path(dist, "darwin")
    assert f"{cfg.APP_NAME}.app/Contents/Info.plist" in hdiutil.seen[stage]
    assert f"{cfg.APP_NAME}.app/Contents/MacOS/{cfg.EXE_NAME}" in hdiutil.seen[stage]
    assert hdiutil.seen["Applications"] == ["/Applications"]
    assert not Path(stage).exists() and mac_app.is_dir()  # the staging copy goes, the built app stays


def test_dmg_step_says_when_there_is_no_app(tmp_path):
    from macos.package import package_macos

    with pytest.raises(FileNotFoundError, match=r"HHIR Studio\.app: PyInstaller did not produce"):
        package_macos(tmp_path / f"{cfg.APP_NAME}.app", tmp_path, Recorder())
