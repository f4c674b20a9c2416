"""People detection measured against boxes drawn by hand, next to OpenCV's HOG (today's baseline).

``python bench/people_eval.py VIDEO BOXES.json``: decodes the frames named in ``BOXES.json`` (see
``bench/fixtures/people_vtest_boxes.json``: drawn by hand before any detector ran on those frames)
and prints, per detector, true and false positives and misses at IoU ≥ 0.5 and ≥ 0.3 (one-to-one,
best IoU first; a detection overlapping an ``ignore`` box counts neither way), recall, precision
the mean absolute error of the number of people counted per frame, and milliseconds per frame, as
one JSON object.

Detectors: ``blaze`` (hhir.people, whole frame), ``blaze-tiles2`` (plus a 2×2 tile grid), ``hog``
(OpenCV's default people detector at full resolution, weight > 0.5: its best case) and
``hog-x2`` (the frame enlarged twice, for people under 128 px) and ``hog-starter`` (as the starter ran
it: on the 128-px frame the pipeline samples, enlarged to 256).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent / "core")]


def _frames(video: Path, wanted: set[int]) -> dict[int, np.ndarray]:
    import av

    out = {}
    with av.open(str(video)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i in wanted:
                out[i] = f.to_ndarray(format="bgr24")
            if i >= max(wanted):
                break
    return out


def _blaze(tiles: int):
    from hhir.people.detector import detect
    from hhir.people.records import PeopleOptions

    def run(bgr: np.ndarray) -> list[tuple[float, ...]]:
        h, w = bgr.shape[:2]
        return [(d.box[0] * w, d.box[1] * h, d.box[2] * w, d.box[3] * h) for d in detect(bgr, 0, PeopleOptions(tiles=tiles))]
    return run


def _hog(starter: bool, enlarge: float = 1.0):
    import cv2

    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def run(bgr: np.ndarray) -> list[tuple[float, ...]]:
        h, w = bgr.shape[:2]
        image, scale = bgr, 1.0
        if enlarge != 1.0:  # HOG's window is 64x128 px: smaller people need the frame enlarged
            image, scale = cv2.resize(bgr, None, fx=enlarge, fy=enlarge, interpolation=cv2.INTER_LINEAR), 1.0 / enlarge
        if starter:  # the pipeline's 128x128 sampled frame, enlarged to 256 as the starter did
            image = cv2.resize(cv2.resize(bgr, (128, 128), interpolation=cv2.INTER_AREA), (256, 256))
        rects, weights = hog.detectMultiScale(image, winStride=(8, 8), padding=(8, 8), scale=1.05)
        sx, sy = (w / image.shape[1], h / image.shape[0]) if starter else (scale, scale)
        return [(x * sx, y * sy, (x + rw) * sx, (y + rh) * sy) for (x, y, rw, rh), wt in zip(rects, np.ravel(weights)) if wt > 0.5]
    return run


def _iou(a, b) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def match(found, truth, ignore, threshold: float) -> tuple[int, int, int]:
    """True positives, false positives, misses: greedy one-to-one by best IoU."""
    pairs = sorted(((_iou(f, t), i, j) for i, f in enumerate(found) for j, t in enumerate(truth)), reverse=True)
    used_f, used_t = set(), set()
    for iou, i, j in pairs:
        if iou >= threshold and i not in used_f and j not in used_t:
            used_f.add(i), used_t.add(j)
    fp = sum(1 for i, f in enumerate(found) if i not in used_f and not any(_iou(f, g) > 0.3 for g in ignore))
    return len(used_t), fp, len(truth) - len(used_t)


def main(video: str, boxes: str) -> None:
    spec = json.loads(Path(boxes).read_text())
    frames = _frames(Path(video), {int(k) for k in spec["frames"]})
    detectors = {"blaze": _blaze(1), "blaze-tiles2": _blaze(2), "blaze-tiles3": _blaze(3), "hog": _hog(False),
                 "hog-x2": _hog(False, 2.0), "hog-starter": _hog(True)}
    report: dict[str, dict] = {"frames": len(frames), "people": sum(len(v["people"]) for v in spec["frames"].values())}
    for name, run in detectors.items():
        run(next(iter(frames.values())))  # load once before timing
        totals = {0.5: np.zeros(3, int), 0.3: np.zeros(3, int)}
        spent, count_errors = 0.0, []
        for key, truth in spec["frames"].items():
            t0 = time.perf_counter()
            found = run(frames[int(key)])
            spent += time.perf_counter() - t0
            count_errors.append(abs(len(found) - len(truth["people"])))
            for th in totals:
                totals[th] += match(found, truth["people"], truth.get("ignore", []), th)
        out = {"ms_per_frame": round(1000 * spent / len(frames), 1), "count_mean_abs_error": round(float(np.mean(count_errors)), 2)}
        for th, (tp, fp, fn) in totals.items():
            out[f"iou{th}"] = {"tp": int(tp), "fp": int(fp), "missed": int(fn), "recall": round(tp / max(1, tp + fn), 3),
                               "precision": round(tp / max(1, tp + fp), 3)}
        report[name] = out
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main(*sys.argv[1:3])
