"""The project database (SQLite): ``Store`` and the records it returns besides ``core.types``."""

from core.store.paths import default_db_path
from core.store.records import Change, OrphanAnnotation
from core.store.store import Store

__all__ = ["Change", "OrphanAnnotation", "Store", "default_db_path"]
