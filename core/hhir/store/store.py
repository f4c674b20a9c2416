"""The project database: one ``Store`` per SQLite file, safe to share between threads."""

from __future__ import annotations

from hhir.store.api_media import MediaAPI
from hhir.store.api_models import ModelsAPI
from hhir.store.api_interactions import InteractionsAPI
from hhir.store.api_people import PeopleAPI
from hhir.store.api_review import ReviewAPI
from hhir.store.api_split import SplitAPI
from hhir.store.api_team import TeamAPI


class Store(MediaAPI, ModelsAPI, ReviewAPI, SplitAPI, TeamAPI, PeopleAPI, InteractionsAPI):
    """A project database file.

    Every method is one short unit of work in its own session, and every mutating method commits
    before it returns. Edits a person makes (annotations, review status, transcript corrections)
    are logged per video in the same transaction, so undo/redo survives a restart. Methods return
    ``hhir.types`` records (and :class:`Change` / :class:`OrphanAnnotation`), never ORM objects.

    Args:
        path: the SQLite file; created (with its folder) and seeded with the default label set
            when missing, migrated to the current schema (after a backup copy) when older. Or a
            ``postgresql://user@host/name`` URL of an existing (empty or HHIR) database on a
            server: the same migrations and API, for a team (docs/teams.md).

    Raises:
        StoreError: naming the file, when it is not a SQLite database, is damaged, belongs to
            something else, or was written by a newer version.
    """
