"""The public API: cheap to import, every name in ``__all__`` resolves, and the script that
docs/internals.md shows runs as it is on a real video."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "internals.md"


def test_import_is_cheap_and_every_public_name_resolves():
    script = ("import sys, hhir; heavy = [m for m in ('torch', 'cv2', 'av', 'transformers', 'sqlalchemy') "
              "if m in sys.modules]; [getattr(hhir, n) for n in hhir.__all__]; print(heavy, len(hhir.__all__))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    heavy, count = out.stdout.rsplit(" ", 1)
    assert heavy == "[]" and int(count) >= 10


def test_an_unknown_name_is_an_attribute_error():
    import hhir

    with pytest.raises(AttributeError, match="no_such_thing"):
        hhir.no_such_thing  # noqa: B018


@pytest.mark.slow
def test_the_documented_script_analyzes_a_video_and_prints_its_predictions(scene_video, tmp_path):
    (block,) = re.findall(r"## Public API.*?```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    script = tmp_path / "example.py"
    script.write_text(block, encoding="utf-8")
    assert len([line for line in block.splitlines() if line.strip()]) <= 14  # short, as promised
    proc = subprocess.run([sys.executable, str(script), str(scene_video), str(tmp_path / "p.sqlite3")],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path, env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert any(line.startswith("scene: {") and "'talks to'" in line for line in lines)
    clips = [line for line in lines if line.startswith("clip ")]
    assert len(clips) == 3 and all("most likely" in line for line in clips)  # five shots, three-shot windows
