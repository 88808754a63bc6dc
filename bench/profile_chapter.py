"""Profile one chapter's render with pyinstrument, to find why a chapter is slow.

    .venv/bin/python -m bench.profile_chapter Ch13Training            # 480p15, text report
    .venv/bin/python -m bench.profile_chapter Ch10MultiHead -q h      # 1080p60

Renders the chapter once in a temporary media folder (manim's cache off, so every
animation is really rendered), under pyinstrument, and writes the call tree to
``media/profiles/<Chapter>-<quality>.txt`` (and the raw session beside it, for
``pyinstrument --load``). It prints where the wall time went: building the scene's
mobjects, updaters, drawing frames with Cairo, and x264 encoding, then the report's
first lines.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from scenes.chapters import CHAPTERS
from scripts.render import QUALITIES

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("chapter", help="a chapter class name, as in ./render.sh --list")
    ap.add_argument("-q", "--quality", default="l", choices=list(QUALITIES))
    ap.add_argument("--lines", type=int, default=45, help="how many report lines to print")
    args = ap.parse_args()
    by_name = {c.cls: c.stem for c in CHAPTERS}
    if args.chapter not in by_name:
        print(f"profile_chapter: unknown chapter {args.chapter!r}; one of: {', '.join(by_name)}", file=sys.stderr)
        return 2
    out_dir = ROOT / "media" / "profiles"
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"{args.chapter}-{QUALITIES[args.quality][1]}"
    session_file = stem.with_suffix(".pyisession")
    with tempfile.TemporaryDirectory() as tmp:
        part = Path(tmp) / "session.pyisession"
        cmd = [sys.executable, "-m", "pyinstrument", "-r", "pyisession", "-o", str(part),
               "-m", "manim", "render", QUALITIES[args.quality][0], "--disable_caching",
               "--media_dir", tmp, "--config_file", str(ROOT / "manim.cfg"),
               str(ROOT / "scenes" / f"{by_name[args.chapter]}.py"), args.chapter]
        proc = subprocess.run(cmd, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode:
            print(f"profile_chapter: the render failed ({proc.returncode}):\n{proc.stderr[-2000:]}", file=sys.stderr)
            return 1
        os.replace(part, session_file)
    from pyinstrument.renderers import ConsoleRenderer
    from pyinstrument.session import Session

    session = Session.load(str(session_file))
    text = ConsoleRenderer(unicode=True, short_mode=False).render(session)
    report = stem.with_suffix(".txt")
    report.write_text(text)
    total = session.duration
    print(f"{args.chapter} at {QUALITIES[args.quality][1]}: {total:.1f} s wall")
    for name, secs in buckets(session.root_frame()).items():
        print(f"  {name:<28} {secs:7.1f} s  {100 * secs / total:5.1f} %")
    print("  (x264 encodes on manim's own threads, alongside; bench/bench_render.py measures it)")
    print("\n".join(text.splitlines()[: args.lines]))
    print(f"full report: {report.relative_to(ROOT)}")
    return 0


# (bucket, function name, file name fragment). A bucket's time excludes the buckets listed before it,
# so inner ones come first. x264 runs on manim's encoder threads, which pyinstrument does not sample;
# a main thread that outruns them waits in write_frame (the encoder queue is bounded).
BUCKETS = [
    ("updaters", "update_mobjects", "manim/scene/scene.py"),
    ("animations (interpolation)", "update_to_time", "manim/scene/scene.py"),
    ("drawing frames (Cairo)", "update_frame", "cairo_renderer.py"),
    ("waiting for the encoder", "write_frame", "manim/"),
    ("building mobjects, the rest", "construct", "scenes/"),
]


def buckets(root) -> dict[str, float]:
    """Seconds under the first frame of each bucket on every stack (no double counting)."""
    out = {name: 0.0 for name, _, _ in BUCKETS}

    def walk(frame, claimed: bool):
        for name, fn, where in BUCKETS:
            if frame.function == fn and where in (frame.file_path or "") and not claimed:
                # a bucket claims its whole subtree, except deeper buckets listed before it
                inner = sum(sub(frame, k) for k in range(BUCKETS.index((name, fn, where))))
                out[name] += frame.time - inner
                for child in frame.children:
                    walk(child, claimed=False)
                return
        for child in frame.children:
            walk(child, claimed)

    def sub(frame, k) -> float:
        fn, where = BUCKETS[k][1], BUCKETS[k][2]
        if frame.function == fn and where in (frame.file_path or ""):
            return frame.time
        return sum(sub(c, k) for c in frame.children)

    walk(root, False)
    return out

if __name__ == "__main__":
    sys.exit(main())
