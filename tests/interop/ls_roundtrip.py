"""``make interop``: our Label Studio export through a real Label Studio server and back.

Run with the product's Python; the server and label-studio-sdk come from the Label Studio venv
(``LS_VENV``, default ``.interop-venv``), which ``make interop`` creates. Steps:

1. a project with two real video files, three annotators (clip and scene labels, present and
   absent) and starter predictions only, exported as ``labelstudio`` with local-files URLs;
2. label-studio-sdk checks the labeling config and every task, annotation and prediction;
3. a Label Studio server on 127.0.0.1 with a temporary data folder: users from
   ``annotators.csv``, a project from ``labeling_config.xml``, a local-files storage on the media
   folder, the import (counts compared), each video fetched through its ``data.video`` URL;
4. exported back (a snapshot with annotator e-mails), imported into a fresh HHIR project and
   compared with the source; that project exported as ``labelstudio`` again and imported into a
   fresh Label Studio project, exported, compared (Label Studio's own export is not a task file
   another project takes: a 1.23.2 server answered 500 and kept no prediction);
5. in that project, "Create annotations from predictions" on every task: each annotation made
   from a prediction chooses exactly the prediction's suggested set.

Prints a JSON summary (versions, counts) and exits 1 when anything differs. Only loopback
addresses are used; the server is stopped at the end.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "core")]

from media_factory import make_video  # noqa: E402
from test_exchange_helpers import add_scene, portable  # noqa: E402

from hhir.exchange import ExportOptions, ImportOptions, export, import_  # noqa: E402
from hhir.store import Store  # noqa: E402
from hhir.types import AnnotationState, ModelInfo, Target  # noqa: E402

TOKEN = "0123456789abcdef0123456789abcdef01234567"  # noqa: S105 - the legacy API token of a throwaway server
STARTER = "starter-v1"


class Server:
    """A Label Studio server on a free loopback port, with a temporary data folder."""

    def __init__(self, venv: Path, work: Path, root: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED": "true",
               "LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT": str(root), "LATEST_VERSION_CHECK": "false",
               "COLLECT_ANALYTICS": "false", "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": ""}
        self.log = (work / "label-studio.log").open("w")
        self.process = subprocess.Popen(
            [str(venv / "bin" / "label-studio"), "start", "--no-browser", "--internal-host", "127.0.0.1",
             "--port", str(self.port), "--data-dir", str(work / "ls-data"), "--username", "admin@example.org",
             "--password", "interop-only-1", "--user-token", TOKEN, "--enable-legacy-api-token"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self, limit_s: float = 600) -> float:
        started = time.monotonic()
        while time.monotonic() - started < limit_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"Label Studio exited with {self.process.returncode}; see {self.log.name}")
            try:
                if self.call("GET", "/api/current-user/whoami").get("email"):
                    return time.monotonic() - started
            except (OSError, RuntimeError):
                pass
            time.sleep(3)
        raise RuntimeError(f"Label Studio did not answer within {limit_s:.0f} s; see {self.log.name}")

    def call(self, method: str, path: str, body: object = None, raw: bool = False):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"}
        request = urllib.request.Request(self.base + path, method=method, data=data, headers=headers)  # noqa: S310 - http://127.0.0.1 only
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - the loopback server above
                data = response.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: {exc.code} {exc.read().decode(errors='replace')[:400]}") from None
        return data if raw else json.loads(data or b"null")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_source(work: Path) -> tuple[Store, list[Path]]:
    media = work / "files" / "media"  # a storage must be a folder below the document root, not the root
    media.mkdir(parents=True)
    files = [make_video(media / "Scene A.mp4", [(50, None)]), make_video(media / "Super-Hero-2.mp4", [(60, None)], speech=[(0.2, "Hi.")])]
    store = _project(work / "source.sqlite", files)
    videos = store.videos()
    for n, video in enumerate(videos):
        clips = store.clips(video.id)
        store.annotate(Target(video.id, clips[0].id), "asks", AnnotationState.PRESENT, "alice")
        store.annotate(Target(video.id, clips[0].id), "talks to", AnnotationState.PRESENT, "alice")
        store.annotate(Target(video.id, clips[-1].id), "watches", AnnotationState.ABSENT, "bob")
        store.annotate(Target(video.id, clips[1 % len(clips)].id), "yells at", AnnotationState.PRESENT, "Zoë Ng")
        store.annotate(Target(video.id), "walks with" if n else "gives to", AnnotationState.PRESENT, "bob")
        scores = {c.id: {"asks": 0.2 + 0.1 * c.index, "watches": 0.7} for c in clips}
        store.set_predictions(STARTER, video.id, {"watches": 0.8}, scores)
    return store, files


def _project(db: Path, files: list[Path]) -> Store:
    store = Store(db)
    store.register_model(ModelInfo(id=STARTER, kind="starter"))  # what analyze leaves: only the starter scored
    for i, path in enumerate(files):
        add_scene(store, str(path), f"interop-fp{i}", n_shots=4 + i)
    return store


def upload(server: Server, out: Path, media: Path, title: str, tasks: list) -> tuple[int, dict]:
    project = server.call("POST", "/api/projects/", {"title": title, "label_config": (out / "labeling_config.xml").read_text()})
    if not isinstance(project, dict) or "id" not in project:
        raise RuntimeError(f"creating the project {title!r} answered {str(project)[:600]}")
    server.call("POST", "/api/storages/localfiles/", {"project": project["id"], "path": str(media), "use_blob_urls": True,
                                                    "title": "media"})
    return project["id"], server.call("POST", f"/api/projects/{project['id']}/import", tasks)


def snapshot(server: Server, project_id: int) -> list:
    """The project's tasks as Label Studio exports them, with the annotators' e-mails."""
    made = server.call("POST", f"/api/projects/{project_id}/exports/",
                       {"title": "interop", "serialization_options": {"annotations__completed_by": {"only_id": False},
                                                                      "predictions": {"only_id": False}}})
    for _ in range(120):
        if server.call("GET", f"/api/projects/{project_id}/exports/{made['id']}")["status"] == "completed":
            break
        time.sleep(1)
    return json.loads(server.call("GET", f"/api/projects/{project_id}/exports/{made['id']}/download?exportType=JSON", raw=True))


def _predictions_of(tasks: list) -> set[tuple]:
    return {(t["data"]["fingerprint"], t["data"]["clip_index"], p["model_version"], json.dumps(p["result"], sort_keys=True))
            for t in tasks for p in t.get("predictions", [])}


def _labels_of(tasks: list) -> set[tuple]:
    """What both Label Studio projects must agree on: task data, annotator and chosen labels."""
    found = set()
    for task in tasks:
        key = (task["data"]["fingerprint"], task["data"]["clip_index"])
        for ann in task.get("annotations", []):
            who = ann["completed_by"]["email"] if isinstance(ann["completed_by"], dict) else ann["completed_by"]
            for item in ann["result"]:
                found.add((*key, who, item["from_name"], item["to_name"], tuple(item["value"]["choices"])))
    return found


def _copy_predictions(source: Store, target: Store) -> None:
    mine = {v.fingerprint: v for v in target.videos()}
    for video in source.videos():
        other = mine[video.fingerprint]
        found = source.predictions(video.id, STARTER)
        if found is None:
            continue
        by_index = {c.index: c.id for c in target.clips(other.id)}
        index = {c.id: c.index for c in source.clips(video.id)}
        target.set_predictions(STARTER, other.id, found.scene, {by_index[index[k]]: v for k, v in found.clips.items()})


def _accepted(tasks: list) -> dict:
    """Per task with a prediction: the prediction's chosen labels and those of the annotations made from it."""
    found = {}
    for task in tasks:
        for pred in task.get("predictions", []):
            made = [a for a in task.get("annotations", []) if a.get("parent_prediction") == pred.get("id")]
            suggested = sorted(c for r in pred["result"] for c in r["value"]["choices"])
            found[(task["data"]["fingerprint"], task["data"]["clip_index"])] = (
                suggested, [sorted(c for r in a["result"] for c in r["value"]["choices"]) for a in made])
    return found


