"""One annotator process for the team fault test: ``python pg_writer.py URL NAME VIDEO_ID COUNT BATCH JOURNAL``.

Makes COUNT edits, each a batch of BATCH distinct (clip, label) decisions as one undo step. After
each commit returns it appends the edit number to JOURNAL and fsyncs it: the journal is what the
annotator was told is saved. A refused edit (server away) is made again, as a person would.
"""

from __future__ import annotations

import os
import sys
import time

from hhir.errors import StoreError
from hhir.store import Store
from hhir.types import AnnotationState, Target


def cells(store: Store, video_id: int) -> list[tuple[Target, str]]:
    labels = [lb.name for lb in store.labels()]
    return [(Target(video_id, c.id), label) for label in labels for c in store.clips(video_id)]


def main(url: str, name: str, video_id: int, count: int, batch: int, journal: str) -> None:
    store = Store(url)
    todo = cells(store, video_id)
    print("ready", flush=True)
    with open(journal, "a", encoding="utf-8") as out:
        for number in range(count):
            edit = [(t, label, AnnotationState.PRESENT) for t, label in todo[number * batch:(number + 1) * batch]]
            while True:
                try:
                    store.annotate_many(edit, name)
                    break
                except StoreError as exc:
                    print(f"{name} edit {number}: {exc}", file=sys.stderr, flush=True)
                    time.sleep(0.2)
            out.write(f"{number}\n")
            out.flush()
            os.fsync(out.fileno())
            time.sleep(0.01)
    store.close()


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], a[1], int(a[2]), int(a[3]), int(a[4]), a[5])
