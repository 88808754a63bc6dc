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

With ``--voice-dir`` (bench_render.py passes the cold render's ``media/voice``), each chapter
renders with its own narration manifest, so its beats hold as long as in the narrated video;
without it they last the captions' reading time. Besides wall seconds, the CPU seconds of
each encode are reported (x264's threads included): another process on the machine changes
the wall time of one encode a lot (the same 1320 frames took 12 s in one run and 35 s in
another), its CPU time much less.
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


def capture(chapters: list[str], quality: str, every: int, stretch: int,
            voice_dir: Path | None = None) -> tuple[list, object, tuple[int, int]]:
    """Render ``chapters``; return the kept frames (arrays, repeated by reference), the frame rate and (w, h).

    With ``voice_dir``, a chapter whose manifest ``<voice_dir>/<Chapter>.json`` exists renders
    with it (``$ATTENTION_VOICE``), as the narrated render does; the others render silent.
    """
    import importlib
    import os

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
    voice_before = os.environ.get("ATTENTION_VOICE")
    try:
        with tempfile.TemporaryDirectory() as tmp, tempconfig({
                "quality": names[flag[-1]], "media_dir": tmp, "disable_caching": True,
                "progress_bar": "none", "verbosity": "WARNING"}):
            from manim import config

            for cls in chapters:
                manifest = voice_dir / f"{cls}.json" if voice_dir else None
                if manifest is not None and manifest.is_file():
                    os.environ["ATTENTION_VOICE"] = str(manifest)
                else:
                    os.environ.pop("ATTENTION_VOICE", None)
                scene = getattr(importlib.import_module(f"scenes.{stems[cls]}"), cls)()
                scene.render()
            rate, size = config.frame_rate, (config.pixel_width, config.pixel_height)
    finally:
        sfw.SceneFileWriter.write_frame = original
        if voice_before is None:
            os.environ.pop("ATTENTION_VOICE", None)
        else:
            os.environ["ATTENTION_VOICE"] = voice_before
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
    """Wall seconds for PyAV to encode ``frames`` in one x264 stream (:func:`encode_times` gives CPU seconds too).

    Without ``convert_once`` every frame is a new RGBA ``VideoFrame`` that libavcodec
    converts to yuv420p, as manim's own encoder does. With it, a held frame (the same
    array several times in a row) is converted once and sent again, as
    ``scenes/speedups/held_frames.py`` makes manim do; a frame shown once goes the plain way.
    """
    return encode_times(frames, rate, size, options, convert_once)[0]


def encode_times(frames: list, rate, size: tuple[int, int], options: dict,
                 convert_once: bool = False) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process, x264's threads included) of :func:`encode_seconds`' encode."""
    from fractions import Fraction

    import av

    runs = runs_of(frames)
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.time(), time.process_time()
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
        return time.time() - t0, time.process_time() - c0


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
    ap.add_argument("--voice-dir", type=Path, help="render each chapter with its narration manifest from this folder "
                    "(<Chapter>.json, as render.sh writes into media/voice)")
    args = ap.parse_args(argv)
    known = {c.cls for c in CHAPTERS}
    bad = [c for c in args.chapters if c not in known]
    if bad or not 0 < args.stretch <= args.every or args.repeat < 1:
        print(f"encode_floor: unknown chapter {bad[0]!r}" if bad else
              "encode_floor: need 0 < --stretch <= --every and --repeat >= 1", file=sys.stderr)
        return 2
    frames, rate, size = capture(args.chapters, args.quality, args.every, args.stretch, args.voice_dir)
    runs, once, cpu, cpu_once = [], [], [], []
    for _ in range(args.repeat):  # interleaved, so that a change in the machine's load hits both
        wall, used = encode_times(frames, rate, size, encoder_options())
        runs.append(wall)
        cpu.append(used)
        wall, used = encode_times(frames, rate, size, encoder_options(), convert_once=True)
        once.append(wall)
        cpu_once.append(used)
    secs, secs_once = statistics.median(runs), statistics.median(once)
    unique = len({id(f) for f in frames})
    out = {"chapters": args.chapters, "frames": len(frames), "unique_frames": unique, "frame_rate": rate,
           "size": list(size), "runs": [round(r, 2) for r in runs], "seconds": round(secs, 2),
           "seconds_per_frame": secs / len(frames), "realtime_ratio": secs / len(frames) * rate,
           "runs_convert_once": [round(r, 2) for r in once], "seconds_convert_once": round(secs_once, 2),
           "seconds_per_frame_convert_once": secs_once / len(frames),
           "voiced": bool(args.voice_dir),
           "cpu_runs": [round(r, 2) for r in cpu], "cpu_runs_convert_once": [round(r, 2) for r in cpu_once],
           "cpu_seconds_per_frame": statistics.median(cpu) / len(frames),
           "cpu_seconds_per_frame_convert_once": statistics.median(cpu_once) / len(frames)}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"encode only: {secs:.1f} s (median of {', '.join(f'{r:.1f}' for r in runs)}) for {len(frames)} frames "
              f"({unique} distinct) of {', '.join(args.chapters)} at {size[0]}x{size[1]} {rate:g} fps "
              f"= {out['realtime_ratio']:.2f}× realtime; {secs_once:.1f} s with each held frame converted once")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
