"""Join chapter videos into one MP4 without re-encoding, with chapter markers and a merged SRT.

Used by ``scripts/render.py``; also a command:

    .venv/bin/python scripts/join.py OUT.mp4 "Title 1=a.mp4" "Title 2=b.mp4"
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


def join(parts: list[tuple[str, Path]], out: Path) -> list[dict]:
    """Remux ``(title, mp4)`` parts into ``out`` (atomically); returns the chapter list.

    Every part must have the same codec, size and frame rate (they come from one
    manim config), so packets are copied as they are, only shifted in time.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.{os.getpid()}.partial{out.suffix}")
    chapters = []
    try:
        with av.open(str(tmp), "w", format="mp4") as dst:
            vstream = None
            offset = 0  # in the output stream's time base
            for k, (title, path) in enumerate(parts):
                with av.open(str(path)) as src:
                    s = src.streams.video[0]
                    if vstream is None:
                        vstream = dst.add_stream_from_template(s)
                    tb = s.time_base
                    last_end = 0
                    for packet in src.demux(s):
                        if packet.dts is None:  # the flush packet
                            continue
                        last_end = max(last_end, packet.pts + (packet.duration or 0))
                        packet.pts += offset
                        packet.dts += offset
                        packet.stream = vstream
                        dst.mux(packet)
                    start = offset
                    offset += last_end
                    chapters.append({"id": k + 1, "start": int(start), "end": int(offset),
                                     "time_base": tb, "metadata": {"title": title}})
            dst.set_chapters(chapters)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return chapters


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


def merge_srt(parts: list[tuple[Path, float, float]], out: Path) -> int:
    """Write one SRT from ``(srt, offset, duration)`` parts; cues are clipped to their chapter."""
    from model.store import atomic_write_bytes

    cues = []
    for srt, offset, duration in parts:
        for a, b, text in read_srt(srt):
            a, b = min(a, duration), min(b, duration)
            if b > a:
                cues.append((offset + a, offset + b, text))
    body = "\n".join(f"{i}\n{_stamp(a)} --> {_stamp(b)}\n{text}\n" for i, (a, b, text) in enumerate(cues, 1))
    atomic_write_bytes(out, body.encode("utf-8"))
    return len(cues)


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
