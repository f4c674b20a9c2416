"""Data files that ship with HHIR Studio (label sets, style sheet), installed as ``hhir.resources``.

Read them with :func:`hhir.appdirs.resource`, never by walking up from a module's ``__file__``:
an installed wheel and the frozen app have no checkout around them.
"""
