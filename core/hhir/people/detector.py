"""Faces and bodies on one frame: MediaPipe's BlazeFace (short and full range) and BlazePose detector.

The ``.tflite`` files ship in ``hhir.resources`` (``resources/models/people``, Apache-2.0, copied
from the mediapipe 0.10.21 wheel: see the README there) and run on ``ai-edge-litert``, one thread
each. BlazePose's detector finds a person by their face and gives the hip centre and the radius of
a circle holding the whole body (with a margin); the body box is drawn from that circle with the
proportions measured on hand-drawn boxes (``_HEIGHT``, ``_WIDTH``, ``_RAISE``), clipped to the frame.
A face with no body around it is a person too (close-ups), boxed by the face.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hhir.errors import ModelError
from hhir.people import anchors as anc
from hhir.people.descriptors import body_descriptor, face_descriptor
from hhir.people.records import Detection, Face, PeopleOptions

log = logging.getLogger(__name__)
# The body box's proportions against BlazePose's body circle (radius r, centred on the hip), set on
# the calibration frames of bench/fixtures/people_vtest_boxes.json (7 people matched; never on the
# frames the figures are measured on): height 0.71 of 2r, width 0.40 of the height, centre 0.09 of
# the height above the hip.
_HEIGHT = 0.71
_WIDTH = 0.40
_RAISE = 0.09
_REACH = 0.25  # a face this far (of the body box's width) outside a body box still belongs to it
_SAME_PERSON = 0.45  # IoU over which two person boxes of one frame are one person
MIN_SIDE = 0.02  # a person's box narrower or lower than this (of the frame) is dropped


def model_file(name: str) -> Path:
    """The shipped detector file ``name``."""
    from hhir.appdirs import resource

    return resource("models", "people", name)


def file_problems() -> list[str]:
    """One line per shipped detector file that is missing or not the one shipped (empty: all fine)."""
    problems = []
    for spec in (anc.FACE_SHORT, anc.FACE_FULL, anc.POSE):
        path = model_file(spec.file)
        try:
            same = hashlib.sha256(path.read_bytes()).hexdigest() == spec.sha256
        except OSError as exc:
            problems.append(f"{path}: cannot be read ({exc.strerror or exc})")
            continue
        if not same:
            problems.append(f"{path}: not the file shipped (its hash differs)")
    return problems


@dataclass
class _Model:
    spec: anc.AnchorSpec
    interpreter: Any
    grid: np.ndarray

    def run(self, rgb_square: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        it = self.interpreter
        it.set_tensor(it.get_input_details()[0]["index"], rgb_square[None])
        it.invoke()
        outs = sorted(it.get_output_details(), key=lambda d: -int(d["shape"][-1]))  # boxes (16 or 12 wide), then scores
        raw_boxes, raw_scores = (it.get_tensor(d["index"]) for d in outs)
        return anc.decode(raw_boxes, raw_scores, self.grid, self.spec, min_score)


@functools.lru_cache(maxsize=4)
def _load(spec: anc.AnchorSpec) -> _Model:
    path = model_file(spec.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{path}: the people detector file cannot be read ({exc}); reinstall HHIR Studio") from exc
    if hashlib.sha256(data).hexdigest() != spec.sha256:
        raise ModelError(f"{path}: the people detector file is not the one shipped (its hash differs); reinstall HHIR Studio")
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=data, num_threads=1)
    interpreter.allocate_tensors()
    return _Model(spec, interpreter, anc.anchors(spec))


def _letterbox(bgr: np.ndarray, size: int) -> tuple[np.ndarray, float, float, float, float]:
    """The image fitted into a ``size`` square (RGB, [-1, 1]), and how to map square coordinates back:
    ``x_frame = (x_square - pad_x) * scale_x``."""
    import cv2

    h, w = bgr.shape[:2]
    s = size / max(h, w)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    square = np.zeros((size, size, 3), np.float32)
    px, py = (size - nw) // 2, (size - nh) // 2
    resized = cv2.resize(bgr, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    square[py : py + nh, px : px + nw] = resized[:, :, ::-1].astype(np.float32) / 127.5 - 1.0
    return square, px / size, py / size, size / nw, size / nh


def _to_frame(xy: np.ndarray, px: float, py: float, sx: float, sy: float) -> np.ndarray:
    out = xy.copy()
    out[..., 0] = (xy[..., 0] - px) * sx
    out[..., 1] = (xy[..., 1] - py) * sy
    return out


def _tiles(shape: tuple[int, ...], n: int) -> list[tuple[int, int, int, int]]:
    """The whole frame, plus an n×n grid of overlapping tiles (each 1.2/n of a side) when n > 1."""
    h, w = shape[:2]
    out = [(0, 0, w, h)]
    if n > 1:
        tw, th = min(w, int(w * 1.2 / n)), min(h, int(h * 1.2 / n))
        for i in range(n):
            for j in range(n):
                x0 = round(j * (w - tw) / (n - 1))
                y0 = round(i * (h - th) / (n - 1))
                out.append((x0, y0, x0 + tw, y0 + th))
    return out


def _run(model: _Model, bgr: np.ndarray, tiles: int, min_score: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A detector over the frame (and its tiles): boxes, scores, key points in frame [0, 1] coordinates."""
    h, w = bgr.shape[:2]
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for x0, y0, x1, y1 in _tiles(bgr.shape, tiles):
        square, px, py, sx, sy = _letterbox(bgr[y0:y1, x0:x1], model.spec.size)
        boxes, scores, points = model.run(square, min_score)
        tw, th = (x1 - x0) / w, (y1 - y0) / h
        boxes = _to_frame(boxes.reshape(-1, 2, 2), px, py, sx, sy).reshape(-1, 4)
        points = _to_frame(points, px, py, sx, sy)
        boxes = boxes * [tw, th, tw, th] + [x0 / w, y0 / h, x0 / w, y0 / h]
        points = points * [tw, th] + [x0 / w, y0 / h]
        found.append((boxes, scores, points))
    boxes = np.concatenate([f[0] for f in found]).astype(np.float32)
    scores = np.concatenate([f[1] for f in found]).astype(np.float32)
    points = np.concatenate([f[2] for f in found]).astype(np.float32)
    keep = anc.nms(boxes, scores)
    return boxes[keep], scores[keep], points[keep]


