"""Speech: ``asr`` (speech to text with faster-whisper) and ``subtitles`` (SRT and WebVTT, written
and read)."""
