"""Appearance vectors that group tracks into characters, with no learned weights.

The face-recognition networks in registry packages fetch their weights at run time, pin an old
torch or need dlib built from source (docs/people.md), so identity comes from two weight-free signals:

- the body: the colours of the torso and the legs, the middle of the person's box (or, where the
  face is seen, the chest below it), and of the head with its hair (around the face, else the
  box's top), so that the background a loose box holds weighs little: per part a hue × saturation
  histogram of the coloured pixels and a brightness histogram of the grey ones (black, white and
  grey clothes differ only there), Hellinger-normalised, ``BODY_DIM`` values. The hair stays when
  the framing cuts the clothes, and a track's parts stay comparable whether its face was found on
  a frame or not;
- the face, when BlazeFace saw both eyes: the face turned upright by its eye line, scaled by the
  eye distance, 24×24 grey, its local contrast normalised, ``FACE_DIM`` values.

Both are unit vectors, compared by cosine distance.
"""

from __future__ import annotations

import numpy as np

from hhir.people.records import Face

HUE_BINS, SAT_BINS, GREY_BINS = 12, 3, 6
GREY_SAT = 50  # saturation under which a pixel counts as grey (black, white, denim-grey)
BODY_DIM = 3 * (HUE_BINS * SAT_BINS + GREY_BINS)
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


def _head(box: tuple[float, ...], face: Face | None) -> tuple[float, ...]:
    """The hair around a face: its box widened by half its width and raised by half its height;
    with no face seen, the top of the box (a head is about an eighth of a body's height)."""
    if face is None:
        x0, y0, x1, y1 = box
        return (x0 + 0.3 * (x1 - x0), y0, x1 - 0.3 * (x1 - x0), y0 + 0.13 * (y1 - y0))
    fx0, fy0, fx1, fy1 = face.box
    fw, fh = fx1 - fx0, fy1 - fy0
    return (fx0 - 0.25 * fw, fy0 - 0.5 * fh, fx1 + 0.25 * fw, fy1)


def _regions(box: tuple[float, ...], face: Face | None) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Where a person's clothes are sure to be, away from the background a loose box holds: the torso
    and the legs, the middle half of the box's width. With a face, the torso hangs below it (a face
    is about a fifth of the shoulders' height down to the waist), so a box cut by the frame or set
    too high still looks at the chest."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if face is not None:
        fx0, fy0, fx1, fy1 = face.box
        fw, fh = fx1 - fx0, fy1 - fy0
        cx = (fx0 + fx1) / 2
        top = fy1 + 0.3 * fh
        torso = (max(x0, cx - 1.0 * fw), top, min(x1, cx + 1.0 * fw), min(y1, top + 2.5 * fh))
        legs_top = min(y1, top + 3.0 * fh)
        legs = (max(x0, cx - 0.8 * fw), legs_top, min(x1, cx + 0.8 * fw), min(y1, legs_top + 3.0 * fh))
    else:
        torso = (x0 + 0.25 * w, y0 + 0.18 * h, x1 - 0.25 * w, y0 + 0.5 * h)
        legs = (x0 + 0.3 * w, y0 + 0.55 * h, x1 - 0.3 * w, y0 + 0.9 * h)
    return torso, legs


def _colours(hsv: np.ndarray) -> np.ndarray:
    """One region's colours: hue × saturation of its coloured pixels and brightness of its grey ones
    (a black coat and a grey one differ only in brightness), together summing to one."""
    import cv2

    if hsv.size == 0:
        return np.zeros(HUE_BINS * SAT_BINS + GREY_BINS, np.float32)
    pixels = hsv.reshape(-1, 3)
    coloured = (pixels[:, 1] >= GREY_SAT) & (pixels[:, 2] >= 40)
    hs = cv2.calcHist([np.ascontiguousarray(pixels[coloured][:, None, :])], [0, 1], None, [HUE_BINS, SAT_BINS],
                      [0, 180, GREY_SAT, 256]).ravel() if coloured.any() else np.zeros(HUE_BINS * SAT_BINS, np.float32)
    grey = np.histogram(pixels[~coloured][:, 2], bins=GREY_BINS, range=(0, 256))[0].astype(np.float32)
    hist = np.concatenate([hs, grey])
    return np.asarray(hist / max(float(hist.sum()), 1.0), np.float32)


def body_descriptor(bgr: np.ndarray, box: tuple[float, ...], face: Face | None = None) -> np.ndarray:
    """The colours (:func:`_colours`) of the torso, the legs (:func:`_regions`) and the head (:func:`_head`), square-rooted
    (Hellinger) and joined into one unit vector; a region outside the frame counts as empty."""
    import cv2

    parts = []
    regions = [*_regions(box, face), _head(box, face)]
    for region in regions:
        if region[2] - region[0] <= 0 or region[3] - region[1] <= 0:
            parts.append(np.zeros(HUE_BINS * SAT_BINS + GREY_BINS, np.float32))
            continue
        x0, y0, x1, y1 = _pixels(bgr.shape, region)
        crop = np.ascontiguousarray(bgr[y0:y1, x0:x1])
        parts.append(np.sqrt(_colours(cv2.cvtColor(crop, cv2.COLOR_BGR2HSV))))
    if not parts[1].any():  # no legs in the picture (a close-up): the torso counts twice
        parts[1] = parts[0]
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
