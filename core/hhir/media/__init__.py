"""Reading media: ``probe`` (what a file holds, its fingerprint), ``frames`` (frames of many ranges
in one decode pass), ``scale`` (frames shrunk to analysis size), ``audio`` (the soundtrack as one
waveform), ``timebase`` (frame numbers and player positions), ``frame_index`` (every decoded
frame's timestamp, built once and kept in the project), ``proxy`` (fast-seeking playback copies)
and ``ffmpeg`` (the bundled FFmpeg, argument lists only)."""
