"""Save frames of a video as PNGs, to look at what a chapter shows.

    .venv/bin/python -m scripts.frames media/videos/ch02_dataset/480p15/Ch02Dataset.mp4 /tmp/frames --every 5
    .venv/bin/python -m scripts.frames VIDEO OUTDIR --at 3.5 10 22
"""
from __future__ import annotations

import argparse
from pathlib import Path

import av


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("video")
    p.add_argument("outdir")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--at", type=float, nargs="+", help="times in seconds")
    g.add_argument("--every", type=float, default=5.0, help="one frame every N seconds (default 5)")
    args = p.parse_args()
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    with av.open(args.video) as container:
        stream = container.streams.video[0]
        duration = float(stream.duration * stream.time_base) if stream.duration else float(container.duration / 1e6)
        times = sorted(args.at) if args.at else [t * args.every for t in range(int(duration // args.every) + 1)]
        times.append(max(0.0, duration - 0.05))
        k = 0
        for frame in container.decode(stream):
            t = float(frame.pts * stream.time_base)
            while k < len(times) and t >= times[k]:
                name = out / f"{Path(args.video).stem}_{times[k]:07.2f}s.png"
                frame.to_image().save(name)
                print(name)
                k += 1
            if k >= len(times):
                break
    print(f"duration {duration:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
