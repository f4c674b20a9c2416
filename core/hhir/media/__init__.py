"""Reading media: ``probe`` (what a file holds, its fingerprint), ``frames`` (frames of many ranges
in one decode pass), ``scale`` (frames shrunk to analysis size), ``audio`` (the soundtrack as one
waveform), ``timebase`` (frame numbers and player positions), ``proxy`` (fast-seeking playback
copies) and ``ffmpeg`` (the bundled FFmpeg, argument lists only)."""
