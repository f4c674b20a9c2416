"""Work the window hands off: the child-process mechanism (:mod:`.child`) and the JSON codec of
its payloads (:mod:`.codec`). The operations themselves are named in :mod:`hhir_studio.operations`."""
