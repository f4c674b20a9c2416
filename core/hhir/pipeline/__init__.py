"""From a video file to shots, clips, transcript, features and predictions, stored as it goes.

``analyze(store, path)`` is the whole pipeline. Each stage commits its results as it finishes and
records its settings, so a cancelled or crashed run resumes where it stopped and a second run of the
same video with the same settings recomputes nothing.

Files: ``run`` (the stages in order), ``options`` (``AnalysisOptions``), ``feature_cache``,
``predict`` (scores from cached features) with ``fallback`` (labels the active model cannot score),
``voices`` (who speaks each turn, linked to the face seen speaking), ``people`` (the people stage:
who is on screen, grouped into characters), ``pairs`` (suggested interactions with their cues),
``frames`` (the kept frame index of a video's file, decoded when missing), ``shot_edits`` (corrected
shots, then the new clips'
suggestions) and ``result`` (the ``--json`` object)."""

from hhir.pipeline.options import AnalysisOptions
from hhir.pipeline.run import USER_SET, analyze, predict_video, rebuild_clips, replace_shots, replace_transcript
from hhir.pipeline.result import video_result

__all__ = [
    "USER_SET", "AnalysisOptions", "analyze", "predict_video", "rebuild_clips", "replace_shots", "replace_transcript",
    "video_result",
]
