"""Dialogs: ``export``, ``import_`` (File → Import labels…), ``training`` (with ``plot``, its live curves), ``settings`` and ``failure``
(errors with the log one click away)."""
