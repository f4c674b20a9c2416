"""People detection and identity measured against boxes drawn by hand, next to OpenCV's HOG and Haar.

``python bench/people_eval.py [BOXES.json ...] [--json OUT] [--no-identity]``: scores every fixture
given (default: all of ``bench/fixtures/people_*_boxes.json``; each was drawn by hand before any
detector ran on its frames, and its ``how`` says how). A fixture names its video in ``video`` (the
first word), looked for in the dev-set folder (``$HHIR_DEVSET``, default ``~/.cache/hhir-devset``);
a fixture whose video is missing is skipped with one line. Frames are decoded with PyAV (decode
order, as the fixtures index them).

Per video and over all of them, as one JSON object:

- **bodies**, per detector: true and false positives and misses at IoU ≥ 0.5 and ≥ 0.3 (one-to-one,
  best IoU first; a detection overlapping an ``ignore`` box by IoU > 0.3 counts neither way), recall,
  precision, the mean absolute error of the number of people counted per frame, CPU milliseconds per
  frame; where the fixture lists people seen only from behind (``from_behind``), recall and
  precision again with those people counted as ``ignore`` (``without_from_behind``).
  Detectors: ``ours`` (``hhir.people.detector.detect`` on the frame as analysis decodes it:
  ``PeopleOptions().width`` = 640 px wide, whole frame), ``ours-tiles2`` and ``ours-tiles3`` (plus a
  2×2 / 3×3 tile grid), ``hog`` (OpenCV's default people detector at full resolution, weight > 0.5:
  its best case), ``hog-x2`` (the frame enlarged twice, for people under 128 px) and ``hog-starter``
  (as the starter ran it: on the 128-px frame the pipeline samples, enlarged to 256).
- **faces** (fixtures with ``faces``): ``ours`` (the faces our people detections keep, as analysis
  stores them), ``blazeface`` (every face BlazeFace short and full range find, before the faces are
  joined to bodies), ``haar`` (OpenCV's ``haarcascade_frontalface_default.xml`` at full resolution,
  the starter's settings: scale 1.1, 5 neighbours, 24 px minimum) and ``haar-starter`` (on the
  starter's 256-px frame).
- **identity** (fixtures with ``ids``; ``--no-identity`` skips it): ``hhir analyze --no-voices`` runs
  on the video into a new project in a temporary folder; every hand-drawn person on a fixture frame
  is matched one-to-one (best IoU first, IoU ≥ 0.3) to the box each stored track has on that frame
  (stored or interpolated, as the app shows it). ``purity``: the share of matched boxes whose
  character's most frequent hand id is their own; ``inverse_purity``: the share whose person's most
  frequent character is theirs; and the number of characters against the number of people.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT / "core"), str(BENCH)]

from devset import default_cache  # noqa: E402  (bench/ is not a package)

Box = tuple[float, float, float, float]
Detector = Callable[["Frame"], list[Box]]


class Frame:
    """One decoded frame: full resolution (BGR) and as the people stage sees it (640 px wide)."""

    def __init__(self, full: np.ndarray, analysis: np.ndarray) -> None:
        self.full, self.analysis = full, analysis


def _frames(video: Path, wanted: set[int]) -> dict[int, Frame]:
    import av

    from hhir.media.scale import to_bgr
    from hhir.people.records import PeopleOptions

    width = PeopleOptions().width
    out = {}
    with av.open(str(video)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i in wanted:
                w = min(width, f.width) // 2 * 2  # as hhir.people.video decodes the frames it detects on
                h = max(2, round(f.height * w / f.width) // 2 * 2)
                out[i] = Frame(f.to_ndarray(format="bgr24"), to_bgr(f, w, h))
            if i >= max(wanted):
                break
    return out


def _pixels(box: tuple[float, ...], w: int, h: int) -> Box:
    return (box[0] * w, box[1] * h, box[2] * w, box[3] * h)


def _ours(tiles: int, faces: bool = False) -> Detector:
    from hhir.people.detector import detect
    from hhir.people.records import PeopleOptions

    def run(frame: Frame) -> list[Box]:
        h, w = frame.full.shape[:2]
        found = detect(frame.analysis, 0, PeopleOptions(tiles=tiles))
        if faces:
            return [_pixels(d.face.box, w, h) for d in found if d.face is not None]
        return [_pixels(d.box, w, h) for d in found]
    return run


def _blazeface() -> Detector:
    from hhir.people import detector
    from hhir.people.records import PeopleOptions

    def run(frame: Frame) -> list[Box]:
        h, w = frame.full.shape[:2]
        return [_pixels(f.box, w, h) for f in detector._faces(frame.analysis, PeopleOptions())]
    return run


def _starter_frame(bgr: np.ndarray) -> np.ndarray:
    import cv2

    # the pipeline's 128x128 sampled frame, enlarged to 256 as the starter's visual cues do
    return cv2.resize(cv2.resize(bgr, (128, 128), interpolation=cv2.INTER_AREA), (256, 256), interpolation=cv2.INTER_LINEAR)


def _hog(starter: bool, enlarge: float = 1.0) -> Detector:
    import cv2

    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def run(frame: Frame) -> list[Box]:
        bgr = frame.full
        h, w = bgr.shape[:2]
        image = _starter_frame(bgr) if starter else bgr
        if enlarge != 1.0:  # HOG's window is 64x128 px: smaller people need the frame enlarged
            image = cv2.resize(image, None, fx=enlarge, fy=enlarge, interpolation=cv2.INTER_LINEAR)
        rects, weights = hog.detectMultiScale(image, winStride=(8, 8), padding=(8, 8), scale=1.05)
        sx, sy = w / image.shape[1], h / image.shape[0]
        return [(x * sx, y * sy, (x + rw) * sx, (y + rh) * sy) for (x, y, rw, rh), wt in zip(rects, np.ravel(weights)) if wt > 0.5]
    return run


def _haar(starter: bool) -> Detector:
    import cv2

    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    if cascade.empty():
        raise SystemExit("OpenCV's frontal face cascade did not load")

    def run(frame: Frame) -> list[Box]:
        bgr = frame.full
        h, w = bgr.shape[:2]
        image = _starter_frame(bgr) if starter else bgr
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        found = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
        sx, sy = w / image.shape[1], h / image.shape[0]
        return [(x * sx, y * sy, (x + rw) * sx, (y + rh) * sy) for (x, y, rw, rh) in found]
    return run


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def pairs(found: list[Box], truth: list[list[float]], threshold: float) -> list[tuple[int, int]]:
    """(found index, truth index) pairs: greedy one-to-one by best IoU, at least ``threshold``."""
    ranked = sorted(((_iou(f, t), i, j) for i, f in enumerate(found) for j, t in enumerate(truth)), reverse=True)
    used_f: set[int] = set()
    used_t: set[int] = set()
    out = []
    for iou, i, j in ranked:
        if iou >= threshold and i not in used_f and j not in used_t:
            used_f.add(i)
            used_t.add(j)
            out.append((i, j))
    return out


def match(found: list[Box], truth: list[list[float]], ignore: list[list[float]], threshold: float) -> tuple[int, int, int]:
    """True positives, false positives, misses: one-to-one by best IoU; a detection left over that
    overlaps an ``ignore`` box (IoU > 0.3) counts neither way."""
    used = pairs(found, truth, threshold)
    used_f = {i for i, _ in used}
    fp = sum(1 for i, f in enumerate(found) if i not in used_f and not any(_iou(f, g) > 0.3 for g in ignore))
    return len(used), fp, len(truth) - len(used)


def _rates(totals: dict[float, np.ndarray]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for th, (tp, fp, fn) in totals.items():
        out[f"iou{th}"] = {"tp": int(tp), "fp": int(fp), "missed": int(fn), "recall": round(float(tp / max(1, tp + fn)), 3),
                           "precision": round(float(tp / max(1, tp + fp)), 3)}
    return out


def _split_behind(truth: dict[str, Any]) -> tuple[list[list[float]], list[list[float]]]:
    """The people boxes without those seen only from behind, and the ignore boxes with them."""
    behind = set(truth.get("from_behind", []))
    ids = truth.get("ids") or [None] * len(truth["people"])
    kept = [b for b, i in zip(truth["people"], ids) if i is None or i not in behind]
    back = [b for b, i in zip(truth["people"], ids) if i is not None and i in behind]
    return kept, truth.get("ignore", []) + back


def score(frames: dict[int, Frame], spec: dict[str, Any], detectors: dict[str, Detector], kind: str) -> dict[str, Any]:
    """One fixture's figures for ``kind`` (``people`` or ``faces``) by every detector."""
    boxes = {int(k): v for k, v in spec["frames"].items() if kind in v}
    with_behind = kind == "people" and any(v.get("from_behind") for v in boxes.values())
    report: dict[str, Any] = {}
    for name, run in detectors.items():
        totals = {0.5: np.zeros(3, int), 0.3: np.zeros(3, int)}
        front = {0.5: np.zeros(3, int), 0.3: np.zeros(3, int)}
        cpu, count_errors = 0.0, []
        for index, truth in boxes.items():
            t0 = time.process_time()
            found = run(frames[index])
            cpu += time.process_time() - t0
            ignore = truth.get("ignore", []) if kind == "people" else []  # ignore regions are drawn for bodies
            counted = [f for f in found if not any(_iou(f, g) > 0.3 for g in ignore)]
            count_errors.append(abs(len(counted) - len(truth[kind])))
            kept, ignore_back = _split_behind(truth) if with_behind else (truth[kind], ignore)
            for th in totals:
                totals[th] += match(found, truth[kind], ignore, th)
                front[th] += match(found, kept, ignore_back, th)
        out: dict[str, Any] = {"cpu_ms_per_frame": round(1000 * cpu / max(1, len(boxes)), 1),
                               "count_mean_abs_error": round(float(np.mean(count_errors)), 2) if count_errors else None,
                               "_totals": {th: v.tolist() for th, v in totals.items()}, "_errors": count_errors}
        out.update(_rates(totals))
        if with_behind:
            out["without_from_behind"] = _rates(front)
        report[name] = out
    return report


