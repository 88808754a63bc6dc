"""The encode-only floor: how long x264 alone takes per frame on this video's own frames.

    .venv/bin/python -m bench.encode_floor                     # 1080p60, three chapters
    .venv/bin/python -m bench.encode_floor -q l --every 300 Ch13Training

Renders a few chapters in this process and, as manim hands each frame to its encoder,
keeps stretches of them (``--stretch`` consecutive frames out of every ``--every``;
a still frame held for n frames counts n times, as manim encodes it n times). Then it
encodes the kept frames again with PyAV, in one stream, at the same size, frame rate
and x264 options (manim.cfg), ``--repeat`` times, and prints the median seconds per frame. These are the exact
RGBA frames manim encodes, free of the compression noise that decoding a finished
video would add (noise makes x264 slower, so a floor measured on decoded frames is
too high). bench_render.py multiplies the result by the video's frame count.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CHAPTERS = ["Ch06SelfAttention", "Ch09QueryKeyValue", "Ch13Training"]  # matrices, heatmaps, curves


def capture(chapters: list[str], quality: str, every: int, stretch: int) -> tuple[list, object, tuple[int, int]]:
    """Render ``chapters``; return the kept frames (arrays, repeated by reference), the frame rate and (w, h)."""
    import importlib

    from manim import tempconfig
    from manim.scene import scene_file_writer as sfw

    from scenes.chapters import CHAPTERS
    from scripts.render import QUALITIES

    stems = {c.cls: c.stem for c in CHAPTERS}
    kept: list = []
    counter = [0]
    # Frames are taken where the scene hands them to its file writer, on the main thread and
    # in order. (Further down, up to two segment encoders run at once in their own threads,
    # so frames taken there would interleave two animations.)
    original = sfw.SceneFileWriter.write_frame

    def write_frame(self, pixels, *, repeat: int = 1):
        copy = None  # one copy per call (the renderer may reuse its buffer), shared by its repeats
        for _ in range(repeat):
            if counter[0] % every < stretch:
                copy = pixels.copy() if copy is None else copy
                kept.append(copy)
            counter[0] += 1
        return original(self, pixels, repeat=repeat)

    flag = QUALITIES[quality][0]  # e.g. "-qh"
    names = {"l": "low_quality", "m": "medium_quality", "h": "high_quality", "k": "fourk_quality"}
    sfw.SceneFileWriter.write_frame = write_frame
    try:
        with tempfile.TemporaryDirectory() as tmp, tempconfig({
                "quality": names[flag[-1]], "media_dir": tmp, "disable_caching": True,
                "progress_bar": "none", "verbosity": "WARNING"}):
            from manim import config

            for cls in chapters:
                scene = getattr(importlib.import_module(f"scenes.{stems[cls]}"), cls)()
                scene.render()
            rate, size = config.frame_rate, (config.pixel_width, config.pixel_height)
    finally:
        sfw.SceneFileWriter.write_frame = original
    return kept, rate, size


def runs_of(frames: list) -> list[tuple[object, int]]:
    """``frames`` as (array, how many times in a row): a held frame is one array repeated."""
    out: list[tuple[object, int]] = []
    for img in frames:
        if out and out[-1][0] is img:
            out[-1] = (img, out[-1][1] + 1)
        else:
            out.append((img, 1))
    return out


def encode_seconds(frames: list, rate, size: tuple[int, int], options: dict, convert_once: bool = False) -> float:
    """Wall seconds for PyAV to encode ``frames`` in one x264 stream.

    Without ``convert_once`` every frame is a new RGBA ``VideoFrame`` that libavcodec
    converts to yuv420p, as manim's own encoder does. With it, a held frame (the same
    array several times in a row) is converted once and sent again, as
    ``scenes/speedups/held_frames.py`` makes manim do; a frame shown once goes the plain way.
    """
    from fractions import Fraction

    import av

    runs = runs_of(frames)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.time()
        with av.open(str(Path(tmp) / "floor.mp4"), "w") as dst:
            st = dst.add_stream("libx264", rate=Fraction(rate).limit_denominator(1001), options=options)
            st.width, st.height, st.pix_fmt = size[0], size[1], "yuv420p"
            pts = 0
            for img, n in runs:
                once = convert_once and n > 1
                frame = av.VideoFrame.from_ndarray(img, format="rgba").reformat(format="yuv420p") if once else None
                for _ in range(n):
                    if not once:
                        frame = av.VideoFrame.from_ndarray(img, format="rgba")
                    frame.pts = pts
                    pts += 1
                    for p in st.encode(frame):
                        dst.mux(p)
            for p in st.encode():
                dst.mux(p)
        return time.time() - t0


def encoder_options() -> dict:
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "manim.cfg")
    return dict(cfg["video_encoder.options"]) if cfg.has_section("video_encoder.options") else {}


def main(argv: list[str] | None = None) -> int:
    from scenes.chapters import CHAPTERS
    from scripts.render import QUALITIES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("chapters", nargs="*", default=DEFAULT_CHAPTERS)
    ap.add_argument("-q", "--quality", default="h", choices=list(QUALITIES))
    ap.add_argument("--every", type=int, default=600, help="keep a stretch out of every this many frames")
    ap.add_argument("--stretch", type=int, default=60, help="consecutive frames per stretch")
    ap.add_argument("--repeat", type=int, default=3, help="encode the kept frames this many times; report the median")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    known = {c.cls for c in CHAPTERS}
    bad = [c for c in args.chapters if c not in known]
    if bad or not 0 < args.stretch <= args.every or args.repeat < 1:
        print(f"encode_floor: unknown chapter {bad[0]!r}" if bad else
              "encode_floor: need 0 < --stretch <= --every and --repeat >= 1", file=sys.stderr)
        return 2
    frames, rate, size = capture(args.chapters, args.quality, args.every, args.stretch)
    runs, once = [], []
    for _ in range(args.repeat):  # interleaved, so that a change in the machine's load hits both
        runs.append(encode_seconds(frames, rate, size, encoder_options()))
        once.append(encode_seconds(frames, rate, size, encoder_options(), convert_once=True))
    secs, secs_once = statistics.median(runs), statistics.median(once)
    unique = len({id(f) for f in frames})
    out = {"chapters": args.chapters, "frames": len(frames), "unique_frames": unique, "frame_rate": rate,
           "size": list(size), "runs": [round(r, 2) for r in runs], "seconds": round(secs, 2),
           "seconds_per_frame": secs / len(frames), "realtime_ratio": secs / len(frames) * rate,
           "runs_convert_once": [round(r, 2) for r in once], "seconds_convert_once": round(secs_once, 2),
           "seconds_per_frame_convert_once": secs_once / len(frames)}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"encode only: {secs:.1f} s (median of {', '.join(f'{r:.1f}' for r in runs)}) for {len(frames)} frames "
              f"({unique} distinct) of {', '.join(args.chapters)} at {size[0]}x{size[1]} {rate:g} fps "
              f"= {out['realtime_ratio']:.2f}× realtime; {secs_once:.1f} s with each held frame converted once")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
