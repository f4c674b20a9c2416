"""The learning loop: zero-shot starter, retraining from annotations, evaluation, agreement and the
review queue.

Heavy libraries (torch, transformers, cv2) are imported inside the functions that use them, so
importing this package stays cheap for the desktop app.

Files: training (``train`` over ``dataset``, ``loop``, ``warm`` and ``options``; ``from_manifest``
trains from an export), the split (``split``, ``project_split``), measuring (``metrics``,
``evaluation``, ``heldout`` for ``hhir evaluate``, ``heads``: seed classifier vs light head vs
starter), people (``kappa``, ``agreement``, ``adjudicated``, ``interaction_agreement``: κ per actor,
target and label, and pair F1), ``queue`` (the review queue) and
``versions`` (activate, roll back).
"""
