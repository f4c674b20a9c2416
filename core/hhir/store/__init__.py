"""The project database (a SQLite file, or a PostgreSQL database for a team): ``Store`` and the records
it returns besides ``hhir.types``.

Files: ``store`` (the ``Store`` class, assembled from the ``api_*`` mixins) over ``base`` (opening,
closing, the per-call read and write sessions). Each ``api_*`` file is the public half of one area
and opens a session; its ``repo_*`` twin holds the queries, run inside that session:
``api_media``/``repo_media`` (videos, stage bookkeeping, shots, transcript), ``repo_clips`` (clips
rebuilt without losing annotations), ``repo_shots`` and ``shot_edit`` (a shot correction as one undo
step), ``api_review``/``repo_annotations`` (annotations, review marks, corrections, undo/redo),
``api_models``/``repo_models`` (labels, model registry, predictions, feature cache),
``api_split``/``repo_split`` (the fixed split), ``api_team``/``team`` (disagreements and
adjudication), ``api_people``/``repo_people`` with ``rows_people`` (characters, tracks, boxes,
speech turns and a person's edits on them), ``api_interactions``/``repo_interactions`` with
``rows_interactions`` (who does what to whom, over a span of frames). The undo log: ``editlog`` and
``rows``. The file itself: ``location`` (path or URL), ``paths`` (the default file), ``engine``
(SQLite settings and checks), ``server`` (PostgreSQL), ``migrate`` and ``migrations/`` (alembic),
``repair`` (``hhir doctor --check/--repair``). Shared: ``schema`` (the tables), ``records``
(returned records), ``common``, ``default_labels``."""

from hhir.store.paths import default_db_path
from hhir.store.records import Change, HistoryStep, OrphanAnnotation, VideoState
from hhir.store.store import Store

__all__ = ["Change", "HistoryStep", "OrphanAnnotation", "Store", "VideoState", "default_db_path"]