def _analyse(video: Path, db: Path) -> tuple[list[Any], list[Any]]:
    """Run ``hhir analyze --no-voices`` on ``video`` into a new project at ``db``; its tracks and characters."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "core"), os.environ.get("PYTHONPATH", "")]))
    env.setdefault("HHIR_RESOURCES", str(ROOT / "resources"))
    done = subprocess.run([sys.executable, "-m", "hhir", "analyze", "--db", str(db), "--no-voices", str(video)],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{video}: hhir analyze failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
    from hhir.store import Store

    store = Store(db)
    try:
        (vid,) = [v.id for v in store.videos()]
        return store.person_tracks(vid), store.characters(vid)
    finally:
        store.close()


def purities(matched: list[tuple[str, str]]) -> tuple[float, float, dict[str, Counter[str]]]:
    """Purity and inverse purity of (character, hand id) pairs, and each person's characters.

    Purity: the share of pairs whose character's most frequent hand id is their own (a character
    mixing two people lowers it); inverse purity: the share whose person's most frequent character is
    theirs (a person split over several characters lowers it). Both 0 for no pairs.
    """
    by_character: dict[str, Counter[str]] = defaultdict(Counter)
    by_person: dict[str, Counter[str]] = defaultdict(Counter)
    for character, person in matched:
        by_character[character][person] += 1
        by_person[person][character] += 1
    n = len(matched)
    if n == 0:
        return 0.0, 0.0, {}
    return (sum(c.most_common(1)[0][1] for c in by_character.values()) / n,
            sum(c.most_common(1)[0][1] for c in by_person.values()) / n, dict(by_person))


def identity(video: Path, spec: dict[str, Any]) -> dict[str, Any]:
    """Purity of the characters analysis forms, against the fixture's person ids."""
    w, h = spec["frame_size"]
    with tempfile.TemporaryDirectory(prefix="hhir-people-eval-") as tmp:
        t0 = time.perf_counter()
        tracks, characters = _analyse(video, Path(tmp) / "project.sqlite3")
        wall = time.perf_counter() - t0
    pairs_seen: list[tuple[str, str]] = []  # (character, hand id)
    unmatched = 0
    for key, truth in spec["frames"].items():
        ids = truth.get("ids") or []
        people = [(b, i) for b, i in zip(truth["people"], ids) if i is not None]
        stored = [(t, t.box_at(int(key))) for t in tracks]
        stored_boxes = [(_pixels(b, w, h), f"character {t.character_id}" if t.character_id is not None else f"track {t.id}")
                        for t, b in stored if b is not None]
        matched = pairs([s for s, _ in stored_boxes], [b for b, _ in people], 0.3)
        unmatched += len(people) - len(matched)
        pairs_seen.extend((stored_boxes[i][1], people[j][1]) for i, j in matched)
    purity, inverse, by_person = purities(pairs_seen)
    people_ids = {i for v in spec["frames"].values() for i in (v.get("ids") or []) if i is not None}
    return {
        "hand_boxes_matched": len(pairs_seen), "hand_boxes_unmatched": unmatched,
        "purity": round(purity, 3), "inverse_purity": round(inverse, 3),
        "characters": len({t.character_id for t in tracks if t.character_id is not None}),
        "characters_stored": len(characters), "tracks": len(tracks), "people": len(people_ids),
        "characters_by_person": {p: dict(c) for p, c in sorted(by_person.items())},
        "analyze_wall_s": round(wall, 1),
    }


