"""Does the window's analysis path work in this installation? Run one analysis in a child process.

The desktop app never analyzes in its own process: it starts itself again with ``--op-child``
(see :mod:`hhir_studio.ops.child`). A frozen build can pass every in-process check and still break
here: the flag not routed, a module the child imports lazily left out. This check drives the real
child command, exactly as the window does, on a generated video, and reads the result back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hhir.selftest import TestVideo


def check_child(workdir: Path) -> list[str]:
    """Analyze a generated video through the window's child process; return failures."""
    from hhir.jobs import CancelToken
    from hhir.pipeline import AnalysisOptions
    from hhir.selftest import make_test_video
    from hhir_studio.operations import AnalyzeRequest, run_op
    from hhir_studio.ops.child import child_command

    video = make_test_video(workdir / "child.mp4")
    request = AnalyzeRequest(project=str(workdir / "child.sqlite"), video_path=str(video.path), options=AnalysisOptions())
    steps: list[str] = []
    try:
        video_id = run_op("analyze", request, lambda fraction, message: steps.append(message), CancelToken()).value
    except Exception as exc:  # noqa: BLE001 - reported as one line, with the command and the last step
        last = steps[-1] if steps else "before any progress"
        return [f"analysis child: {type(exc).__name__}: {exc} (last step {last!r}; "
                f"command {child_command('analyze')})"]
    return _stored_problems(Path(request.project), video_id, video, len(steps))


def _stored_problems(db: Path, video_id: int, video: TestVideo, progress_lines: int) -> list[str]:
    from hhir.store import Store

    store = Store(db)
    try:
        shots, clips = store.shots(video_id), store.clips(video_id)
    finally:
        store.close()
    problems = []
    if progress_lines == 0:
        problems.append("analysis child: it reported no progress")
    starts = tuple(s.start_frame for s in shots[1:])
    if len(starts) != len(video.cuts) or any(abs(a - b) > 1 for a, b in zip(starts, video.cuts)):
        problems.append(f"analysis child: expected cuts at {video.cuts}, found {starts}")
    if not clips:
        problems.append("analysis child: no clips stored")
    return problems
