"""Every command of the app, declared once: id, title, keys, menu, toolbar, enablement, handler.

The registry builds the menus, the toolbar and the shortcuts from this table; tests trigger the
same commands by id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from hhir_studio.actions import ActionRegistry, ActionSpec
from hhir_studio.player.view import SPEEDS

if TYPE_CHECKING:
    from hhir_studio.player.view import PlayerView
    from hhir_studio.session import ReviewSession
    from hhir_studio.timeline.view import TimelineView

MENUS = ("&File", "&Edit", "&Playback", "&Review", "&Timeline", "&People", "&Model", "&Help")


@dataclass(frozen=True)
class CommandTargets:
    """What the commands act on: the review session, the player, the timeline and the window's
    own handlers (dialogs, shot edits), so this table never needs the window itself."""

    session: ReviewSession
    player: PlayerView
    timeline: TimelineView
    open_videos: Callable[[], None]
    export: Callable[[], None]
    import_: Callable[[], None]
    settings: Callable[[], None]
    quit: Callable[[], object]
    toggle_loop: Callable[[], None]
    split_shot: Callable[[], None]
    merge_shot: Callable[[], None]
    move_cut: Callable[[], None]
    train: Callable[[], None]
    show_history: Callable[[], None]


def register_all(registry: ActionRegistry, w: CommandTargets) -> None:
    """Register every command of the app with ``registry``, acting on ``w``."""
    s = w.session
    has_video = lambda: s.data is not None  # noqa: E731
    has_target = lambda: s.data is not None and s.selected is not None  # noqa: E731
    has_media = lambda: w.player.has_media  # noqa: E731
    has_clips = lambda: s.data is not None and bool(s.data.clips)  # noqa: E731
    has_shots = lambda: s.data is not None and bool(s.data.shots)  # noqa: E731
    add = registry.register

    def jump() -> float:
        return s.settings.jump_seconds

    add(ActionSpec("file.open", "&Open videos…", ("Ctrl+O",), "&File", True, "Add videos to the project and analyze them"), w.open_videos)
    add(ActionSpec("file.export", "&Export…", ("Ctrl+E",), "&File"), w.export, has_video)
    add(ActionSpec("file.import", "&Import labels…", ("Ctrl+I",), "&File", tip="Labels, transcripts or shots from another tool"),
        w.import_)
    add(ActionSpec("file.settings", "&Settings…", ("Ctrl+,",), "&File"), w.settings)
    add(ActionSpec("file.quit", "&Quit", ("Ctrl+Q",), "&File"), w.quit)

    add(ActionSpec("edit.undo", "&Undo", ("Ctrl+Z",), "&Edit", True), s.undo, has_video)
    add(ActionSpec("edit.redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "&Edit", True), s.redo, has_video)

    add(ActionSpec("play.toggle", "Play / &pause", ("Space",), "&Playback", True), w.player.toggle_play, has_media)
    add(ActionSpec("play.frame_next", "Next &frame", ("Right",), "&Playback"), lambda: w.player.step_frames(1), has_media)
    add(ActionSpec("play.frame_prev", "Previous frame", ("Left",), "&Playback"), lambda: w.player.step_frames(-1), has_media)
    add(ActionSpec("play.step_many_fwd", "Step forward N frames", ("Ctrl+Right",), "&Playback",
                   tip="Move forward the number of frames in the step box"), lambda: w.player.step_many(1), has_media)
    add(ActionSpec("play.step_many_back", "Step back N frames", ("Ctrl+Left",), "&Playback"), lambda: w.player.step_many(-1), has_media)
    add(ActionSpec("play.first", "First frame", ("Home",), "&Playback"), w.player.first_frame, has_media)
    add(ActionSpec("play.last", "Last frame", ("End",), "&Playback"), w.player.last_frame, has_media)
    add(ActionSpec("play.goto", "&Go to frame or time…", ("Ctrl+G",), "&Playback"), w.player.focus_goto, has_media)
    add(ActionSpec("play.jump_fwd", "Jump forward", ("Shift+Right",), "&Playback"), lambda: w.player.jump(jump()), has_media)
    add(ActionSpec("play.jump_back", "Jump back", ("Shift+Left",), "&Playback"), lambda: w.player.jump(-jump()), has_media)
    add(ActionSpec("play.faster", "Faster", ("]",), "&Playback"), lambda: w.player.change_speed(1), has_media)
    add(ActionSpec("play.slower", "Slower", ("[",), "&Playback"), lambda: w.player.change_speed(-1), has_media)
    for i, speed in enumerate(SPEEDS, start=1):
        add(ActionSpec(f"play.speed_{speed:g}", f"Speed {speed:g}×", (f"Alt+{i}",), "&Playback"),
            partial(w.player.set_speed, speed), has_media)
    add(ActionSpec("play.loop", "&Loop selected clip", ("L",), "&Playback", True, checkable=True), w.toggle_loop, has_media)

    for n in range(1, 10):
        add(ActionSpec(f"label.{n}", f"Cycle label {n}", (str(n),), ""), partial(s.cycle_label, n), has_target)
    add(ActionSpec("review.accept", "&Accept suggestions", ("A",), "&Review", True,
                   "Labels above their threshold become present, the others absent"), s.accept_suggestions, has_target)
    add(ActionSpec("review.reviewed_next", "Reviewed, &next", ("N", "Return"), "&Review", True), s.mark_reviewed_and_next, has_target)
    add(ActionSpec("review.next_unreviewed", "Next unreviewed clip", (".",), "&Review"), lambda: s.go_unreviewed(1), has_clips)
    add(ActionSpec("review.prev_unreviewed", "Previous unreviewed clip", (",",), "&Review"), lambda: s.go_unreviewed(-1), has_clips)
    add(ActionSpec("review.next_clip", "Next clip", ("Alt+Right",), "&Review"), lambda: s.step_clip(1), has_clips)
    add(ActionSpec("review.prev_clip", "Previous clip", ("Alt+Left",), "&Review"), lambda: s.step_clip(-1), has_clips)
    add(ActionSpec("review.scene", "Label the whole &scene", ("S",), "&Review"), lambda: s.select_clip(None), has_video)
    add(ActionSpec("review.next_disagreement", "Next &disagreement", ("D",), "&Review", tip="Next clip where annotators disagree"),
        lambda: s.go_disagreement(1), has_video)
    add(ActionSpec("review.prev_disagreement", "Previous disagreement", ("Shift+D",), "&Review"), lambda: s.go_disagreement(-1), has_video)

    add(ActionSpec("view.history", "Edit &history", ("Ctrl+H",), "&Edit", tip="Who changed what, when; select a step to go there"),
        w.show_history)
    add(ActionSpec("timeline.zoom_in", "Zoom &in", ("Ctrl+=", "Ctrl++"), "&Timeline"), lambda: w.timeline.zoom(1.5), has_video)
    add(ActionSpec("timeline.zoom_out", "Zoom &out", ("Ctrl+-",), "&Timeline"), lambda: w.timeline.zoom(1 / 1.5), has_video)
    add(ActionSpec("timeline.fit", "&Fit video", ("Ctrl+0",), "&Timeline"), w.timeline.fit, has_video)
    add(ActionSpec("shots.split", "&Split shot at playhead", ("X",), "&Timeline"), w.split_shot, has_shots)
    add(ActionSpec("shots.merge", "&Merge shot with next", ("M",), "&Timeline"), w.merge_shot, has_shots)
    add(ActionSpec("shots.move", "Move nearest &cut to playhead", ("B",), "&Timeline"), w.move_cut, has_shots)

    add(ActionSpec("model.train", "&Train from annotations…", ("Ctrl+T",), "&Model"), w.train)

    from hhir_studio.dialogs.failure import open_log_folder

    add(ActionSpec("help.logs", "Open &log folder", (), "&Help", tip="The log files to look at or send"), open_log_folder)