def _summed(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Figures over several videos: matches and count errors summed frame by frame."""
    out: dict[str, Any] = {}
    for name in reports[0]:
        totals = {th: np.sum([np.array(r[name]["_totals"][th]) for r in reports], axis=0) for th in (0.5, 0.3)}
        errors = [e for r in reports for e in r[name]["_errors"]]
        out[name] = {"count_mean_abs_error": round(float(np.mean(errors)), 2) if errors else None, **_rates(totals)}
    return out


def _strip(report: dict[str, Any]) -> dict[str, Any]:
    return {k: {kk: vv for kk, vv in v.items() if not kk.startswith("_")} for k, v in report.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("fixtures", nargs="*", type=Path)
    parser.add_argument("--json", type=Path, help="also write the report to this file")
    parser.add_argument("--no-identity", action="store_true", help="skip the hhir analyze runs")
    args = parser.parse_args(argv)
    fixtures = args.fixtures or sorted((BENCH / "fixtures").glob("people_*_boxes.json"))
    bodies = {"ours": _ours(1), "ours-tiles2": _ours(2), "ours-tiles3": _ours(3), "hog": _hog(False),
              "hog-x2": _hog(False, 2.0), "hog-starter": _hog(True)}
    faces = {"ours": _ours(1, faces=True), "blazeface": _blazeface(), "haar": _haar(False), "haar-starter": _haar(True)}
    report: dict[str, Any] = {"load_average_start": [round(x, 1) for x in os.getloadavg()], "videos": {}}
    all_bodies, all_faces = [], []
    for path in fixtures:
        try:
            spec = json.loads(path.read_text())
            video = default_cache() / spec["video"].split()[0]
        except (OSError, ValueError, KeyError, IndexError) as exc:
            print(f"{path}: not a people fixture ({exc})", file=sys.stderr)
            continue
        if not video.is_file():
            print(f"{path}: skipped, {video} is missing (see bench/devset.py)", file=sys.stderr)
            continue
        frames = _frames(video, {int(k) for k in spec["frames"]})
        next(iter(bodies.values()))(next(iter(frames.values())))  # load the models before timing
        entry: dict[str, Any] = {"fixture": path.name, "frames": len(frames),
                                 "people": sum(len(v["people"]) for v in spec["frames"].values()),
                                 "from_behind": sum(len(v.get("from_behind", [])) for v in spec["frames"].values())}
        b = score(frames, spec, bodies, "people")
        all_bodies.append(b)
        entry["bodies"] = _strip(b)
        face_frames = [v for v in spec["frames"].values() if "faces" in v]
        if face_frames:
            entry["face_frames"], entry["faces"] = len(face_frames), sum(len(v["faces"]) for v in face_frames)
            f = score(frames, spec, faces, "faces")
            all_faces.append(f)
            entry["face_detection"] = _strip(f)
        if not args.no_identity and any(i is not None for v in spec["frames"].values() for i in (v.get("ids") or [])):
            entry["identity"] = identity(video, spec)
        report["videos"][spec["video"].split()[0]] = entry
        print(f"{path.name}: {len(frames)} frames scored", file=sys.stderr)
    if all_bodies:
        report["overall"] = {"frames": sum(v["frames"] for v in report["videos"].values()),
                             "people": sum(v["people"] for v in report["videos"].values()),
                             "bodies": _summed(all_bodies)}
        if all_faces:
            report["overall"]["face_frames"] = sum(v.get("face_frames", 0) for v in report["videos"].values())
            report["overall"]["faces"] = sum(v.get("faces", 0) for v in report["videos"].values())
            report["overall"]["face_detection"] = _summed(all_faces)
    report["load_average_end"] = [round(x, 1) for x in os.getloadavg()]
    text = json.dumps(report, indent=2)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
