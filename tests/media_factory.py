"""Real media for tests: H.264/AAC mp4 files with hard cuts at known frames and spoken words at known times.

Every file is encoded with PyAV from frames drawn with numpy, and the speech is synthesised by
``espeak-ng``, so tests exercise the real decoders on content whose truth is known exactly.

Shot specs (the second item of each ``(n_frames, spec)`` pair):

- ``None`` or an ``int`` ``i``: palette scene ``i`` (a shot's position is used for ``None``), so that
  consecutive shots differ strongly in colour, brightness and texture;
- a palette name (``"red"``, ``"green"``, ``"blue"``, ...) or an ``(r, g, b)`` tuple: that colour with
  the shot's texture;
- ``"code"``: every frame shows its own global frame index as a 4x4 grid of black/white blocks (read
  it back with :func:`read_frame_code`); such frames change every frame, so use them for frame tests,
  not for cut detection;
- a callable ``f(global_index, local_index, height, width) -> uint8 RGB (height, width, 3)``.

Each textured scene moves slowly (two pixels a frame), so no shot is a static picture, while the
difference between consecutive frames inside a shot stays far below the difference at a cut.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
import wave
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

SPEECH_RATE = 16000
PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (200, 30, 30),
    "green": (30, 190, 60),
    "blue": (30, 50, 210),
    "yellow": (235, 225, 40),
    "magenta": (200, 40, 200),
    "cyan": (40, 210, 220),
    "white": (235, 235, 235),
    "black": (15, 15, 15),
    "orange": (240, 130, 20),
    "grey": (120, 120, 120),
}
_ORDER = tuple(PALETTE)
ShotSpec = int | str | tuple[int, int, int] | Callable[[int, int, int, int], np.ndarray] | None
_CODE_GRID = 4  # 4x4 blocks = 16 bits of frame index


def cut_frames(shots: Sequence[tuple[int, ShotSpec]]) -> list[int]:
    """The first frame of every shot after the first: where the hard cuts are."""
    starts = np.cumsum([n for n, _ in shots])[:-1]
    return [int(s) for s in starts]


def shot_bounds(shots: Sequence[tuple[int, ShotSpec]]) -> list[tuple[int, int]]:
    """``(start_frame, end_frame)`` (end exclusive) of each shot."""
    ends = np.cumsum([n for n, _ in shots])
    return [(int(e - n), int(e)) for (n, _), e in zip(shots, ends)]


@functools.lru_cache(maxsize=8)
def _grid(height: int, width: int) -> np.ndarray:
    return np.mgrid[0:height, 0:width].astype(np.float32)


def _texture(kind: int, t: int, height: int, width: int) -> np.ndarray:
    """A moving pattern in [-1, 1]; the kind differs from shot to shot.

    Sizes are in pixels of a 160-pixel-wide frame: a wider frame shows the same picture with more
    pixels (as a film does at a higher resolution), not finer stripes that alias when shrunk.
    """
    y, x = _grid(height, width)
    scale = max(1.0, width / 160.0)
    y, x = y / scale, x / scale
    shift = 2.0 * t
    kind %= 4
    if kind == 0:
        return np.sign(np.sin((x + shift) * np.pi / 8))
    if kind == 1:
        return np.sign(np.sin((y + shift) * np.pi / 10))
    if kind == 2:
        return np.sign(np.sin((x + y + shift) * np.pi / 12))
    return np.sign(np.sin((x + shift) * np.pi / 9) * np.sin(y * np.pi / 9))


def _scene_frame(rgb: tuple[int, int, int], kind: int, t: int, height: int, width: int) -> np.ndarray:
    base = np.array(rgb, dtype=np.float32)
    frame = base[None, None, :] + 22.0 * _texture(kind, t, height, width)[..., None]
    return np.clip(frame, 0, 255).astype(np.uint8)


def code_frame(index: int, height: int, width: int) -> np.ndarray:
    """A frame showing ``index`` as 16 black/white blocks (most significant bit first, row-major)."""
    bits = [(index >> (15 - b)) & 1 for b in range(_CODE_GRID * _CODE_GRID)]
    grid = np.array(bits, dtype=np.uint8).reshape(_CODE_GRID, _CODE_GRID) * 255
    rows = np.linspace(0, _CODE_GRID, height, endpoint=False).astype(int)
    cols = np.linspace(0, _CODE_GRID, width, endpoint=False).astype(int)
    return np.repeat(grid[rows][:, cols][..., None], 3, axis=2)


def read_frame_code(frame: np.ndarray) -> int:
    """The index drawn by :func:`code_frame`, read from the centre of each block (RGB or BGR)."""
    height, width = frame.shape[:2]
    value = 0
    for r in range(_CODE_GRID):
        for c in range(_CODE_GRID):
            y = int((r + 0.5) * height / _CODE_GRID)
            x = int((c + 0.5) * width / _CODE_GRID)
            value = (value << 1) | int(frame[y, x].mean() > 127)
    return value


def _frame_fn(spec: ShotSpec, position: int) -> Callable[[int, int, int, int], np.ndarray]:
    if callable(spec):
        return spec
    if spec == "code":
        return lambda g, _t, h, w: code_frame(g, h, w)
    if spec is None or isinstance(spec, int):
        number = position if spec is None else spec
        rgb, kind = PALETTE[_ORDER[number % len(_ORDER)]], number
    elif isinstance(spec, str):
        rgb, kind = PALETTE[spec], _ORDER.index(spec)
    else:
        rgb, kind = tuple(int(v) for v in spec), position
    return lambda _g, t, h, w: _scene_frame(rgb, kind, t, h, w)


@functools.lru_cache(maxsize=64)
def _speak_cached(text: str) -> np.ndarray:
    from scipy.signal import resample_poly

    with tempfile.TemporaryDirectory() as tmp:
        wav_path = Path(tmp) / "speech.wav"
        # Text goes in on stdin, so a sentence can never be read as an option.
        subprocess.run(["espeak-ng", "-s", "130", "-w", str(wav_path), "--stdin"],
                       input=text.encode(), check=True, capture_output=True, timeout=60)
        with wave.open(str(wav_path), "rb") as wav:
            rate = wav.getframerate()
            pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    samples = pcm.astype(np.float32) / 32768.0
    ratio = Fraction(SPEECH_RATE, rate)
    return resample_poly(samples, ratio.numerator, ratio.denominator).astype(np.float32)


def speak(text: str) -> np.ndarray:
    """``text`` spoken by espeak-ng: 16 kHz mono float32 in [-1, 1]."""
    return _speak_cached(text).copy()


def make_waveform(duration_s: float, speech: Sequence[tuple[float, str]] | None = None,
                  sample_rate: int = SPEECH_RATE, noise: float = 0.002, seed: int = 0) -> np.ndarray:
    """A mono float32 track: low noise, with each ``(start_s, text)`` spoken from ``start_s``."""
    from scipy.signal import resample_poly

    total = int(round(duration_s * sample_rate))
    track = np.random.default_rng(seed).normal(0.0, noise, total).astype(np.float32)
    for start_s, text in speech or []:
        voice = speak(text)
        if sample_rate != SPEECH_RATE:
            ratio = Fraction(sample_rate, SPEECH_RATE)
            voice = resample_poly(voice, ratio.numerator, ratio.denominator).astype(np.float32)
        start = int(round(start_s * sample_rate))
        if start < 0 or start + len(voice) > total:
            raise ValueError(f"speech {text!r} at {start_s}s does not fit in {duration_s}s")
        track[start:start + len(voice)] += voice
    return np.clip(track, -1.0, 1.0)


def _audio_stream(container, sample_rate: int, codec: str):
    return container.add_stream(codec, rate=sample_rate, layout="mono")


def _encode_audio(container, stream, track: np.ndarray, sample_rate: int) -> None:
    import av

    fmt = "s16" if stream.codec_context.name.startswith("pcm") else "fltp"
    samples = track if fmt == "fltp" else (track * 32767).astype(np.int16)
    chunk = 1024
    for start in range(0, len(samples), chunk):
        part = np.ascontiguousarray(samples[start:start + chunk][None, :])
        frame = av.AudioFrame.from_ndarray(part, format=fmt, layout="mono")
        frame.sample_rate, frame.pts = sample_rate, start
        frame.time_base = Fraction(1, sample_rate)
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def _video_stream(container, fps: float, size: tuple[int, int], codec: str):
    stream = container.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
    stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
    if codec == "libx264":
        stream.options = {"preset": "veryfast", "crf": "16"}
    return stream


def _encode_video(container, stream, shots) -> None:
    import av

    width, height = stream.width, stream.height
    rate = stream.codec_context.framerate
    index = 0
    for position, (n_frames, spec) in enumerate(shots):
        draw = _frame_fn(spec, position)
        for local in range(n_frames):
            frame = av.VideoFrame.from_ndarray(draw(index, local, height, width), format="rgb24")
            frame.pts = index
            frame.time_base = 1 / rate
            for packet in stream.encode(frame):
                container.mux(packet)
            index += 1
    for packet in stream.encode(None):
        container.mux(packet)


def make_video(path: str | Path, shots: Sequence[tuple[int, ShotSpec]] = ((50, None),),
               fps: float = 25, size: tuple[int, int] = (160, 120),
               speech: Sequence[tuple[float, str]] | None = None, audio: bool = True,
               video: bool = True, codec: str = "libx264", sample_rate: int = SPEECH_RATE,
               noise: float = 0.002, waveform: np.ndarray | None = None) -> Path:
    """Write a real mp4 (or any container PyAV knows by extension) and return its path.

    Args:
        path: Output file.
        shots: ``(n_frames, spec)`` per shot; hard cuts fall at :func:`cut_frames`.
        fps: Constant frame rate.
        size: ``(width, height)``, both even.
        speech: ``(start_s, text)`` pairs spoken over low noise; must fit in the video's duration.
        audio: Whether to add an AAC mono track.
        video: Whether to add the video track (``False`` gives an audio-only file).
        codec: Video encoder (``libx264``, ``mpeg4``, ...).
        sample_rate: Audio sample rate.
        noise: Standard deviation of the background noise.
        waveform: A ready mono float32 track at ``sample_rate`` (instead of ``speech``), cut or
            kept to the video's duration (low noise after its end).
    """
    import av

    path = Path(path)
    duration_s = sum(n for n, _ in shots) / fps
    track = make_waveform(duration_s, speech, sample_rate, noise) if audio else None
    if track is not None and waveform is not None:
        track[:len(waveform)] = waveform[:len(track)]
    with av.open(str(path), "w") as container:
        # Every stream must exist before the first packet is muxed (that writes the header).
        v_stream = _video_stream(container, fps, size, codec) if video else None
        a_stream = _audio_stream(container, sample_rate, "aac") if audio else None
        if v_stream is not None:
            _encode_video(container, v_stream, shots)
        if a_stream is not None:
            _encode_audio(container, a_stream, track, sample_rate)
    return path


def make_audio_only(path: str | Path, duration_s: float = 3.0,
                    speech: Sequence[tuple[float, str]] | None = None,
                    sample_rate: int = SPEECH_RATE, noise: float = 0.002) -> Path:
    """Write an audio file without any video stream: ``.wav`` as PCM, anything else as AAC."""
    import av

    path = Path(path)
    codec = "pcm_s16le" if path.suffix.lower() == ".wav" else "aac"
    track = make_waveform(duration_s, speech, sample_rate, noise)
    with av.open(str(path), "w") as container:
        _encode_audio(container, _audio_stream(container, sample_rate, codec), track, sample_rate)
    return path


def make_timed_video(path: str | Path, times_s: Sequence[float], size: tuple[int, int] = (160, 160),
                     audio: bool = True, bframes: int = 2) -> Path:
    """A coded mp4 whose frame ``i`` is shown at ``times_s[i]`` (a late start, a variable rate).

    Every frame carries its index (:func:`read_frame_code`). With ``audio`` an AAC track starts at
    0, so the video stream starts after the container does, as in real files. ``bframes`` sets
    x264's B-frames, whose decode order differs from display order.
    """
    import av

    unit = Fraction(1, 90000)
    width, height = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = unit
        stream.time_base = unit
        stream.options = {"preset": "veryfast", "crf": "16", "bf": str(bframes)}
        a_stream = _audio_stream(container, SPEECH_RATE, "aac") if audio else None
        for i, t in enumerate(times_s):
            frame = av.VideoFrame.from_ndarray(code_frame(i, height, width), format="rgb24")
            frame.pts, frame.time_base = int(round(t / unit)), unit
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
        if a_stream is not None:
            _encode_audio(container, a_stream, make_waveform(times_s[-1] + 0.1), SPEECH_RATE)
    return Path(path)
