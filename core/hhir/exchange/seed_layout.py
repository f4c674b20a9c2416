"""The seed's training layout, so its notebook trains on our data unchanged.

For every exported clip, with ``<scene>`` the video's seed scene key (``<movie>-<part>``, see
:func:`hhir.exchange.naming.seed_scene_keys`), ``<sub>`` the clip window id (``w0003``) and
``<clip>`` = ``<scene>-clip0003`` (the seed keys clips by file stem across a whole split, and
groups them into scenes by the first two ``-`` parts of it)::

    clip_<split>/<scene>/<sub>/<clip>.mp4      frame-exact H.264/AAC cut of the original
    dialogue_<split>/<scene>/<sub>/<clip>.srt  the transcript inside the clip, clip-relative times
    audio_<split>/<scene>/<sub>/<clip>.mp3     the clip's audio (silence for a video without audio)
    <split>_labels/<scene>.csv                 columns Clip, Interaction: one row per present label

``<split>`` is ``train`` or ``test``, assigned per scene. A label counts as present when any
exported annotator marked it present (filter by annotator to export one person's view); labels
of the whole video are not part of this layout.

What the seed's notebook does with the files decides which clips are written:

* it gives a clip without a label row -1 and stops training on it, so only clips with a present
  label are exported; a clip with none is left out, files and all. ``no_interaction`` is a label
  like the others, present where someone ticked it: a reviewed clip with nothing ticked has every
  label absent, ``no_interaction`` included (:mod:`hhir.scoring.truth`, what training, the
  manifest, Label Studio and EAF say), so no row is invented for it; the notes count such clips;
* it keeps the last row per clip, and trains on the union of its clips' labels per scene. The CSV
  still lists every present label of a clip; their order puts last, for as many clips as needed,
  a label no other clip of the scene carries last (a matching), so each scene's label set reaches
  the notebook whole wherever it has enough clips to carry it. The export's notes say how many
  clips had labels the notebook does not see, and name any scene label it cannot see at all.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hhir.errors import HHIRError, ImportFormatError
from hhir.exchange.model import ClipRef, ExportData, ImportData, LabelRecord, VideoData, VideoRef
from hhir.exchange.naming import clip_name, clip_window, parse_clip_name, seed_scene_keys
from hhir.exchange.safety import atomic_path, read_import_text, safe_join, write_text
from hhir.jobs import CancelToken, ProgressFn
from hhir.types import DEFAULT_LABELS, AnnotationState, Clip, Target, TranscriptSegment

SAMPLE_RATE = 16000
DEFAULT_ANNOTATOR = "imported"
NOTHING_PRESENT = "no_interaction"
"""The seed's label for a clip where nobody interacts."""
SEED_LABELS = DEFAULT_LABELS
"""The label names the seed's notebook maps to class indices."""


@dataclass(frozen=True)
class SceneRows:
    """One scene's label rows, as the CSV holds them, and what the notebook will not see of them."""

    key: str
    clips: tuple[Clip, ...]
    rows: tuple[tuple[str, str], ...]
    hidden_clip_labels: int
    lost_scene_labels: tuple[str, ...]


def clip_paths(out: Path, video: VideoData, key: str, clip: Clip) -> tuple[Path, Path, Path]:
    """The ``.mp4``, ``.srt`` and ``.mp3`` paths of one clip of the scene ``key``."""
    rel = Path(key) / clip_window(clip.index) / clip_name(key, clip.index)
    return tuple(out / f"{kind}_{video.split}" / rel.with_suffix(ext) for kind, ext in
                 (("clip", ".mp4"), ("dialogue", ".srt"), ("audio", ".mp3")))  # type: ignore[return-value]


def clip_segments(clip: Clip, segments: tuple[TranscriptSegment, ...]) -> list[TranscriptSegment]:
    """Transcript segments overlapping ``clip``, in clip-relative time, clamped to the clip."""
    length = clip.end_s - clip.start_s
    return [
        TranscriptSegment(max(s.start_s - clip.start_s, 0.0), min(s.end_s - clip.start_s, length), s.text)
        for s in sorted(segments, key=lambda s: s.start_s)
        if s.start_s < clip.end_s and s.end_s > clip.start_s
    ]


