"""Join chapter videos into one MP4 without re-encoding, with chapter markers and the merged
subtitles both as a text track inside the MP4 (mov_text) and as an SRT beside it.

Used by ``scripts/render.py``; also a command:

    .venv/bin/python -m scripts.join OUT.mp4 "Title 1=a.mp4" "Title 2=b.mp4"
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import av

_TIME = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d{3})")


def video_duration(path: Path) -> float:
    """Seconds of video in ``path``, from its stream's frames."""
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        if s.frames and s.average_rate:
            return float(s.frames / s.average_rate)
        return float(s.duration * s.time_base) if s.duration else float(c.duration / 1e6)


def packet_span(path: Path) -> int:
    """The end of the last video packet of ``path``, in its stream's time base."""
    with av.open(str(path)) as src:
        s = src.streams.video[0]
        return max((p.pts + (p.duration or 0) for p in src.demux(s) if p.dts is not None), default=0)


def join(parts: list[tuple[str, Path]], out: Path, subtitles=None, timelines=None) -> list[dict]:
    """Remux ``(title, mp4)`` parts into ``out`` (atomically); returns the chapter list.

    Every part must have the same codec, size and frame rate (they come from one
    manim config), so packets are copied as they are, only shifted in time.
    ``subtitles``, if given, is called with the chapter list and returns the cues
    ``(start s, end s, text)`` to store as the MP4's subtitle track. ``timelines``, if
    given, holds each part's timeline of spoken lines (``scripts/soundtrack.py``): the
    video then gets one narration track for its whole length, encoded once from every
    line; the parts' own audio is never copied.
    """
    from scripts import soundtrack

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.{os.getpid()}.partial{out.suffix}")
    spans = [packet_span(path) for _, path in parts]  # the video streams' own time bases
    chapters = []
    try:
        with av.open(str(tmp), "w", format="mp4") as dst:
            vstream = tstream = astream = None
            audio: list = []
            offset = 0  # in the output stream's time base
            for k, ((title, path), span) in enumerate(zip(parts, spans)):
                with av.open(str(path)) as src:
                    s = src.streams.video[0]
                    tb = s.time_base
                    if vstream is None:  # every stream before the first packet: that writes the header
                        vstream = dst.add_stream_from_template(s)
                        tstream = add_text_track(dst) if subtitles else None
                        if timelines:
                            astream = soundtrack.add_stream(dst)
                            audio = soundtrack.encode(astream, soundtrack.mix(placed_lines(timelines, spans, tb),
                                                                              float(sum(spans) * tb)))
                    start = offset

                    def shifted(packets, by=start):
                        for packet in packets:
                            if packet.dts is None:  # the flush packet
                                continue
                            packet.pts += by
                            packet.dts += by
                            packet.stream = vstream
                            yield packet

                    last = k == len(parts) - 1
                    t_end = float((start + span) * tb)
                    n = len(audio) if last else sum(1 for a in audio if float(a.pts * a.time_base) < t_end)
                    soundtrack.interleave(dst, audio[:n], shifted(src.demux(s)), tb)
                    audio = audio[n:]
                    offset += span
                    chapters.append({"id": k + 1, "start": int(start), "end": int(offset),
                                     "time_base": tb, "metadata": {"title": title}})
            if subtitles:
                for a, b, text in subtitles(chapters):
                    mux_cue(dst, tstream, a, b, text)
            dst.set_chapters(chapters)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return chapters


def placed_lines(timelines: list[Path], spans: list[int], tb) -> list[tuple[float, str]]:
    """Every spoken line of the parts as ``(start s on the joined timeline, wav)``."""
    from scripts.soundtrack import read_timeline

    placed, offset = [], 0
    for timeline, span in zip(timelines, spans):
        placed += [(float(offset * tb) + line["start"], line["wav"]) for line in read_timeline(timeline)]
        offset += span
    return placed


# mov_text is encoded from ASS dialogue lines, so its encoder needs an ASS header
_ASS_HEADER = ("[Script Info]\r\nScriptType: v4.00+\r\nPlayResX: 384\r\nPlayResY: 288\r\n\r\n"
               "[V4+ Styles]\r\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
               "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, "
               "Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\r\n"
               "Style: Default,Sans,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\r\n\r\n"
               "[Events]\r\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\r\n")


def add_text_track(dst):
    """A mov_text subtitle stream in milliseconds, marked English."""
    from fractions import Fraction

    stream = dst.add_stream("mov_text")
    stream.time_base = Fraction(1, 1000)
    stream.codec_context.subtitle_header = _ASS_HEADER.encode()
    stream.metadata["language"] = "eng"
    return stream


def mux_cue(dst, stream, start: float, end: float, text: str) -> None:
    """One cue, shown from ``start`` to ``end`` seconds."""
    from av.subtitles.subtitle import SubtitleSet

    a, b = int(round(start * 1000)), int(round(end * 1000))
    line = text.replace("\\", "/").replace("{", "(").replace("}", ")").replace("\n", "\\N")  # ASS syntax
    cue = SubtitleSet.create(text=f"0,0,Default,,0,0,0,,{line}".encode(), start=0, end=b - a, pts=a)
    packet = stream.codec_context.encode_subtitle(cue)
    packet.stream, packet.time_base, packet.pts, packet.dts = stream, stream.time_base, a, a
    dst.mux(packet)


def read_srt(path: Path) -> list[tuple[float, float, str]]:
    cues = []
    if not path.is_file():
        return cues
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        lines = block.strip().splitlines()
        times = next((ln for ln in lines if "-->" in ln), None)
        if not times:
            continue
        a, b = (_seconds(t) for t in times.split("-->"))
        text = "\n".join(lines[lines.index(times) + 1:]).strip()
        if text:
            cues.append((a, b, text))
    return cues


def _seconds(stamp: str) -> float:
    h, m, s, ms = map(int, _TIME.search(stamp).groups())
    return h * 3600 + m * 60 + s + ms / 1000


def _stamp(t: float) -> str:
    ms = int(round(t * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def merged_cues(parts: list[tuple[Path, float, float]]) -> list[tuple[float, float, str]]:
    """The cues of ``(srt, offset, duration)`` parts on one timeline, each clipped to its chapter."""
    cues = []
    for srt, offset, duration in parts:
        for a, b, text in read_srt(srt):
            a, b = min(a, duration), min(b, duration)
            if b > a:
                cues.append((offset + a, offset + b, text))
    return cues


def write_srt(cues: list[tuple[float, float, str]], out: Path) -> int:
    from model.files import atomic_write_bytes

    body = "\n".join(f"{i}\n{_stamp(a)} --> {_stamp(b)}\n{text}\n" for i, (a, b, text) in enumerate(cues, 1))
    atomic_write_bytes(out, body.encode("utf-8"))
    return len(cues)


def merge_srt(parts: list[tuple[Path, float, float]], out: Path) -> int:
    """Write one SRT from ``(srt, offset, duration)`` parts; cues are clipped to their chapter."""
    return write_srt(merged_cues(parts), out)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    parts = [(t, Path(p)) for t, _, p in (a.partition("=") for a in argv[1:])]
    for ch in join(parts, out):
        print(f"{float(ch['start'] * ch['time_base']):8.2f} s  {ch['metadata']['title']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