def _body_box(points: np.ndarray, aspect: float) -> np.ndarray:
    """A body box from BlazePose's hip centre and full-body point; ``aspect`` is the frame's w/h, so
    the circle's radius (a length in pixels) is the same both ways. Proportions: ``_HEIGHT``,
    ``_WIDTH``, ``_RAISE`` (see the module's docstring)."""
    hip, top = points[0], points[1]
    radius = float(np.hypot((top[0] - hip[0]) * aspect, top[1] - hip[1]))  # in frame heights
    height = _HEIGHT * 2 * radius
    half_w = _WIDTH * height / 2 / aspect
    y0 = hip[1] - (0.5 + _RAISE) * height
    return np.clip(np.array([hip[0] - half_w, y0, hip[0] + half_w, y0 + height], np.float32), 0.0, 1.0)


def _clip_box(box: np.ndarray) -> tuple[float, float, float, float]:
    c = np.clip(box, 0.0, 1.0)
    return (float(c[0]), float(c[1]), float(c[2]), float(c[3]))


def _faces(bgr: np.ndarray, options: PeopleOptions) -> list[Face]:
    boxes, scores, points = [], [], []
    for spec in (anc.FACE_SHORT, anc.FACE_FULL):
        b, s, p = _run(_load(spec), bgr, 1 if spec is anc.FACE_SHORT else options.tiles, options.face_score)
        boxes.append(b)
        scores.append(s)
        points.append(p)
    all_boxes, all_scores, all_points = np.concatenate(boxes), np.concatenate(scores), np.concatenate(points)
    keep = anc.nms(all_boxes, all_scores)
    return [Face(_clip_box(all_boxes[i]), float(all_scores[i]), tuple((float(x), float(y)) for x, y in all_points[i]))
            for i in keep]


