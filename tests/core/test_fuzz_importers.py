"""Fuzzed imports: every importer either succeeds or raises a user error naming the file, in bounded
time, and a failed import leaves the project exactly as it was.

Inputs are random bytes and mutations of a valid file of each format (truncation, flipped and
inserted bytes, random unicode, numbers replaced by huge, negative or NaN values, deep nesting).
Runs are derandomized, so a failure found here is found again on every machine.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hhir.errors import HHIRError
from hhir.exchange import ExportOptions, ImportOptions, export, import_
from hhir.store import Store
from hhir.types import AnnotationState, Target
from test_exchange_helpers import make_project

HANG_LIMIT_S = 10  # far beyond any legitimate import of a few kilobytes: hitting it means a hang
FUZZ = settings(
    max_examples=150, derandomize=True, database=None, deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
ODD_NUMBERS = [b"-1", b"-0.5", b"NaN", b"nan", b"inf", b"-inf", b"1e308", b"1e999", b"9" * 5000,
               b"18446744073709551617", b"0", b"\xc2\xb2", b"\xd9\xa3", b"1_0", b" 1 "]


class Fuzzed:
    """The project under fuzzing, a folder for the inputs, and one valid file per format.

    A plain class rather than a dataclass so hypothesis' failure reports stay one line long.
    """

    def __init__(self, store: Store, folder: Path, seeds: dict[str, tuple[str, bytes]]) -> None:
        self.store, self.folder = store, folder
        self.seeds = seeds  # format -> (file name, valid content)

    def __repr__(self) -> str:
        return f"Fuzzed({self.store.path})"


def _valid_files(store: Store, out: Path) -> dict[str, tuple[str, bytes]]:
    """One valid file per importable format, exported from the project itself where possible."""
    for fmt in ("manifest", "eaf", "labelstudio", "srt", "vtt", "shots"):
        export(store, fmt, out / fmt, ExportOptions())
    pick = {"manifest": "manifest.csv", "eaf": "scene_0.eaf", "labelstudio": "tasks.json",
            "srt": "scene_0.srt", "vtt": "scene_0.vtt", "shots": "scene_0-Scenes.csv"}
    files = {fmt: (name, (out / fmt / name).read_bytes()) for fmt, name in pick.items()}
    # The seed layout needs the original media to export; its label CSV is small enough to write.
    files["seed"] = ("scene_0.csv", b"Clip,Interaction\nscene_0_clip0000,asks\nscene_0_clip0001,watches\n")
    return files


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    root = tmp_path_factory.mktemp("fuzz")
    store, videos = make_project(root / "p.sqlite")
    for video in videos:
        clips = store.clips(video.id)
        store.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.PRESENT, "alice")
        store.annotate(Target(video.id, clips[1].id), "watches", AnnotationState.ABSENT, "alice")
        store.annotate(Target(video.id), "talks to", AnnotationState.PRESENT, "bob")
    seeds = _valid_files(store, root / "valid")
    (root / "in").mkdir()
    yield Fuzzed(store, root / "in", seeds)
    store.close()


def _snapshot(store: Store) -> tuple:
    """Everything an import may write, in comparable form."""
    per_video = tuple(
        (v, tuple(store.shots(v.id)), tuple(store.clips(v.id)), tuple(store.transcript(v.id)))
        for v in store.videos()
    )
    return tuple(store.annotations()), per_video


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang(f"import still running after {HANG_LIMIT_S} s")


def _import_checked(fuzzed: Fuzzed, fmt: str, name: str, content: bytes, replace: bool) -> None:
    path = fuzzed.folder / name
    path.write_bytes(content)
    before = _snapshot(fuzzed.store)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG_LIMIT_S)
    try:
        report = import_(fuzzed.store, fmt, path, ImportOptions(replace=replace))
    except HHIRError as exc:
        event(f"refused: {type(exc).__name__}")
        assert name in str(exc), f"the error does not name the file: {exc}"
        assert _snapshot(fuzzed.store) == before, f"a failed import changed the project: {exc}"
    else:
        changed = _snapshot(fuzzed.store) != before
        event("imported, project changed" if changed else "imported, nothing to change")
        assert report.path == str(path)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# Mutations of a valid file -------------------------------------------------------------------

def _truncate(data: bytes, at: int, _: bytes) -> bytes:
    return data[: at % (len(data) + 1)]


def _flip(data: bytes, at: int, extra: bytes) -> bytes:
    if not data:
        return data
    i = at % len(data)
    return data[:i] + bytes([data[i] ^ (extra[0] if extra else 0xFF) or 1]) + data[i + 1:]


def _insert(data: bytes, at: int, extra: bytes) -> bytes:
    i = at % (len(data) + 1)
    return data[:i] + extra + data[i:]


def _delete(data: bytes, at: int, extra: bytes) -> bytes:
    i = at % (len(data) + 1)
    return data[:i] + data[i + 1 + len(extra):]


def _odd_number(data: bytes, at: int, extra: bytes) -> bytes:
    spans = [m.span() for m in re.finditer(rb"\d+(?:\.\d+)?", data)]
    if not spans:
        return data
    start, end = spans[at % len(spans)]
    return data[:start] + ODD_NUMBERS[(extra[0] if extra else at) % len(ODD_NUMBERS)] + data[end:]


def _nest(data: bytes, at: int, extra: bytes) -> bytes:
    """Deep nesting at a random point: JSON arrays and objects, or XML elements."""
    depth = 10 ** (1 + at % 5)  # 10 .. 100000
    i = at % (len(data) + 1)
    if data.lstrip().startswith(b"<"):
        return data[:i] + b"<x>" * depth + b"</x>" * depth + data[i:]
    opener, closer = (b'{"a":', b"}") if extra and extra[0] % 2 else (b"[", b"]")
    return data[:i] + opener * depth + b"1" + closer * depth + data[i:]


MUTATIONS = (_truncate, _flip, _insert, _delete, _odd_number, _nest)
_extra = st.one_of(st.binary(min_size=1, max_size=16), st.text(min_size=1, max_size=8).map(lambda t: t.encode("utf-8")))


@st.composite
def inputs(draw: st.DrawFn, seed: bytes) -> bytes:
    """Random bytes, random text, or a valid file with one to four mutations."""
    kind = draw(st.sampled_from(["bytes", "text", "mutated", "mutated", "mutated"]))
    if kind == "bytes":
        return draw(st.binary(max_size=2000))
    if kind == "text":
        return draw(st.text(max_size=500)).encode("utf-8", "surrogatepass")
    data = seed
    for _ in range(draw(st.sampled_from([1, 1, 2, 3, 4]))):  # mostly one, so many inputs get far
        mutate = draw(st.sampled_from(MUTATIONS))
        data = mutate(data, draw(st.integers(0, 2**31)), draw(_extra))
    return data


def _fuzz(fmt: str):
    @FUZZ
    @given(data=st.data(), replace=st.booleans())
    def run(fuzzed: Fuzzed, data: st.DataObject, replace: bool) -> None:
        name, seed = fuzzed.seeds[fmt]
        _import_checked(fuzzed, fmt, name, data.draw(inputs(seed)), replace)

    return run


@pytest.mark.parametrize("fmt", ["seed", "manifest", "eaf", "labelstudio", "srt", "vtt", "shots"])
def test_valid_files_import(fuzzed: Fuzzed, fmt: str) -> None:
    """The unmutated files go through, so the fuzzing starts from inputs that reach the writes."""
    name, seed = fuzzed.seeds[fmt]
    path = fuzzed.folder / f"valid-{fmt}" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(seed)
    import_(fuzzed.store, fmt, path, ImportOptions())


_SCENES_HEAD = (b"Timecode List:\nScene Number,Start Frame,Start Timecode,Start Time (seconds),End Frame,End Timecode,"
                b"End Time (seconds),Length (frames),Length (timecode),Length (seconds)\n")
REGRESSIONS = [  # inputs the fuzzing found; each once escaped as a non-user error
    ("seed", "scene_0.csv", b"Clip,Interaction\nscene_0_clip" + b"9" * 5000 + b",asks\n"),
    ("eaf", "scene_0.eaf", b"<?xml version='1.0' encoding='utf--1'?><ANNOTATION_DOCUMENT/>"),
    ("eaf", "scene_0.eaf", b"<ANNOTATION_DOCUMENT><TIME_ORDER><TIME_SLOT TIME_SLOT_ID='ts1' TIME_VALUE='"
     + b"9" * 5000 + b"'/></TIME_ORDER></ANNOTATION_DOCUMENT>"),
    ("eaf", "scene_0.eaf", "<ANNOTATION_DOCUMENT><TIME_ORDER><TIME_SLOT TIME_SLOT_ID='ts1' TIME_VALUE='\u00b2'/>"
     "</TIME_ORDER></ANNOTATION_DOCUMENT>".encode()),
    ("labelstudio", "tasks.json", b'[{"data": {"clip_index": ' + b"9" * 5000 + b"}}]"),
    ("labelstudio", "tasks.json", b"[" * 100_000 + b"]" * 100_000),
    ("labelstudio", "tasks.json", b'[{"data": {"clip_index": NaN, "start": 0, "end": 1}, "annotations": []}]'),
    ("labelstudio", "tasks.json", b'[{"data": {"clip_index": 1, "start": Infinity, "end": 1}, "annotations": []}]'),
    ("labelstudio", "tasks.json", b'[{"data": {"clip_index": 1' + b"0" * 400 + b', "start": 0, "end": 1}}]'),
    ("srt", "scene_0.srt", b"1\n" + b"9" * 5000 + b":00:00,000 --> 00:00:01,000\nhi\n"),
    ("shots", "scene_0-Scenes.csv", b"x" * 200_000),
    ("shots", "scene_0-Scenes.csv", _SCENES_HEAD + b"1,1,a,0.0,40,b,1.6,40,c,1.6\n2,51,a,2.0,80,b,3.2,30,c,1.2\n"),
    ("shots", "scene_0-Scenes.csv", _SCENES_HEAD),
    ("shots", "scene_0-Scenes.csv", _SCENES_HEAD + b"1,11,a,0.4,40,b,1.6,30,c,1.2\n"),
]


@pytest.mark.parametrize("fmt, name, content", REGRESSIONS, ids=[f"{r[0]}-{i}" for i, r in enumerate(REGRESSIONS)])
def test_found_inputs_give_user_errors(fuzzed: Fuzzed, fmt: str, name: str, content: bytes) -> None:
    before = _snapshot(fuzzed.store)
    path = fuzzed.folder / name
    path.write_bytes(content)
    with pytest.raises(HHIRError, match=re.escape(name)):
        import_(fuzzed.store, fmt, path, ImportOptions(replace=True))
    assert _snapshot(fuzzed.store) == before


test_fuzz_seed_csv = _fuzz("seed")
test_fuzz_manifest = _fuzz("manifest")
test_fuzz_eaf = _fuzz("eaf")
test_fuzz_labelstudio = _fuzz("labelstudio")
test_fuzz_srt = _fuzz("srt")
test_fuzz_vtt = _fuzz("vtt")
test_fuzz_shots = _fuzz("shots")
