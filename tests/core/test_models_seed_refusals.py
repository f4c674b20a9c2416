"""`hhir models import-seed` refuses what is no checkpoint by name, and says why: random bytes,
text, damaged checkpoints, a pickle that would run code, a FIFO or a device."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from hhir.errors import ModelError
from hhir.models.seed_checkpoint import import_seed, load_seed_state

H16 = Path(__file__).resolve().parents[1] / "fixtures" / "seed" / "classifier_h16" / "weights.pth"


def _refused(path: Path, tmp_path: Path) -> str:
    with pytest.raises(ModelError) as err:
        import_seed(path, tmp_path / "bundle", include_vivit=False)
    text = str(err.value)
    assert text.startswith(f"{path}: ") and "\n" not in text
    assert not (tmp_path / "bundle").exists()
    return text


def test_random_bytes_and_text_are_not_checkpoints_and_do_not_run_code(tmp_path: Path) -> None:
    noise = tmp_path / "noise.pth"
    noise.write_bytes(random.Random(7).randbytes(3000))
    assert "not a readable PyTorch checkpoint" in _refused(noise, tmp_path)
    for name, text in (("notes.pth", "hello, these are my notes\n"), ("script.pth", "import os\nprint('hi')\n")):
        path = tmp_path / name
        path.write_text(text)
        message = _refused(path, tmp_path)
        assert "not a readable PyTorch checkpoint (a text file" in message and "run code" not in message


def test_a_pickle_that_would_run_code_is_still_refused_as_such(tmp_path: Path) -> None:
    # protocol 2 pickle of os.system("true"): GLOBAL 'posix system', the argument, REDUCE
    evil = tmp_path / "evil.pth"
    evil.write_bytes(b"\x80\x02cposix\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.")
    assert "loading it would run code from the file" in _refused(evil, tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_fifo_or_a_device_is_named_not_called_missing(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.pth"
    os.mkfifo(fifo)
    assert "a named pipe (FIFO), not a checkpoint file" in _refused(fifo, tmp_path)  # and it did not block
    if Path("/dev/zero").exists():
        with pytest.raises(ModelError, match=r"^/dev/zero: a device, not a checkpoint file$"):
            import_seed("/dev/zero", tmp_path / "bundle", include_vivit=False)
    assert "does not exist" in _refused(tmp_path / "missing.pth", tmp_path)
    empty = tmp_path / "empty.pth"
    empty.touch()
    assert "empty" in _refused(empty, tmp_path)


def test_damaged_checkpoints_load_or_are_refused_by_name(tmp_path: Path) -> None:
    """120 copies of a real seed checkpoint with bytes flipped or cut: reading each (what
    import-seed does first) gives its tensors or a one-line refusal naming the file, never another
    error (they escaped as IndexError, UnicodeDecodeError, KeyError)."""
    good = H16.read_bytes()
    rng = random.Random(2024)
    refused = 0
    for i in range(120):
        data = bytearray(good)
        for _ in range(rng.randint(1, 12)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[:rng.randrange(len(data))]
        path = tmp_path / f"damaged-{i}.pth"
        path.write_bytes(bytes(data))
        try:
            state = load_seed_state(path)  # the flipped bytes were inside tensors' values
        except ModelError as exc:
            assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc), exc
            refused += 1
        else:
            assert state and all(isinstance(k, str) for k in state)
    assert refused >= 10  # the refusals were exercised, not only harmless flips
