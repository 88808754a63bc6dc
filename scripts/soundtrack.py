"""The narration as an AAC track: lines laid on a timeline, encoded once, muxed beside the video.

A chapter's timeline (``<Chapter>.timeline.json``, written by the chapter process through
``scenes/common/speech.py``) says where each spoken line starts. :func:`mix` lays the
cached WAVs of those lines on one buffer, resampled from the voice's 22,050 Hz to 48 kHz,
as long as the video to the sample. :func:`encode` turns that buffer into AAC packets
with FFmpeg's own encoder; the MP4 muxer records its 1,024-sample priming as an edit list,
so a player starts the sound on time. The audio packets are interleaved with the video's
by time.

A chapter's MP4 gets its own track (:func:`add_to_video`), so a chapter or a subset plays
with sound; the joined video gets one track for the whole film, encoded from every line
at once (``scripts/join.py``), never the chapters' AAC packets copied end to end, which
would restart the encoder's delay at each boundary.
"""
from __future__ import annotations

import json
import os
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np

RATE = 48000
AAC_FRAME = 1024
BITRATE = 128_000


def read_timeline(path: Path) -> list[dict]:
    """The lines of a chapter's timeline; an absent file is a silent chapter."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))["lines"]
    except FileNotFoundError:
        return []


def read_wav(path: str) -> tuple[np.ndarray, int]:
    """A cache entry's samples as floats in [-1, 1], and its rate."""
    with wave.open(path, "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.astype(np.float32) / 32768.0, w.getframerate()


def mix(placed: list[tuple[float, str]], seconds: float) -> np.ndarray:
    """``(start s, wav)`` lines on one mono float32 buffer of ``round(seconds * RATE)`` samples.

    A line that would run past the end is cut there (the beats make room for every line,
    so this happens only to a chapter cut short on purpose).
    """
    from scipy.signal import resample_poly

    out = np.zeros(int(round(seconds * RATE)), dtype=np.float32)
    resampled: dict[str, np.ndarray] = {}
    for start, wav in placed:
        if wav not in resampled:
            data, rate = read_wav(wav)
            g = np.gcd(RATE, rate)
            resampled[wav] = resample_poly(data, RATE // g, rate // g).astype(np.float32) if rate != RATE else data
        data = resampled[wav]
        a = int(round(start * RATE))
        if a >= len(out):
            continue
        b = min(len(out), a + len(data))
        out[a:b] += data[: b - a]
    return np.clip(out, -1.0, 1.0)


def add_stream(container):
    """A mono 48 kHz AAC stream in ``container`` (before its first packet is written)."""
    stream = container.add_stream("aac", rate=RATE)
    stream.codec_context.layout = "mono"
    stream.codec_context.bit_rate = BITRATE
    stream.time_base = Fraction(1, RATE)
    stream.metadata["language"] = "eng"
    return stream


def encode(stream, samples: np.ndarray) -> list:
    """Every AAC packet of ``samples``, in order (flushed), for ``stream``."""
    import av

    packets = []
    for a in range(0, len(samples), AAC_FRAME):
        frame = av.AudioFrame.from_ndarray(samples[None, a: a + AAC_FRAME], format="fltp", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = RATE, a, Fraction(1, RATE)
        packets += stream.encode(frame)
    packets += stream.encode(None)
    return packets


def interleave(container, audio: list, video_packets, video_stream_tb) -> None:
    """Mux ``video_packets`` (already bound to their output stream) and ``audio`` in time order."""
    audio = list(audio)
    k = 0
    for packet in video_packets:
        t = float(packet.pts * video_stream_tb)
        while k < len(audio) and float(audio[k].pts * audio[k].time_base) <= t:
            container.mux(audio[k])
            k += 1
        container.mux(packet)
    for rest in audio[k:]:
        container.mux(rest)


def add_to_video(video: Path, timeline: Path) -> None:
    """Give ``video`` (one chapter) its narration track, in place and atomically."""
    import av

    from scripts.join import video_duration

    placed = [(line["start"], line["wav"]) for line in read_timeline(timeline)]
    samples = mix(placed, video_duration(video))
    tmp = video.with_name(f".{video.stem}.{os.getpid()}.audio{video.suffix}")
    try:
        with av.open(str(video)) as src, av.open(str(tmp), "w", format="mp4") as dst:
            s = src.streams.video[0]
            vout = dst.add_stream_from_template(s)
            aout = add_stream(dst)
            packets = encode(aout, samples)

            def video_packets():
                for packet in src.demux(s):
                    if packet.dts is None:
                        continue
                    packet.stream = vout
                    yield packet

            interleave(dst, packets, video_packets(), s.time_base)
        os.replace(tmp, video)
    finally:
        tmp.unlink(missing_ok=True)
