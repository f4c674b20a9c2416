"""Moving figures in a clip's frames: how many things move, and how many move side by side.

People detectors need people tens of pixels tall; in the small frames the pipeline samples (128 px
for the offline profile) a pedestrian in a wide shot is a dozen pixels, and OpenCV's HOG finds
nobody. With a still camera, what moves against the clip's own median frame is, in film, mostly
people, so moving blobs are counted instead (OpenCV's connected components on the difference).
When most of the picture changes, the camera moves and the count says nothing: it is then 0.
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


def mover_cues(frames: np.ndarray) -> tuple[float, float, float]:
    """``(movers, mover_pairs, moving_fraction)`` of ``(T, H, W, 3)`` uint8 frames.

    ``movers``: the most moving blobs in one of a few picked frames; ``mover_pairs``: the most pairs
    of blobs moving beside each other; both 0 when the camera moves (``moving_fraction`` is high).
    """
    import cv2

    if len(frames) < 3:
        return 0.0, 0.0, 0.0
    gray = frames.astype(np.float32).mean(axis=-1)
    median = np.median(gray, axis=0)
    picks = np.unique(np.linspace(0, len(frames) - 1, _PICKS).astype(int))
    kernel = np.ones((2, 2), np.uint8)
    masks = [cv2.morphologyEx((np.abs(gray[i] - median) > _DIFF).astype(np.uint8), cv2.MORPH_OPEN, kernel)
             for i in picks]
    moving = float(np.mean([m.mean() for m in masks]))
    if moving > _CAMERA_MOVES:
        return 0.0, 0.0, moving
    blobs = [_blobs(cv2.dilate(m, kernel)) for m in masks]
    return float(max(len(b) for b in blobs)), float(max(_pairs(b) for b in blobs)), moving
