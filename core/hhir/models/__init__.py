"""Encoders, the fusion classifier, model bundles, seed checkpoint import and profiles.

Submodules import torch and transformers lazily (inside functions) except :mod:`lstm` and
:mod:`vivit`, which define ``torch.nn`` modules and are only imported by code that runs a model.
"""
