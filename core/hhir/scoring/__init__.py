"""What clips are scored with, shared by analysis, training and export.

A layer below ``hhir.pipeline``, ``hhir.exchange`` and ``hhir.learn``, so none of them has to import
another for it: the zero-shot starter (:mod:`hhir.scoring.starter`), the encoder set whose features
are cached and read (:mod:`hhir.scoring.encoders`), the project's active model bundle
(:mod:`hhir.scoring.active`), and the one rule that turns annotations into the truth a clip is
trained, queued, compared and exported by (:mod:`hhir.scoring.truth`), and the one rule for which
scores a video shows (:mod:`hhir.scoring.shown`); who does what to whom, suggested from the people, voices and
transcript with each suggestion's cue (:mod:`hhir.scoring.pairs`).
"""
