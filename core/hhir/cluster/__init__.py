"""Corpus analysis on a Ray cluster (optional extra ``hhir-studio[cluster]``): ``analyze_corpus``."""

from hhir.cluster.corpus import CorpusRun, VideoState, analyze_corpus

__all__ = ["CorpusRun", "VideoState", "analyze_corpus"]
