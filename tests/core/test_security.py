"""Hostile inputs: no shell or code-running loaders in the source, file names that look like
options, export names that try to leave their folder, and project files with a planted schema."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest

from hhir.errors import StoreError
from hhir.exchange import ExportOptions, export
from hhir.segment.clips import build_clips
from hhir.store import Store
from hhir.types import AnnotationState, LabelDef, Shot, Target, TranscriptSegment, VideoInfo

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("core", "desktop")
SHELL_CALLS = {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
               "asyncio.create_subprocess_shell", *(f"os.{n}" for n in (
                   "execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe",
                   "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe"))}
CODE_LOADERS = {"pickle.load", "pickle.loads", "pickle.Unpickler", "marshal.load", "marshal.loads", "shelve.open",
                "dill.load", "dill.loads", "cloudpickle.load", "cloudpickle.loads", "joblib.load",
                "yaml.load", "yaml.unsafe_load", "yaml.full_load"}
SUBPROCESS_CALLS = {"subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_call",
                    "subprocess.check_output"}


# The scanner ----------------------------------------------------------------------------------

def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> dotted module path, from the file's imports (``import x as y``, ``from x import y``)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                names[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                names[a.asname or a.name] = f"{node.module}.{a.name}"
    return names


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _list_bound(name: str, scope: ast.AST, tree: ast.AST) -> bool:
    """True when every assignment to ``name`` in ``scope`` assigns a list display, or the result of a
    function of this file annotated ``-> list[...]``."""
    values = [n.value for n in ast.walk(scope) if isinstance(n, ast.Assign)
              and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)]
    return bool(values) and all(isinstance(v, (ast.List, ast.ListComp))
                                or (isinstance(v, ast.Call) and _returns_list(v.func, tree)) for v in values)


def _returns_list(func: ast.expr, tree: ast.AST) -> bool:
    """True for a call of a function defined in the same file and annotated ``-> list[...]``."""
    if not isinstance(func, ast.Name):
        return False
    defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == func.id]
    return bool(defs) and all(isinstance(d.returns, ast.Subscript) and isinstance(d.returns.value, ast.Name)
                              and d.returns.value.id == "list" for d in defs)


def _smuggled_shell(tree: ast.AST) -> list[int]:
    """Lines where ``shell`` is set through a dict (for ``**kwargs``) rather than a keyword."""
    lines = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Dict)
             and any(isinstance(k, ast.Constant) and k.value == "shell" for k in n.keys)]
    return lines + [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                    and n.func.id == "dict" and _keyword(n, "shell") is not None]


def _call_problems(call: ast.Call, name: str, scope: ast.AST, tree: ast.AST) -> list[str]:
    problems = []
    shell = _keyword(call, "shell")
    if shell is not None and not (isinstance(shell, ast.Constant) and shell.value is False):
        problems.append(f"{name}(shell=...)")
    if name in SHELL_CALLS:
        problems.append(f"{name}() runs a shell or replaces the process")
    if name in CODE_LOADERS:
        problems.append(f"{name}() can run code from a file")
    if name in ("eval", "exec", "builtins.eval", "builtins.exec"):
        problems.append(f"{name}()")
    if name.endswith("torch.load") and not _is_true(_keyword(call, "weights_only")):
        problems.append("torch.load without weights_only=True")
    if name.endswith("numpy.load") and _keyword(call, "allow_pickle") is not None and not (
            isinstance(_keyword(call, "allow_pickle"), ast.Constant) and _keyword(call, "allow_pickle").value is False):
        problems.append("numpy.load(allow_pickle=...)")
    if name in SUBPROCESS_CALLS:
        first = call.args[0] if call.args else _keyword(call, "args")
        listed = (isinstance(first, (ast.List, ast.ListComp)) or (isinstance(first, ast.Name) and _list_bound(first.id, scope, tree))
                  or (isinstance(first, ast.Call) and _returns_list(first.func, tree)))
        if not listed:
            problems.append(f"{name}() without an argument list")
    return problems


def scan_source(source: str, filename: str = "<source>") -> list[str]:
    """Every risky call in ``source`` as ``file:line: problem``."""
    tree = ast.parse(source, filename)
    aliases = _aliases(tree)
    found = []
    scopes = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for scope in [tree, *scopes]:
        body_calls = [n for n in ast.walk(scope) if isinstance(n, ast.Call)]
        for call in body_calls:
            name = _dotted(call.func, aliases)
            found += [f"{filename}:{call.lineno}: {p}" for p in _call_problems(call, name, scope, tree)]
    found += [f"{filename}:{line}: shell set through a dict" for line in _smuggled_shell(tree)]
    return sorted(set(found))


def _sources() -> list[Path]:
    return sorted(p for folder in SCANNED for p in (ROOT / folder).rglob("*.py"))


# Tests of the scanner itself, so a clean scan means something ---------------------------------

@pytest.mark.parametrize("snippet, problem", [
    ("import subprocess\nsubprocess.run('ls ' + name, shell=True)", "shell=..."),
    ("import subprocess as sp\nsp.Popen(cmd_string)", "without an argument list"),
    ("from subprocess import check_output\ncheck_output(f'ffmpeg -i {x}')", "without an argument list"),
    ("import os\nos.system('rm -rf x')", "os.system"),
    ("from os import popen\npopen('ls')", "os.popen"),
    ("import pickle\npickle.loads(data)", "pickle.loads"),
    ("import torch\ntorch.load(path)", "weights_only"),
    ("import torch\ntorch.load(path, weights_only=False)", "weights_only"),
    ("import numpy as np\nnp.load(path, allow_pickle=True)", "allow_pickle"),
    ("eval(text)", "eval"),
    ("exec(code)", "exec"),
    ("import yaml\nyaml.load(text)", "yaml.load"),
    ("import subprocess\ndef cmd() -> str:\n    return 'ls'\nsubprocess.run(cmd())", "without an argument list"),
    ("import subprocess\nsubprocess.run(['ls'], **{'shell': True})", "shell set through a dict"),
    ("import subprocess\nopts = dict(shell=True)\nsubprocess.run(['ls'], **opts)", "shell set through a dict"),
])
def test_scanner_finds_risky_calls(snippet: str, problem: str) -> None:
    found = scan_source(snippet)
    assert found and any(problem in f for f in found), found


@pytest.mark.parametrize("snippet", [
    "import subprocess\nsubprocess.run(['ffmpeg', '-i', path], check=True)",
    "import subprocess\ndef f(x):\n    cmd = ['ffmpeg', '-i', x]\n    subprocess.Popen(cmd, shell=False)",
    "import torch\ntorch.load(path, map_location='cpu', weights_only=True)",
    "import subprocess\ndef cmd(x) -> list[str]:\n    return ['ffmpeg', x]\nsubprocess.Popen(cmd(p), **extra())",
    "import subprocess\ndef cmd(x) -> list[str]:\n    return ['ffmpeg', x]\ndef run(p):\n    c = cmd(p)\n    subprocess.Popen(c)",
    "import pickle\ntry:\n    pass\nexcept pickle.UnpicklingError:\n    pass",
    "model.eval()",
])
def test_scanner_accepts_safe_calls(snippet: str) -> None:
    assert scan_source(snippet) == []


def test_no_shell_no_code_loading_in_the_app() -> None:
    files = _sources()
    assert len(files) > 50, "the scan found too few files to mean anything"
    found = [p for f in files for p in scan_source(f.read_text(encoding="utf-8"), str(f.relative_to(ROOT)))]
    assert found == []


# File names that look like options --------------------------------------------------------------

@pytest.mark.parametrize("src_name, dst_name", [("-y.mp4", "--help.mp4"), ("--help.mp4", "-i.mp4")])
def test_ffmpeg_never_reads_a_file_name_as_an_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     src_name: str, dst_name: str) -> None:
    from media_factory import make_video

    from hhir.media.ffmpeg import cut_clip
    from hhir.media.probe import probe

    make_video(tmp_path / src_name, [(25, "red"), (25, "blue")], fps=25)
    monkeypatch.chdir(tmp_path)  # relative names, exactly as a user's file list would hand them over
    out = cut_clip(src_name, 0.4, 1.2, dst_name)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([src_name, dst_name])
    assert out == tmp_path / dst_name
    info = probe(out)
    assert info.has_video and info.has_audio
    assert info.frame_count == 20
    assert abs(info.duration_s - 0.8) < 0.1


# Export names that try to leave the output folder ------------------------------------------------

HOSTILE_PATHS = ["/media/../../../escaped.mp4", "/media/..", "..", "../../x/..", "C:\\film\\..\\..\\evil.mp4",
                 "/media/sub/../../..\\..\\win.mp4", "/media/ .. .mp4", "/media/con.mp4", "/media/a/b:c.mp4"]


def _hostile_project(db: Path) -> Store:
    store = Store(db)
    shots = [Shot(i, i * 40, (i + 1) * 40, i * 1.6, (i + 1) * 1.6) for i in range(4)]
    for n, path in enumerate(HOSTILE_PATHS):
        video = store.add_video(VideoInfo(path, 6.4, 25.0, 160, 160, 120, True, fingerprint=f"hostile{n}"))
        store.set_shots(video.id, shots)
        clips = store.set_clips(video.id, build_clips(shots))
        store.set_transcript(video.id, [TranscriptSegment(0.2, 1.0, "Hello there.")])
        store.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.PRESENT, "alice")
        store.annotate(Target(video.id), "talks to", AnnotationState.ABSENT, "../../bob")
    return store


def _tree(root: Path) -> set[Path]:
    return set(root.rglob("*"))


@pytest.mark.parametrize("fmt", ["manifest", "eaf", "ava", "ava-slowfast", "labelstudio", "srt", "vtt", "shots"])
def test_export_names_stay_inside_the_output_folder(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "sandbox" / "deep" / "out"
    out.mkdir(parents=True)
    store = _hostile_project(tmp_path / "p.sqlite")
    try:
        before = _tree(tmp_path)
        report = export(store, fmt, out, ExportOptions())
    finally:
        store.close()
    created = _tree(tmp_path) - before
    assert created, "the export wrote nothing"
    assert all(out in p.parents for p in created), sorted(map(str, created))
    assert all(Path(f).resolve().parent == out.resolve() or out.resolve() in Path(f).resolve().parents for f in report.files)
    if fmt in ("eaf", "srt", "vtt", "shots"):  # one file per video: nine hostile names, nine distinct files
        assert len({Path(f).name for f in report.files}) == len(HOSTILE_PATHS)


def test_seed_export_of_a_video_named_dot_dot_stays_inside(tmp_path: Path) -> None:
    from media_factory import make_video

    media = tmp_path / "media"
    media.mkdir()
    video_file = make_video(media / "..mp4", [(30, "red"), (30, "green"), (30, "blue")], fps=25)
    store = Store(tmp_path / "p.sqlite")
    try:
        from hhir.media.probe import probe

        video = store.add_video(probe(video_file))
        shots = [Shot(i, i * 30, (i + 1) * 30, i * 1.2, (i + 1) * 1.2) for i in range(3)]
        store.set_shots(video.id, shots)
        clips = store.set_clips(video.id, build_clips(shots))
        store.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.PRESENT, "alice")
        out = tmp_path / "export"
        before = _tree(tmp_path)
        export(store, "seed", out, ExportOptions(test_fraction=0.0))
    finally:
        store.close()
    created = _tree(tmp_path) - before - {tmp_path / "p.sqlite-wal", tmp_path / "p.sqlite-shm"}
    assert any(p.suffix == ".mp4" for p in created)
    assert all(p == out or out in p.parents for p in created), sorted(map(str, created))


# Project files from elsewhere --------------------------------------------------------------------

def _project_with(db: Path, sql: str) -> int:
    """A real project, then ``sql`` planted with a plain sqlite3 connection that knows ``regexp``."""
    store = Store(db)
    video = store.add_video(VideoInfo("/m/a.mp4", 6.4, 25.0, 160, 160, 120, True, fingerprint="fp"))
    store.annotate(Target(video.id), "asks", AnnotationState.PRESENT, "alice")
    store.close()
    conn = sqlite3.connect(db)
    try:
        conn.create_function("regexp", 2, lambda pattern, text: 1, deterministic=True)
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()
    return video.id


def _rows(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("kind, sql", [
    ("trigger", "CREATE TRIGGER planted AFTER INSERT ON annotations BEGIN DELETE FROM annotations; END"),
    ("trigger", "CREATE TRIGGER planted AFTER INSERT ON annotations BEGIN SELECT regexp('a', new.label); END"),
    ("trigger", "CREATE TRIGGER planted AFTER INSERT ON annotations BEGIN SELECT load_extension('/tmp/evil.so'); END"),
    ("view", "CREATE VIEW planted AS SELECT regexp('a', name) AS hit FROM labels"),
])
def test_planted_trigger_or_view_is_refused_at_open(tmp_path: Path, kind: str, sql: str) -> None:
    db = tmp_path / "from elsewhere.sqlite"
    _project_with(db, sql)
    before = db.read_bytes()
    with pytest.raises(StoreError, match=rf"from elsewhere\.sqlite: contains {kind} planted"):
        Store(db)
    assert db.read_bytes() == before


@pytest.mark.parametrize("sql", [
    "CREATE INDEX planted ON labels(regexp('a', name))",
    "ALTER TABLE labels ADD COLUMN planted GENERATED ALWAYS AS (regexp('a', name)) VIRTUAL",
])
def test_function_planted_in_the_schema_never_runs(tmp_path: Path, sql: str) -> None:
    """``trusted_schema=OFF``: an index or column calling an app-defined function cannot run it."""
    db = tmp_path / "indexed.sqlite"
    _project_with(db, sql)
    labels = _rows(db, "labels")
    store = Store(db)
    try:
        assert len(store.annotations()) == 1  # reading is fine
        with pytest.raises(StoreError, match=r"indexed\.sqlite: unsafe use of regexp\(\)"):
            store.add_label(LabelDef("hugs", "one person hugs another"))
    finally:
        store.close()
    assert _rows(db, "labels") == labels


@pytest.mark.parametrize("content", [
    b"",  # handled: an empty file is a new project
    b"not a database at all\n" * 10,
])
def test_non_sqlite_files_are_refused_or_started_fresh(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "given.sqlite"
    db.write_bytes(content)
    if content:
        with pytest.raises(StoreError, match=r"given\.sqlite: not a SQLite database"):
            Store(db)
        assert db.read_bytes() == content
    else:
        Store(db).close()


def test_unrelated_sqlite_file_is_refused_and_left_byte_for_byte(tmp_path: Path) -> None:
    db = tmp_path / "browser-history.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO urls (url) VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match=r"browser-history\.sqlite: a SQLite database, but not an HHIR Studio project"):
        Store(db)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["browser-history.sqlite"]
