"""HHIR Studio, the desktop app (PySide6); it calls ``hhir`` and never the database or torch itself.

Files: ``app`` (``hhir-studio``: arguments, the window, ``--op-child`` and ``--self-test``),
``main_window`` (assembles the views and routes what operations changed), ``session`` (the open
video, the selection and a person's edits), ``actions`` and ``commands`` (every menu command, once),
``models_menu`` (the Model menu), ``status`` (the status line), ``theme``, ``jobs`` (the job runner)
and ``operations`` (every background operation on the project, declared once; no Qt, the child
process imports it), ``interaction_keys`` (the keys that record who does what to whom). Packages:
``ops`` (the child process), one per view (``videos``, ``player``, ``timeline``, ``labels``,
``transcript``, ``dialogs``, ``history``, ``people``), ``selftest`` and ``tools``."""