def run(venv: Path, work: Path) -> dict:
    source, files = make_source(work)
    media, out = files[0].parent, work / "export"
    report = export(source, "labelstudio", out, ExportOptions(with_predictions=True, local_files_root=str(media.parent)))
    tasks = json.loads((out / "tasks.json").read_text())
    sdk = json.loads(subprocess.run([str(venv / "bin" / "python"), str(HERE / "ls_sdk_check.py"), str(out / "tasks.json"),
                                     str(out / "labeling_config.xml")], capture_output=True, text=True, check=False).stdout)
    expected = {"task_count": len(tasks), "annotation_count": sum(len(t.get("annotations", [])) for t in tasks),
                "prediction_count": sum(len(t.get("predictions", [])) for t in tasks)}
    server = Server(venv, work, media.parent)
    try:
        startup_s = server.wait()
        with (out / "annotators.csv").open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                server.call("POST", "/api/users/", {"email": row["email"], "username": row["email"].split("@")[0]})
        first, imported = upload(server, out, media, "hhir-export", tasks)
        served = {Path(t["data"]["media_path"]).name: server.call("GET", t["data"]["video"], raw=True) == Path(t["data"]["media_path"]).read_bytes()
                  for t in tasks}
        back = snapshot(server, first)
        (work / "from-label-studio.json").write_text(json.dumps(back))
        target = _project(work / "target.sqlite", files)
        reimport = import_(target, "labelstudio", work / "from-label-studio.json", ImportOptions())
        _copy_predictions(source, target)  # predictions never come back from Label Studio: the model's own, as before
        again = work / "export-again"
        export(target, "labelstudio", again, ExportOptions(with_predictions=True, local_files_root=str(media.parent)))
        second, imported_again = upload(server, again, media, "hhir-reimport", json.loads((again / "tasks.json").read_text()))
        back_again = snapshot(server, second)
        server.call("POST", f"/api/dm/actions?id=predictions_to_annotations&project={second}",
                    {"selectedItems": {"all": True, "excluded": []}})
        accepted = _accepted(snapshot(server, second))
        ls_version = server.call("GET", "/api/version").get("release", "?")
    finally:
        server.stop()
    counts = {k: imported[k] for k in expected}
    result = {
        "label_studio": ls_version, "label_studio_sdk": sdk.get("sdk"), "hhir_export_notes": list(report.notes),
        "startup_s": round(startup_s, 1), "exported": expected, "server_imported": counts,
        "sdk_problems": sdk.get("problems"), "videos_served": served,
        "back_to_hhir": {"annotations_written": reimport.annotations_written, "conflicts": len(reimport.conflicts),
                         "same_as_source": portable(target) == portable(source), "annotations": len(source.annotations())},
        "fresh_label_studio_project": {"imported": {k: imported_again[k] for k in expected},
                                       "same_labels": _labels_of(back) == _labels_of(back_again) == _labels_of(tasks),
                                       "same_predictions": _predictions_of(back_again) == _predictions_of(tasks)},
        "accepted_predictions": {"tasks": len(accepted),
                                 "equal_to_suggested": all(made and all(m == s for m in made) for s, made in accepted.values()),
                                 "differing": [[*key, s, made] for key, (s, made) in accepted.items()
                                               if not (made and all(m == s for m in made))][:5]},
    }
    result["ok"] = (counts == expected and not result["sdk_problems"] and all(served.values())
                    and result["back_to_hhir"]["same_as_source"] and result["back_to_hhir"]["conflicts"] == 0
                    and result["fresh_label_studio_project"]["same_labels"]
                    and result["fresh_label_studio_project"]["same_predictions"]
                    and result["fresh_label_studio_project"]["imported"] == expected
                    and result["accepted_predictions"]["tasks"] == expected["prediction_count"]
                    and result["accepted_predictions"]["equal_to_suggested"])
    return result


def main() -> int:
    venv = Path(os.environ.get("LS_VENV", HERE.parent.parent / ".interop-venv")).resolve()
    with tempfile.TemporaryDirectory(prefix="hhir-interop-") as tmp:
        result = run(venv, Path(tmp))
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