def scene_rows(video: VideoData, key: str) -> SceneRows:
    """The clips the layout exports for one scene and their ``(Clip, Interaction)`` rows, in clip order."""
    present: dict[int, set[str]] = {}
    for a in video.annotations:
        if a.state is AnnotationState.PRESENT and a.target.clip_id is not None:
            present.setdefault(a.target.clip_id, set()).add(a.label)
    labels = {c.id: sorted(present.get(c.id, ())) for c in video.clips}
    clips = tuple(c for c in video.clips if labels[c.id])
    last = _last_labels({c.id: labels[c.id] for c in clips})
    rows = tuple((clip_name(key, c.index), label) for c in clips
                 for label in [*(n for n in labels[c.id] if n != last[c.id]), last[c.id]])
    union = {n for c in clips for n in labels[c.id]}
    return SceneRows(key, clips, rows, sum(len(labels[c.id]) - 1 for c in clips),
                     tuple(sorted(union - set(last.values()))))


def _last_labels(labels: dict[int, list[str]]) -> dict[int, str]:
    """Clip id -> the label to put last, covering as many of the scene's labels as clips allow.

    A maximum bipartite matching of labels to clips (Kuhn's augmenting paths): a scene has tens of
    clips and a handful of labels, so this is a few lines here rather than a graph library.
    """
    owner: dict[int, str] = {}  # clip id -> label matched to it

    def place(label: str, seen: set[int]) -> bool:
        for clip_id, names in labels.items():
            if label in names and clip_id not in seen:
                seen.add(clip_id)
                if clip_id not in owner or place(owner[clip_id], seen):
                    owner[clip_id] = label
                    return True
        return False

    for label in sorted({n for names in labels.values() for n in names}):
        place(label, set())
    return {clip_id: owner.get(clip_id, names[0]) for clip_id, names in labels.items()}


def export_seed(data: ExportData, out: Path, progress: ProgressFn, cancel: CancelToken,
                need_test: bool = False) -> tuple[list[Path], int, list[str]]:
    """Write the layout; returns the files written, the number of label rows and notes on what the
    seed's notebook will not see.

    With ``need_test`` (a test fraction was asked for), an export whose labelled scenes would all
    land in one split is refused before anything is written: the notebook's test cell reads
    ``clip_test/`` and its training ``clip_train/``, and a scene goes whole to one of them.
    """
    missing = [v.video.path for v in data.videos if not Path(v.video.path).is_file()]
    if missing:
        raise HHIRError(f"{missing[0]}: the original video is missing, so its clips cannot be cut")
    keys = seed_scene_keys({v.video.id: v.name for v in data.videos})
    scenes = [(video, scene_rows(video, keys[video.video.id])) for video in data.videos]
    if need_test:
        _require_both_splits(scenes)
    total = max(sum(len(s.clips) for _, s in scenes), 1)
    files: list[Path] = []
    rows = done = 0
    for video, scene in scenes:
        if not scene.clips:
            continue
        for path in _video_files(out, video, scene, cancel):
            files.append(path)
            if path.suffix == ".mp3":
                done += 1
                progress(done / total, f"{scene.key}: clip {done} of {total}")
        files.append(write_text(out / f"{video.split}_labels" / f"{scene.key}.csv", _csv(scene.rows)))
        rows += len(scene.rows)
    return files, rows, _notes(data, [s for _, s in scenes])


def _require_both_splits(scenes: list[tuple[VideoData, SceneRows]]) -> None:
    splits = {video.split for video, scene in scenes if scene.clips}
    if len(splits) == 2:
        return
    written = sum(1 for _, scene in scenes if scene.clips)
    if not written:
        raise HHIRError("seed: no clip has a present label, so the seed's notebook has nothing to train or test on")
    raise HHIRError(
        f"seed: {written} scene(s) with labelled clips, all in the {splits.pop()} split: the seed's notebook trains on "
        "clip_train/ and its test cell reads clip_test/, and a scene goes whole to one of them, so it needs labelled "
        "clips in at least two videos; label another video, or pass --test-fraction 0 to write the train split "
        "alone (the notebook's test cell then has nothing to read)")


