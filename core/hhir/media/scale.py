"""Decoded video frames shrunk to analysis size as BGR images, cheaply.

Analysis works on small images (128×128 for the encoders, about 256 pixels wide for shot
detection) taken from films of 720p and more. Converting a whole HD frame to BGR and shrinking it
afterwards, or letting FFmpeg's scaler do both with its area filter, costs two to four times the
decoding itself. For the common 8-bit 4:2:0 video-range frames this module shrinks the Y, U and V
planes straight from the decoder's buffers with OpenCV's area filter (an integer factor first, which
OpenCV runs on its fast path) and converts the small result to BGR (BT.601, as FFmpeg's scaler does
by default). Any other pixel format (10-bit, 4:2:2, full range, RGB…) goes through FFmpeg's
scaler with the area filter.
"""

from __future__ import annotations

import numpy as np

_PLANAR_420 = "yuv420p"  # video range; "yuvj420p" is full range and takes the FFmpeg path


def to_bgr(frame, width: int, height: int) -> np.ndarray:
    """``frame`` (an ``av.VideoFrame``) as a ``(height, width, 3)`` uint8 BGR image, area-filtered."""
    if frame.format.name != _PLANAR_420 or width % 2 or height % 2 or width > frame.width or height > frame.height:
        return frame.reformat(width=width, height=height, format="bgr24", interpolation="AREA").to_ndarray()
    import cv2

    chroma_w, chroma_h = (frame.width + 1) // 2, (frame.height + 1) // 2
    packed = np.empty((height * 3 // 2, width), np.uint8)  # OpenCV's I420 layout: Y rows, then U, then V
    packed[:height] = shrink(_plane(frame, 0, frame.width, frame.height), width, height)
    chroma = packed[height:].reshape(2, -1)
    chroma[0] = shrink(_plane(frame, 1, chroma_w, chroma_h), width // 2, height // 2).reshape(-1)
    chroma[1] = shrink(_plane(frame, 2, chroma_w, chroma_h), width // 2, height // 2).reshape(-1)
    return cv2.cvtColor(packed, cv2.COLOR_YUV2BGR_I420)


def shrink(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area-average ``image`` down to ``(height, width)``: a whole-number factor first, then the rest.

    OpenCV's area filter is several times faster for whole-number factors; the few edge pixels a
    whole factor does not cover (fewer than the factor) are left out of the first step.
    """
    import cv2

    rows, cols = image.shape[:2]
    if (cols, rows) == (width, height):
        return image
    factor = min(cols // width, rows // height)
    if factor >= 2:
        image = image[:rows - rows % factor, :cols - cols % factor]
        image = cv2.resize(image, (image.shape[1] // factor, image.shape[0] // factor), interpolation=cv2.INTER_AREA)
        if image.shape[:2] == (height, width):
            return image
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def _plane(frame, index: int, width: int, height: int) -> np.ndarray:
    """One plane of ``frame`` as a view on the decoder's buffer (rows may be padded)."""
    plane = frame.planes[index]
    return np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[:height, :width]
