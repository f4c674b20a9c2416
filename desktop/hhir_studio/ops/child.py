"""Heavy operations in a child process, driven from a job-runner thread.

Every operation on the project (:data:`hhir_studio.operations.OPS`: analysis, shot edits, training,
model activation, export, import) runs in its own interpreter,
so they never hold the window's GIL (a loaded machine otherwise starves the UI thread for whole
seconds), a crash in native code cannot take the window down (the job fails with a message
instead), and cancelling (or closing the app) stops the work at once.

Protocol: the app is started again as ``hhir-studio --op-child OP``; the first line on its stdin is
the payload, a JSON object (the operations are :data:`hhir_studio.operations.OPS`). The payload
never goes on the command line: it names the project, and a PostgreSQL URL may carry a password
that every local user could read with ``ps``. The child prints one JSON object
per line on stdout: ``{"progress": f, "message": m}`` and ``{"event": {...}}`` while it works, then
``{"result": {"value": v, "changes": c}}`` (the operation's value and
:class:`~hhir_studio.operations.OpChanges`), ``{"error": text}`` or ``{"cancelled": true}``. A line ``cancel`` on its
stdin sets its cancel token. Its stderr goes to a file beside the logs.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from hhir.errors import HHIRError
from hhir.jobs import CancelToken, Cancelled, ProgressFn

log = logging.getLogger(__name__)

CHILD_FLAG = "--op-child"
EventFn = Callable[[dict[str, Any]], None]
ServeFn = Callable[[str, Any, ProgressFn, CancelToken, EventFn], Any]
_POLL_S = 0.1
_GRACE_S = 10.0  # after "cancel": time to finish the current batch before the child is killed
CLOSING_GRACE_S = 1.0  # the same when the app is closing: it must be gone within 2 s
_NICENESS = 10  # background work yields the CPU to the window (and to the user's other programs)


def child_command(op: str) -> list[str]:
    """How to start the child: the frozen app runs itself, a source install runs ``hhir_studio.app``.
    The payload goes to its stdin, never here."""
    if getattr(sys, "frozen", False):
        return [sys.executable, CHILD_FLAG, op]
    return [sys.executable, "-m", "hhir_studio.app", CHILD_FLAG, op]


def run_in_child(op: str, payload: dict[str, Any], progress: ProgressFn, cancel: CancelToken,
                 on_event: EventFn | None = None) -> Any:
    """Worker side: start the child for ``op``, relay its progress and events, pass on
    cancellation; returns the operation's JSON answer (``{"value": ..., "changes": ...}``).

    Raises:
        Cancelled: the user cancelled (the child stopped, or was killed after a grace period).
        HHIRError: the operation failed, or the child ended without an answer (a crash): the
            message says so and where the log is.
    """
    with _stderr_file() as err, subprocess.Popen(child_command(op), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                 stderr=err, text=True, bufsize=1, **_low_priority()) as proc:
        stdin, stdout = _pipe(proc.stdin), _pipe(proc.stdout)
        try:
            stdin.write(json.dumps(payload) + "\n")  # one line: json.dumps escapes newlines
            stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the child already ended: its exit status is reported below
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(stdout, lines), daemon=True)
        reader.start()
        try:
            return _relay(proc, stdin, lines, progress, cancel, on_event or (lambda _event: None))
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            reader.join(5)


def _pipe(stream: IO[str] | None) -> IO[str]:
    """One of the child's pipes (Popen leaves a stream None only when it was not asked for one)."""
    if stream is None:
        raise HHIRError("the background process was started without its pipes; nothing was run")
    return stream


def _stderr_file() -> IO[str]:
    """Where the child's stderr goes (what decoders and native libraries print): a file beside the
    logs, started afresh once it passes a few MB; the null device when the folder is not writable."""
    from hhir.logs import MAX_BYTES, log_dir

    path = log_dir() / "child.stderr.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        big = path.exists() and path.stat().st_size > MAX_BYTES
        return open(path, "w" if big else "a", encoding="utf-8")  # noqa: SIM115 - closed by the with
    except OSError:
        return open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _low_priority() -> dict[str, Any]:
    if sys.platform == "win32":
        return {"creationflags": subprocess.BELOW_NORMAL_PRIORITY_CLASS}
    return {}