def _notes(data: ExportData, scenes: list[SceneRows]) -> list[str]:
    notes = [f"{s.key}: no clip is reviewed or has a present label, so the scene is left out" for s in scenes if not s.clips]
    kept = {c.id for s in scenes for c in s.clips}
    left = [(v, c) for v in data.videos for c in v.clips if c.id not in kept]
    reviewed = sum(1 for v, c in left if Target(v.video.id, c.id) in v.reviewed)
    if len(left) - reviewed:
        notes.append(f"{len(left) - reviewed} unreviewed clips without a present label left out "
                     "(the seed's notebook cannot train on a clip without a label)")
    if reviewed:
        notes.append(f"{reviewed} reviewed clips with no label present left out: {NOTHING_PRESENT} is written only where it is "
                     "marked present, as every format says (tick it on clips where nobody interacts)")
    hidden = sum(s.hidden_clip_labels for s in scenes)
    if hidden:
        notes.append(f"the seed's notebook reads one label per clip (the CSV's last row): {hidden} further clip labels are "
                     "in the CSV but not seen per clip by it; scene label sets reach it whole except where named below")
    notes += [f"{s.key}: label(s) {', '.join(s.lost_scene_labels)} reach the seed's notebook on no clip "
              "(the scene has fewer clips than labels)" for s in scenes if s.lost_scene_labels]
    unknown = sorted({label for _, label in (r for s in scenes for r in s.rows)} - set(SEED_LABELS))
    if unknown:
        notes.append(f"label(s) {', '.join(unknown)} are not among the seed's seven, and its notebook has no index for them")
    return notes


def _video_files(out: Path, video: VideoData, scene: SceneRows, cancel: CancelToken) -> Iterator[Path]:
    from hhir.media.audio import extract_audio
    from hhir.media.ffmpeg import cut_clip, to_mp3
    from hhir.speech.subtitles import to_srt

    audio = extract_audio(video.video.path, SAMPLE_RATE) if video.video.has_audio else np.zeros(0, np.float32)
    for clip in scene.clips:
        cancel.check()
        mp4, srt, mp3 = clip_paths(out, video, scene.key, clip)
        mp4.parent.mkdir(parents=True, exist_ok=True)
        yield cut_clip(video.video.path, clip.start_s, clip.end_s, mp4, cancel=cancel)
        yield write_text(srt, to_srt(clip_segments(clip, video.transcript)))
        with atomic_path(mp3, must_write=True) as tmp:
            to_mp3(_audio_slice(audio, clip), SAMPLE_RATE, tmp)
        yield mp3


def _audio_slice(audio: np.ndarray, clip: Clip) -> np.ndarray:
    start, end = round(clip.start_s * SAMPLE_RATE), round(clip.end_s * SAMPLE_RATE)
    part = audio[start:end]
    return np.pad(part, (0, max(end - start - len(part), 0)))  # silence where the audio ran out


def _csv(rows: tuple[tuple[str, str], ...]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Clip", "Interaction"])
    writer.writerows(rows)
    return buffer.getvalue()


def label_files(root: Path) -> list[Path]:
    """Every ``.csv`` under ``root`` (or ``root`` itself), without following links out of it."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise ImportFormatError(f"{root}: no such file or folder")
    found = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if name.lower().endswith(".csv") and not path.is_symlink():
                found.append(safe_join(root, str(path.relative_to(root))))
    return found


def parse_seed_labels(root: Path, annotator: str | None = None) -> ImportData:
    """Read the seed's label CSVs (``Clip, Interaction``) as present labels on matching clips."""
    files = label_files(root)
    if not files:
        raise ImportFormatError(f"{root}: no label CSV files found")
    records: list[LabelRecord] = []
    for path in files:
        records += _csv_records(path, annotator or DEFAULT_ANNOTATOR)
    return ImportData(labels=tuple(records))


def _csv_records(path: Path, annotator: str) -> list[LabelRecord]:
    reader = csv.reader(io.StringIO(read_import_text(path), newline=""))
    try:
        header = [c.strip() for c in next(reader, [])]
        if "Clip" not in header or "Interaction" not in header:
            raise ImportFormatError(f"{path}: line 1: expected columns Clip, Interaction, got {', '.join(header) or 'nothing'}")
        clip_col, label_col = header.index("Clip"), header.index("Interaction")
        records = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            where = f"{path}: line {reader.line_num}"
            if len(row) != len(header):
                raise ImportFormatError(f"{where}: {len(row)} fields, expected {len(header)}")
            parsed = parse_clip_name(row[clip_col].strip())
            if parsed is None:
                raise ImportFormatError(f"{where}: clip name {row[clip_col]!r} is not <movie>-<part>-clip<number>")
            ref = ClipRef(index=parsed[1])
            records.append(LabelRecord(VideoRef(name=parsed[0]), ref, row[label_col].strip(), AnnotationState.PRESENT, annotator, where))
        return records
    except csv.Error as exc:
        raise ImportFormatError(f"{path}: line {reader.line_num}: {exc}") from exc
