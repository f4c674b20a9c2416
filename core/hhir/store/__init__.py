"""The project database (SQLite): ``Store`` and the records it returns besides ``hhir.types``."""

from hhir.store.paths import default_db_path
from hhir.store.records import Change, HistoryStep, OrphanAnnotation
from hhir.store.store import Store

__all__ = ["Change", "HistoryStep", "OrphanAnnotation", "Store", "default_db_path"]
