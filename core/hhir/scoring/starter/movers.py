"""Moving figures in a clip's frames: how many things move, and how many move side by side.

People detectors need people tens of pixels tall; in the small frames the pipeline samples (128 px
for the offline profile) a pedestrian in a wide shot is a dozen pixels, and OpenCV's HOG finds
nobody. With a still camera, what moves against the clip's own median frame is, in film, mostly
people, so moving blobs are counted instead (OpenCV's connected components on the difference).
The camera's own motion is measured first (the median optical flow of the picture's edges, where
the background is) and the frames are aligned on the background before the median is taken, so a
pan does not make everything "move"; what still changes by more than a figure's share of the picture
is a close-up or a cut, and the count is then 0. A blob counts as a figure only if it travels
between the picked frames (a nodding head or a flickering lamp stays in place), and the camera's
total travel over the clip is returned too: a camera that follows people moves with them.
"""

from __future__ import annotations

import numpy as np

_DIFF = 24  # grey levels a pixel must differ from the median frame to count as moving
_CAMERA_MOVES = 0.05  # above this fraction of moving pixels the camera, or a close-up figure, moves: no count
_MIN_AREA = 6e-4  # of the frame: a 128 px frame's blob needs about 10 pixels
_MAX_AREA = 0.15  # larger blobs are lighting changes or the camera, not a figure
_PICKS = 5


def _blobs(mask: np.ndarray) -> np.ndarray:
    """``(n, 4)`` centroid x, y and width, height (as frame fractions) of the mask's figure-sized blobs."""
    import cv2

    n, _, stats, centroids = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    h, w = mask.shape
    area = stats[1:, cv2.CC_STAT_AREA] / float(h * w)
    keep = (area >= _MIN_AREA) & (area <= _MAX_AREA)
    boxes = np.column_stack([centroids[1:, 0] / w, centroids[1:, 1] / h,
                             stats[1:, cv2.CC_STAT_WIDTH] / w, stats[1:, cv2.CC_STAT_HEIGHT] / h])
    return boxes[keep]


def _pairs(blobs: np.ndarray) -> int:
    """Blobs with another blob beside them: centres closer than 1.5 of their heights."""
    if len(blobs) < 2:
        return 0
    d = np.hypot(blobs[:, None, 0] - blobs[None, :, 0], (blobs[:, None, 1] - blobs[None, :, 1]) * 0.5)
    reach = 1.5 * np.maximum(blobs[:, None, 3], blobs[None, :, 3])
    close = (d < reach) & ~np.eye(len(blobs), dtype=bool)
    return int(np.triu(close).sum())


def camera_shifts(gray: np.ndarray) -> np.ndarray:
    """``(T, 2)`` cumulative (dx, dy) of the picture against frame 0, in pixels: the camera's motion.

    Dense optical flow (OpenCV's Farneback) between consecutive frames at half size; the camera's
    step is the median flow of the picture's left, right and top bands, where the background is
    in most shots (a followed figure is in the middle). Steps under a tenth of a pixel are noise and
    are dropped, so a still camera does not drift."""
    import cv2

    small = np.stack([cv2.resize(g, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA) for g in gray]).astype(np.uint8)
    h, w = small.shape[1:]
    band = max(2, int(0.15 * w))
    steps = [(0.0, 0.0)]
    for prev, cur in zip(small[:-1], small[1:]):
        flow = cv2.calcOpticalFlowFarneback(prev, cur, None, 0.5, 2, 9, 2, 5, 1.1, 0)
        border = np.concatenate([flow[:, :band].reshape(-1, 2), flow[:, -band:].reshape(-1, 2),
                                 flow[: max(2, int(0.15 * h)), band:-band].reshape(-1, 2)])
        step = np.median(border, axis=0) * 2.0  # back to full-size pixels
        steps.append(tuple(step) if np.hypot(*step) > 0.1 else (0.0, 0.0))
    return np.cumsum(np.array(steps, dtype=np.float64), axis=0)


def _aligned(gray: np.ndarray, shifts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frames moved back onto frame 0's background, and where each has picture (not border)."""
    import cv2

    h, w = gray.shape[1:]
    out = np.empty_like(gray)
    valid = np.empty(gray.shape, dtype=bool)
    ones = np.ones((h, w), np.float32)
    for i, (dx, dy) in enumerate(shifts):
        m = np.array([[1, 0, -dx], [0, 1, -dy]], dtype=np.float32)
        out[i] = cv2.warpAffine(gray[i], m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
        valid[i] = cv2.warpAffine(ones, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0) > 0.5
    return out, valid


def _travelling(blobs: list[np.ndarray], masks: list[np.ndarray]) -> list[np.ndarray]:
    """Each picked frame's blobs that travel: at the picked frame farthest from it in time, less than
    half of the blob's box still changes (a walker has left its place; a nodding head, a talking
    mouth or a flickering lamp has not; the far mask is widened by a few pixels so that a part that
    jiggles in place is not taken for one that left)."""
    import cv2

    wide = [cv2.dilate(m, np.ones((7, 7), np.uint8)) for m in (masks[0], masks[-1])]
    out = []
    for k, here in enumerate(blobs):
        far = wide[0] if k >= len(masks) / 2 else wide[1]
        h, w = far.shape
        keep = []
        for x, y, bw, bh in here:
            x0, x1 = int((x - bw / 2) * w), int(np.ceil((x + bw / 2) * w))
            y0, y1 = int((y - bh / 2) * h), int(np.ceil((y + bh / 2) * h))
            box = far[max(0, y0):max(y0 + 1, y1), max(0, x0):max(x0 + 1, x1)]
            keep.append(box.size > 0 and box.mean() < 0.5 * masks[k][max(0, y0):max(y0 + 1, y1), max(0, x0):max(x0 + 1, x1)].mean())
        out.append(here[np.array(keep, dtype=bool)] if len(here) else here)
    return out


def motion_cues(frames: np.ndarray) -> tuple[float, float, float, float]:
    """``(movers, mover_pairs, moving_fraction, camera_travel)`` of ``(T, H, W, 3)`` uint8 frames.

    ``movers``: the most figure-sized blobs that travel against the (camera-aligned) background in
    one of a few picked frames; ``mover_pairs``: the most pairs of them beside each other; both 0
    when too much of the picture changes (``moving_fraction`` is high: a close-up or a cut).
    ``camera_travel``: how far the camera moved over the clip, as a fraction of the frame's width.
    """
    import cv2

    if len(frames) < 3:
        return 0.0, 0.0, 0.0, 0.0
    gray = frames.astype(np.float32).mean(axis=-1)
    shifts = camera_shifts(gray)
    travel = float(np.hypot(*(shifts[-1] - shifts[0])) / gray.shape[2])
    aligned, valid = _aligned(gray, shifts)
    everywhere = valid.all(axis=0)
    median = np.median(aligned, axis=0)
    picks = np.unique(np.linspace(0, len(frames) - 1, _PICKS).astype(int))
    kernel = np.ones((2, 2), np.uint8)
    masks = [cv2.morphologyEx(((np.abs(aligned[i] - median) > _DIFF) & everywhere).astype(np.uint8),
                              cv2.MORPH_OPEN, kernel) for i in picks]
    moving = float(np.mean([m.mean() for m in masks]))
    if moving > _CAMERA_MOVES or not everywhere.any():
        return 0.0, 0.0, moving, travel
    blobs = _travelling([_blobs(cv2.dilate(m, kernel)) for m in masks], masks)
    return float(max(len(b) for b in blobs)), float(max(_pairs(b) for b in blobs)), moving, travel
