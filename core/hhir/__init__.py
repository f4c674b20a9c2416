"""HHIR Studio core library: media, segmentation, speech, encoders, models, storage, exchange.

Qt-free. Heavy libraries (torch, transformers, faster_whisper, cv2, scenedetect, av) are imported
inside the functions that use them so that importing ``core`` stays cheap.
"""

__version__ = "0.1.0"
