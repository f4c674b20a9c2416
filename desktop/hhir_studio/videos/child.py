"""Analysis in a child process, driven from a job-runner thread.

Decoding, transcription and the encoders run in their own interpreter, so they never hold the
window's GIL (a loaded machine otherwise starves the UI thread for whole seconds), a crash in a
decoder cannot take the window down, and cancelling (or closing the app) stops the work at once.

Protocol: the child prints one JSON object per line on stdout: ``{"progress": f, "message": m}``
while it works, then ``{"video_id": n}``, ``{"error": text}`` or ``{"cancelled": true}``. A line
``cancel`` on its stdin sets its cancel token.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
from dataclasses import asdict
from pathlib import Path

from hhir.errors import HHIRError
from hhir.jobs import CancelToken, Cancelled, ProgressFn

log = logging.getLogger(__name__)

CHILD_FLAG = "--analysis-child"
_POLL_S = 0.1
_GRACE_S = 10.0  # after "cancel": time to finish the current batch before the child is killed
_NICENESS = 10  # background work yields the CPU to the window (and to the user's other programs)


def child_command(request_json: str) -> list[str]:
    """How to start the child: the frozen app runs itself, a source install runs ``hhir_studio.app``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, CHILD_FLAG, request_json]
    return [sys.executable, "-m", "hhir_studio.app", CHILD_FLAG, request_json]


def run_in_child(request, progress: ProgressFn, cancel: CancelToken) -> int:
    """Worker side: start the child, relay its progress, pass on cancellation; returns the video id."""
    command = child_command(json.dumps(asdict(request)))
    with _stderr_file() as err, subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                                 text=True, bufsize=1, **_low_priority()) as proc:
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(proc, lines), daemon=True)
        reader.start()
        try:
            return _relay(proc, lines, progress, cancel)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            reader.join(5)


def _stderr_file():
    """Where the child's stderr goes (what decoders and native libraries print): a file beside the
    logs, started afresh once it passes a few MB; the null device when the folder is not writable."""
    from hhir.logs import MAX_BYTES, log_dir

    path = log_dir() / "analysis-child.stderr.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        big = path.exists() and path.stat().st_size > MAX_BYTES
        return open(path, "w" if big else "a", encoding="utf-8")  # noqa: SIM115 - closed by the with
    except OSError:
        return open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _low_priority() -> dict:
    if sys.platform == "win32":
        return {"creationflags": subprocess.BELOW_NORMAL_PRIORITY_CLASS}
    return {}


def _read_lines(proc: subprocess.Popen, lines: queue.Queue) -> None:
    for line in proc.stdout:
        lines.put(line)
    lines.put(None)


def _relay(proc: subprocess.Popen, lines: queue.Queue, progress: ProgressFn, cancel: CancelToken) -> int:
    asked_at: float | None = None
    waited = 0.0
    while True:
        if cancel.cancelled and asked_at is None:
            asked_at = waited
            _send_cancel(proc)
        if asked_at is not None and waited - asked_at > _GRACE_S:
            raise Cancelled()
        try:
            line = lines.get(timeout=_POLL_S)
        except queue.Empty:
            waited += _POLL_S
            continue
        if line is None:
            raise HHIRError(f"the analysis process stopped unexpectedly (exit status {proc.wait()})")
        if not line.startswith("{"):
            continue  # a library printed to stdout: not ours
        result = _handle(json.loads(line), progress)
        if result is not None:
            return result


def _send_cancel(proc: subprocess.Popen) -> None:
    try:
        proc.stdin.write("cancel\n")
        proc.stdin.flush()
    except (BrokenPipeError, OSError):
        pass  # the child already ended


def _handle(event: dict, progress: ProgressFn) -> int | None:
    if "progress" in event:
        progress(float(event["progress"]), str(event["message"]))
        return None
    if "video_id" in event:
        return int(event["video_id"])
    if event.get("cancelled"):
        raise Cancelled()
    raise HHIRError(str(event.get("error", "the analysis failed")))


def child_main(request_json: str) -> int:
    """Child side: analyse, reporting as JSON lines; reads ``cancel`` from stdin."""
    from hhir.logs import setup_logging
    from hhir_studio.videos.request import AnalysisRequest, run_analysis

    setup_logging("analysis")
    request = AnalysisRequest(**json.loads(request_json))
    if hasattr(os, "nice"):
        os.nice(_NICENESS)
    token = CancelToken()
    threading.Thread(target=_watch_stdin, args=(token,), daemon=True).start()

    def emit(event: dict) -> None:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()

    try:
        video_id = run_analysis(request, lambda f, m: emit({"progress": f, "message": m}), token)
    except Cancelled:
        emit({"cancelled": True})
        return 0
    except HHIRError as exc:
        emit({"error": str(exc)})
        return 2
    except Exception as exc:  # noqa: BLE001 - reported to the window, which shows it
        log.exception("analysis of %s failed", request.video_path)
        emit({"error": f"{Path(request.video_path).name}: {type(exc).__name__}: {exc}"})
        return 1
    emit({"video_id": video_id})
    return 0


def _watch_stdin(token: CancelToken) -> None:
    for line in sys.stdin:
        if line.strip() == "cancel":
            token.cancel()
            return
    token.cancel()  # the window went away: stop too
