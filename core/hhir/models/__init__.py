"""Encoders, the fusion classifier, model bundles, seed checkpoint import and profiles.

Submodules import torch and transformers lazily (inside functions) except :mod:`lstm` and
:mod:`vivit`, which define ``torch.nn`` modules and are only imported by code that runs a model.

Files: networks (``lstm``, the seed's fusion classifier; ``vivit``, its video encoder;
``light_head``), encoders (``spec`` names one, ``encoders`` builds it, ``encoder_ids`` without
loading, ``hf`` loads Hugging Face folders offline, ``logmel`` a weight-free audio one, ``profiles``
which set an analysis uses), bundles (``bundle``, ``bundle_io``, ``manifest`` and ``schema`` for its
JSON, ``weights`` for safetensors) and ``seed_checkpoint`` (importing ``weights_2.pth``).
"""
