"""Appearance vectors that group tracks into characters, with no learned weights.

The face-recognition networks in registry packages fetch their weights at run time, pin an old
torch or need dlib built from source (docs/people.md), so identity comes from two weight-free signals:

- the body: hue and saturation histograms of the upper and lower half of the person's box
  (clothes and hair; Hellinger-normalised), ``BODY_DIM`` values;
- the face, when BlazeFace saw both eyes: the face turned upright by its eye line, scaled by the
  eye distance, 24×24 grey, its local contrast normalised, ``FACE_DIM`` values.

Both are unit vectors, compared by cosine distance.
"""

from __future__ import annotations

import numpy as np

from hhir.people.records import Face

BODY_DIM = 2 * 8 * 4
FACE_SIDE = 24
FACE_DIM = FACE_SIDE * FACE_SIDE


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n > 0 else v.astype(np.float32)


def _pixels(shape: tuple[int, ...], box: tuple[float, ...]) -> tuple[int, int, int, int]:
    h, w = shape[:2]
    x0, y0 = int(np.clip(box[0] * w, 0, w - 1)), int(np.clip(box[1] * h, 0, h - 1))
    x1, y1 = int(np.clip(np.ceil(box[2] * w), x0 + 1, w)), int(np.clip(np.ceil(box[3] * h), y0 + 1, h))
    return x0, y0, x1, y1


def body_descriptor(bgr: np.ndarray, box: tuple[float, ...]) -> np.ndarray:
    """Hue × saturation histograms (8 × 4) of the box's upper and lower halves, as one unit vector."""
    import cv2

    x0, y0, x1, y1 = _pixels(bgr.shape, box)
    hsv = cv2.cvtColor(np.ascontiguousarray(bgr[y0:y1, x0:x1]), cv2.COLOR_BGR2HSV)
    mid = max(1, hsv.shape[0] // 2)
    parts = []
    for half in (hsv[:mid], hsv[mid:] if hsv.shape[0] > 1 else hsv[:mid]):
        hist = cv2.calcHist([np.ascontiguousarray(half)], [0, 1], None, [8, 4], [0, 180, 0, 256]).ravel()
        parts.append(np.sqrt(hist / max(float(hist.sum()), 1.0)))
    return _unit(np.concatenate(parts))


def face_descriptor(bgr: np.ndarray, face: Face) -> np.ndarray | None:
    """The upright, eye-aligned face as a normalised 24×24 grey patch; None without both eyes or
    when the face is under 12 pixels between the eyes (too small to tell anyone apart)."""
    import cv2

    if len(face.keypoints) < 2:
        return None
    h, w = bgr.shape[:2]
    (rx, ry), (lx, ly) = face.keypoints[0], face.keypoints[1]
    right, left = np.array([rx * w, ry * h]), np.array([lx * w, ly * h])
    eyes = float(np.linalg.norm(left - right))
    if eyes < 12:
        return None
    # Eyes placed at 30 % and 70 % of the patch width, 35 % from its top (a frontal face's layout).
    angle = float(np.degrees(np.arctan2(left[1] - right[1], left[0] - right[0])))
    scale = 0.4 * FACE_SIDE / eyes
    centre = (right + left) / 2
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, scale)
    matrix[:, 2] += np.array([FACE_SIDE / 2, 0.35 * FACE_SIDE]) - centre
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    patch = cv2.warpAffine(gray, matrix, (FACE_SIDE, FACE_SIDE), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    patch = patch.astype(np.float32)
    patch -= cv2.GaussianBlur(patch, (0, 0), 3.0)  # local contrast: the same face under other light
    return _unit(patch.ravel() - patch.mean())
