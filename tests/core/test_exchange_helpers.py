"""Projects filled directly through the Store, for the exchange tests (helpers only, no tests)."""

from __future__ import annotations

from pathlib import Path

from hhir.segment.clips import build_clips
from hhir.store import Store
from hhir.types import Annotation, Shot, TranscriptSegment, Video, VideoInfo

FPS = 25.0


def add_scene(store: Store, path: str, fingerprint: str, n_shots: int = 5, shot_frames: int = 40) -> Video:
    """A video with ``n_shots`` equal shots, sliding-window clips and a two-line transcript."""
    frames = n_shots * shot_frames
    video = store.add_video(VideoInfo(path=path, duration_s=frames / FPS, fps=FPS, frame_count=frames, width=160,
                                      height=120, has_audio=True, fingerprint=fingerprint))
    shots = [Shot(i, i * shot_frames, (i + 1) * shot_frames, i * shot_frames / FPS, (i + 1) * shot_frames / FPS)
             for i in range(n_shots)]
    store.set_shots(video.id, shots)
    store.set_clips(video.id, build_clips(shots))
    store.set_transcript(video.id, [TranscriptSegment(0.3, 2.0, "Where is the station?"),
                                    TranscriptSegment(3.6, 5.0, "Next to the bridge.")])
    return video


def make_project(db: Path, videos: int = 2) -> tuple[Store, list[Video]]:
    store = Store(db)
    made = [add_scene(store, f"/media/scene {i}.mp4", f"fp{i}", n_shots=4 + i) for i in range(videos)]
    return store, made


def portable(store: Store, annotations: list[Annotation] | None = None) -> set[tuple]:
    """Annotations keyed by what survives a move between projects: video fingerprint and clip index."""
    fingerprints = {v.id: v.fingerprint for v in store.videos()}
    index = {c.id: c.index for v in store.videos() for c in store.clips(v.id)}
    return {
        (fingerprints[a.target.video_id], None if a.target.clip_id is None else index[a.target.clip_id],
         a.label, a.state, a.annotator)
        for a in (store.annotations() if annotations is None else annotations)
    }