def detect(bgr: np.ndarray, frame: int, options: PeopleOptions = PeopleOptions()) -> list[Detection]:
    """The people on one decoded frame (``(H, W, 3)`` uint8 BGR), best first.

    Raises:
        ModelError: a detector file is missing or not the one shipped.
    """
    h, w = bgr.shape[:2]
    faces = _faces(bgr, options)
    pose_boxes, pose_scores, pose_points = _run(_load(anc.POSE), bgr, options.tiles, options.body_score)
    out: list[Detection] = []
    used: set[int] = set()
    for i in range(len(pose_boxes)):
        box = _clip_box(_body_box(pose_points[i], w / h))
        j = _face_of(pose_boxes[i], box, faces, used)
        face = faces[j] if j is not None else None
        if j is not None:
            used.add(j)
        out.append(Detection(frame, box, float(pose_scores[i]), "body", face, _descriptor(bgr, box, face)))
    bodies = list(out)
    for j, face in enumerate(faces):
        if j in used or any(_inside(face.box, _widened(d.box)) for d in bodies):
            continue
        box = _person_of_face(face, w / h)
        if any(_overlap_of_smaller(box, d.box) >= _SAME_PERSON for d in bodies):
            continue  # the body of this face was found, only its face not placed in it
        out.append(Detection(frame, box, face.score, "face", face, _descriptor(bgr, box, face)))
    return _distinct(out)


def _distinct(found: list[Detection]) -> list[Detection]:
    """One detection per person, best first: the tiles and the two face models see people twice."""
    found = sorted((d for d in found if _visible(d.box)), key=lambda d: -d.score)
    boxes = np.array([d.box for d in found], np.float32).reshape(-1, 4)
    return [found[i] for i in sorted(anc.nms(boxes, np.array([d.score for d in found], np.float32), _SAME_PERSON))]


def _visible(box: tuple[float, ...]) -> bool:
    """Not a sliver: a body circle centred off the frame's edge clips to a box with no width."""
    return box[2] - box[0] >= MIN_SIDE and box[3] - box[1] >= MIN_SIDE


def _face_of(pose_face: np.ndarray, body: tuple[float, ...], faces: list[Face], used: set[int]) -> int | None:
    """The BlazeFace face that belongs to a BlazePose person: its centre inside the body box widened by
    ``_REACH`` of its width each side (a head turned away sits at the box's edge), nearest the part
    BlazePose itself looked at."""
    centre = (pose_face[:2] + pose_face[2:]) / 2
    best, best_d = None, np.inf
    for j, face in enumerate(faces):
        if j in used or not _inside(face.box, _widened(body)):
            continue
        d = float(np.hypot((face.box[0] + face.box[2]) / 2 - centre[0], (face.box[1] + face.box[3]) / 2 - centre[1]))
        if d < best_d:
            best, best_d = j, d
    return best


def _widened(box: tuple[float, ...]) -> tuple[float, ...]:
    grow = _REACH * (box[2] - box[0])
    return (box[0] - grow, box[1], box[2] + grow, box[3])


def _person_of_face(face: Face, aspect: float) -> tuple[float, float, float, float]:
    """The person around a face no body was found for (close-ups), from a body's usual proportions:
    a head is about 1/7.5 of a standing body's height, the shoulders about three heads wide; what
    the frame cuts off stays cut off."""
    x0, y0, x1, y1 = face.box
    head_h = y1 - y0
    cx = (x0 + x1) / 2
    half_w = 1.5 * head_h / aspect
    return _clip_box(np.array([cx - half_w, y0 - 0.25 * head_h, cx + half_w, y0 + 7.5 * head_h], np.float32))


def _overlap_of_smaller(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """The share of the smaller box that the other covers."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller if smaller > 0 else 0.0


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    cx, cy = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] <= cx <= outer[2] and outer[1] <= cy <= outer[3]


def _descriptor(bgr: np.ndarray, box: tuple[float, ...], face: Face | None) -> tuple[float, ...]:
    face_part = face_descriptor(bgr, face) if face is not None else None
    body = body_descriptor(bgr, box, face)
    return tuple(float(v) for v in body) + (tuple(float(v) for v in face_part) if face_part is not None else ())
