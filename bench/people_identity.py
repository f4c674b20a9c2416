"""How well the people stage's characters match who is who:
``python bench/people_identity.py VIDEO [--truth FILE] [--sheet OUT.png]``.

Runs the people stage's library part on ``VIDEO`` with its detected shots (defaults of
``PeopleOptions``) and prints one JSON object: the tracks (shot, first and last frame, character)
and the characters. ``--sheet`` writes a picture with a row per track (up to five crops of its
detected boxes, its number and character) for labelling identities by eye. ``--truth`` reads who is
where: ``{"frames": {"37": [[0.37, "curly"], [0.57, "brunette"]], ...}}``, per sampled frame the
horizontal centre (a fraction of the frame's width) of each person's box and their identity; a
detected box takes the identity of the nearest centre given on its frame (within 0.1), and boxes
with none are not counted. Then it adds the purity (each character's share of its most frequent
identity, over boxes), the inverse purity (each identity's share in the character holding most of
its boxes) and how many characters hold each identity. Identities are judged by a person looking
at the frames: keep the file beside the video, not in the repository, when the footage is not ours
to publish.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent / "core")]

NEAR = 0.1  # a detected box is the labelled person whose centre is at most this far (frame widths)


def _identity(truth: dict[int, list[tuple[float, str]]], frame: int, box: tuple[float, ...]) -> str | None:
    centre = (box[0] + box[2]) / 2
    people = truth.get(frame, [])
    if not people:
        return None
    x, who = min(people, key=lambda p: abs(p[0] - centre))
    return who if abs(x - centre) <= NEAR else None


def scores(tracks: list, groups: list, truth: dict[int, list[tuple[float, str]]]) -> dict:
    """Purity, inverse purity and characters per identity, over the detected boxes with an identity."""
    held = [Counter(who for i in g.tracks for b in tracks[i].boxes
                    if (who := _identity(truth, b.frame, b.box)) is not None) for g in groups]
    total = sum(sum(c.values()) for c in held)
    if not total:
        return {"boxes": 0}
    names = sorted({who for c in held for who in c})
    return {
        "boxes": total, "identities": len(names),
        "purity": round(sum(max(c.values(), default=0) for c in held) / total, 3),
        "inverse_purity": round(sum(max(c[n] for c in held) for n in names) / total, 3),
        "characters_per_identity": {n: sum(1 for c in held if c[n]) for n in names},
    }


def _sheet(path: Path, tracks: list, owner: dict[int, int], frames: dict[int, object], out: Path, height: int = 110) -> None:
    import cv2
    import numpy as np

    rows = []
    for i, track in enumerate(tracks):
        boxes = list(track.boxes)
        picks = sorted({boxes[round(k * (len(boxes) - 1) / 4)].frame for k in range(5)})
        cells = [np.zeros((height, 150, 3), np.uint8)]
        cv2.putText(cells[0], f"t{i} s{track.shot_index}", (4, 30), 0, 0.7, (255, 255, 255), 2)
        cv2.putText(cells[0], f"c{owner.get(i)}", (4, 70), 0, 0.7, (0, 255, 0), 2)
        for b in (b for b in boxes if b.frame in picks):
            image = frames[b.frame]
            h, w = image.shape[:2]  # type: ignore[attr-defined]
            x0, y0, x1, y1 = (int(v * s) for v, s in zip(b.box, (w, h, w, h)))
            crop = image[max(0, y0):max(y0 + 1, y1), max(0, x0):max(x0 + 1, x1)]  # type: ignore[index]
            crop = cv2.resize(crop, (max(1, crop.shape[1] * height // crop.shape[0]), height))
            cv2.putText(crop, str(b.frame), (2, height - 4), 0, 0.45, (0, 255, 255), 1)
            cells.append(crop)
        rows.append(np.hstack(cells))
    width = max((r.shape[1] for r in rows), default=1)
    rows = [np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0))) for r in rows]
    if not cv2.imwrite(str(out), np.vstack(rows) if rows else np.zeros((1, 1, 3), np.uint8)):
        raise SystemExit(f"{out}: cannot be written")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("video")
    parser.add_argument("--truth", type=Path)
    parser.add_argument("--sheet", type=Path)
    args = parser.parse_args()

    from hhir.media.probe import probe
    from hhir.people import video as people_video
    from hhir.people.records import PeopleOptions
    from hhir.segment.shots import detect_shots

    info = probe(args.video)
    shots = detect_shots(args.video, info)
    kept: dict[int, object] = {}
    if args.sheet:  # keep the sampled frames for the crops
        decode = people_video._frames

        def keeping(*a, **k):  # type: ignore[no-untyped-def]
            for index, bgr in decode(*a, **k):
                kept[index] = bgr
                yield index, bgr

        people_video._frames = keeping  # type: ignore[assignment]
    result = people_video.find_people(args.video, shots, info.fps, PeopleOptions())
    owner = {i: n for n, g in enumerate(result.characters) for i in g.tracks}
    out: dict = {
        "video": Path(args.video).name, "shots": len(shots), "tracks": len(result.tracks), "characters": len(result.characters),
        "per_track": [{"track": i, "shot": t.shot_index, "frames": [t.start_frame, t.end_frame], "character": owner.get(i)}
                      for i, t in enumerate(result.tracks)],
    }
    if args.truth:
        try:
            raw = json.loads(args.truth.read_text(encoding="utf-8"))["frames"]
            truth = {int(f): [(float(x), str(who)) for x, who in people] for f, people in raw.items()}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SystemExit(f"{args.truth}: not a truth file ({exc})") from None
        out.update(scores(result.tracks, result.characters, truth))
    if args.sheet:
        _sheet(Path(args.video), result.tracks, owner, kept, args.sheet)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