def _read_lines(stdout: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stdout:
        lines.put(line)
    lines.put(None)


def _relay(proc: subprocess.Popen[str], stdin: IO[str], lines: queue.Queue[str | None], progress: ProgressFn,
           cancel: CancelToken, on_event: EventFn) -> Any:
    asked_at: float | None = None
    while True:
        if cancel.cancelled and asked_at is None:
            asked_at = time.monotonic()
            _send_cancel(stdin)
        grace = CLOSING_GRACE_S if getattr(cancel, "closing", False) else _GRACE_S
        if asked_at is not None and time.monotonic() - asked_at > grace:
            raise Cancelled()
        try:
            line = lines.get(timeout=_POLL_S)
        except queue.Empty:
            continue
        if line is None:
            raise HHIRError(_crashed(proc.wait()))
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            log.info("child: %s", line.rstrip())  # a library printed to stdout
            continue
        done, value = _handle(message, progress, on_event)
        if done:
            return value


def _crashed(status: int) -> str:
    from hhir.logs import log_dir

    return (f"the background process stopped unexpectedly (exit status {status}); nothing it had not "
            f"finished was kept. Details: {log_dir()}")


def _send_cancel(stdin: IO[str]) -> None:
    try:
        stdin.write("cancel\n")
        stdin.flush()
    except (BrokenPipeError, OSError, ValueError):
        pass  # the child already ended


def _handle(message: dict[str, Any], progress: ProgressFn, on_event: EventFn) -> tuple[bool, Any]:
    if "progress" in message:
        progress(float(message["progress"]), str(message["message"]))
        return False, None
    if "event" in message:
        on_event(message["event"])
        return False, None
    if "result" in message:
        return True, message["result"]
    if message.get("cancelled"):
        raise Cancelled()
    raise HHIRError(str(message.get("error", "the operation failed")))


def child_main(op: str, serve: ServeFn) -> int:
    """Child side: read the payload (the first line of stdin), run ``serve(op, payload, progress,
    cancel, emit)`` (:func:`hhir_studio.operations.serve`), reporting as JSON lines; then reads
    ``cancel`` from stdin. ``serve`` is passed in so this module depends on no operation."""
    from hhir.logs import setup_logging

    setup_logging("background")
    if hasattr(os, "nice"):
        os.nice(_NICENESS)
    payload_json = sys.stdin.readline()
    token = CancelToken()
    threading.Thread(target=_watch_stdin, args=(token,), daemon=True).start()
    lock = threading.Lock()  # progress may come from a worker thread of the operation

    def emit(message: dict[str, Any]) -> None:
        with lock:
            sys.stdout.write(json.dumps(message) + "\n")
            sys.stdout.flush()

    try:
        if not payload_json.strip():
            raise HHIRError(f"{op}: no request on stdin (the background process reads it from there)")
        result = serve(op, json.loads(payload_json), lambda f, m: emit({"progress": f, "message": m}), token,
                       lambda event: emit({"event": event}))
    except Cancelled:
        emit({"cancelled": True})
        return 0
    except HHIRError as exc:
        emit({"error": str(exc)})
        return 2
    except Exception as exc:  # noqa: BLE001 - reported to the window, which shows it; the log keeps the traceback
        log.exception("operation %s failed", op)
        emit({"error": f"{op}: {type(exc).__name__}: {exc}"})
        return 1
    emit({"result": result})
    return 0


def _watch_stdin(token: CancelToken) -> None:
    for line in sys.stdin:
        if line.strip() == "cancel":
            token.cancel()
            return
    token.cancel()  # the window went away: stop too
