"""Corpus analysis on a Ray cluster (optional extra ``hhir-studio[cluster]``): ``analyze_corpus``.

Files: ``corpus`` (one Ray task per video, one progress view) and ``workers`` (the Ray actors)."""

from hhir.cluster.corpus import CorpusRun, VideoState, analyze_corpus

__all__ = ["CorpusRun", "VideoState", "analyze_corpus"]
