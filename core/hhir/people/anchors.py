"""SSD anchors and box decoding of MediaPipe's BlazeFace and BlazePose detectors.

The models output raw offsets against a fixed grid of anchors; the grid and the decoding are not in
the ``.tflite`` files but in MediaPipe's graph settings (``SsdAnchorsCalculator`` and
``TensorsToDetectionsCalculator`` options of ``face_detection_*.pbtxt`` and
``pose_detection_cpu.pbtxt`` in mediapipe 0.10.21). They are written out here, small and pure numpy,
because taking mediapipe itself would take its numpy<2 and protobuf<5 pins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AnchorSpec:
    """What one detector's graph says about its input, anchors and outputs."""

    file: str
    size: int  # square input, pixels
    strides: tuple[int, ...]
    interpolated: bool  # a second anchor per cell (the interpolated scale) besides the 1:1 one
    keypoints: int
    sha256: str


FACE_SHORT = AnchorSpec("face_detection_short_range.tflite", 128, (8, 16, 16, 16), True, 6,
                        "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8")
FACE_FULL = AnchorSpec("face_detection_full_range_sparse.tflite", 192, (4,), False, 6,
                       "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1")
POSE = AnchorSpec("pose_detection.tflite", 224, (8, 16, 32, 32, 32), True, 4,
                  "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c")


def anchors(spec: AnchorSpec) -> np.ndarray:
    """``(n, 2)`` anchor centres (x, y) in [0, 1]; with a fixed anchor size every anchor is 1×1.

    Consecutive layers with the same stride share one grid (MediaPipe's rule), each adding one
    anchor per cell, two when the interpolated scale is on.
    """
    out: list[np.ndarray] = []
    i = 0
    while i < len(spec.strides):
        stride, per_cell = spec.strides[i], 0
        while i < len(spec.strides) and spec.strides[i] == stride:
            per_cell += 2 if spec.interpolated else 1
            i += 1
        cells = int(np.ceil(spec.size / stride))
        ys, xs = np.meshgrid((np.arange(cells) + 0.5) / cells, (np.arange(cells) + 0.5) / cells, indexing="ij")
        grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
        out.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(out).astype(np.float32)


def decode(raw_boxes: np.ndarray, raw_scores: np.ndarray, grid: np.ndarray, spec: AnchorSpec,
           min_score: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boxes ``(k, 4)`` x0 y0 x1 y1, scores ``(k,)`` and key points ``(k, n, 2)`` in the input square's
    [0, 1] coordinates, for the anchors scoring at least ``min_score``."""
    scores = 1.0 / (1.0 + np.exp(-np.clip(raw_scores.reshape(-1).astype(np.float64), -100.0, 100.0)))
    keep = scores >= min_score
    raw, centre = raw_boxes.reshape(len(grid), -1)[keep] / spec.size, grid[keep]
    cx, cy = raw[:, 0] + centre[:, 0], raw[:, 1] + centre[:, 1]
    w, h = raw[:, 2], raw[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    points = raw[:, 4 : 4 + 2 * spec.keypoints].reshape(-1, spec.keypoints, 2) + centre[:, None, :]
    return boxes, scores[keep], points


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of every box of ``a (n, 4)`` with every box of ``b (m, 4)``."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), np.float32)
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 2], b[None, :, 2])
    y1 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    out: np.ndarray = (inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)).astype(np.float32)
    return out


def nms(boxes: np.ndarray, scores: np.ndarray, threshold: float = 0.3) -> list[int]:
    """Indices kept by non-maximum suppression, best first."""
    order = list(np.argsort(-scores))
    kept: list[int] = []
    while order:
        best = order.pop(0)
        kept.append(int(best))
        if order:
            overlap = iou_matrix(boxes[[best]], boxes[order])[0]
            order = [o for o, v in zip(order, overlap) if v < threshold]
    return kept
