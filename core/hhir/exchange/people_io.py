"""A video's people in and out: the formats' shared record and the one way an import is stored."""

from __future__ import annotations

from pathlib import Path

from hhir.errors import HHIRError
from hhir.store import Store
from hhir.exchange.people_record import PeopleImport

USER_SET = "user"  # the people stage's params for people a person set or imported: analysis keeps them
FORMATS = ("vidor", "ava", "labelstudio", "eaf")


def export_people(store: Store, video_id: int, fmt: str, out: str | Path) -> Path:
    """Write a video's people in ``fmt`` (``vidor``, ``ava``, ``labelstudio``; ``eaf``: their speech
    turns) to the file ``out``."""
    if fmt == "vidor":
        from hhir.exchange.people_vidor import export_vidor

        return export_vidor(store, video_id, out)
    if fmt == "ava":
        from hhir.exchange.people_ava import export_people_ava

        return export_people_ava(store, video_id, out)
    if fmt == "labelstudio":
        from hhir.exchange.people_labelstudio import export_people_labelstudio

        return export_people_labelstudio(store, video_id, out)
    if fmt == "eaf":
        from hhir.exchange.people_eaf import export_people_eaf

        return export_people_eaf(store, video_id, out)
    raise HHIRError(f"unknown people format {fmt!r}; known: {', '.join(FORMATS)}")


def import_people(store: Store, video_id: int, fmt: str, path: str | Path, replace: bool = False) -> PeopleImport:
    """Read a file of ``fmt`` and make it the video's people (validated whole first; nothing changes
    on an error). People a person edited are kept unless ``replace``."""
    video = store.video(video_id)
    shots = [(s.start_frame, s.end_frame) for s in store.shots(video_id)]
    if fmt == "vidor":
        from hhir.exchange.people_vidor import read_vidor

        from hhir.exchange.interactions_io import check_records, read_vidor_relations

        found = read_vidor(path, video, shots)
        relations = check_records(store, read_vidor_relations(path), set(found.numbers), path)
    elif fmt == "ava":
        from hhir.exchange.people_ava import read_people_ava

        found = read_people_ava(path, video, shots)
    elif fmt == "labelstudio":
        from hhir.exchange.people_labelstudio import read_people_labelstudio

        found = read_people_labelstudio(path, video, shots)
    elif fmt == "eaf":
        raise HHIRError(f"{path}: an ELAN file carries speech turns, not boxes: read it with hhir.exchange.people_eaf.import_speech_eaf")
    else:
        raise HHIRError(f"unknown people format {fmt!r}; known: {', '.join(FORMATS)}")
    if not replace and store.stage_done(video_id, "people", USER_SET) and (store.person_tracks(video_id) or store.characters(video_id)):
        raise HHIRError(f"{path}: video {video_id} has people a person edited or imported; import with --replace to overwrite them")
    names = {i: n for i, n in enumerate(found.names) if n}
    store.set_people(video_id, found.tracks, found.groups, USER_SET, names, found.confirmed, found.numbers)
    if fmt == "vidor":  # the file's relation instances are the video's interactions again
        from hhir.exchange.interactions_io import store_records

        store_records(store, video_id, relations, path, "")
    return found
