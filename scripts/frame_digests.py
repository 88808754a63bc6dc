"""The digest of every frame of every chapter video, to prove that a change moved no pixel.

    .venv/bin/python -m scripts.frame_digests -q l --out /tmp/before.json     # after ./render.sh -q l
    .venv/bin/python -m scripts.frame_digests -q l --compare /tmp/before.json

Each chapter's frames are decoded (PyAV) and hashed (sha1 of the RGB pixels). ``--compare``
prints, per chapter, how many frames differ and where the first one is, and exits 1 if any
chapter differs or has a different number of frames.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def digests(video: Path) -> list[str]:
    import av

    with av.open(str(video)) as c:
        return [hashlib.sha1(f.to_ndarray(format="rgb24").tobytes()).hexdigest()[:16] for f in c.decode(video=0)]


def collect(media: Path, quality: str) -> dict[str, list[str]]:
    from scenes.chapters import CHAPTERS
    from scripts.render_chapters import QUALITIES

    folder = QUALITIES[quality][1]
    out = {}
    for c in CHAPTERS:
        video = media / "videos" / c.stem / folder / f"{c.cls}.mp4"
        if video.is_file():
            out[c.cls] = digests(video)
    return out


def compare(before: dict, after: dict) -> int:
    bad = 0
    for cls in sorted(set(before) | set(after), key=lambda c: list(before).index(c) if c in before else 99):
        a, b = before.get(cls), after.get(cls)
        if a is None or b is None:
            print(f"{cls}: only in {'the new' if a is None else 'the old'} render")
            bad += 1
            continue
        diff = [k for k, (x, y) in enumerate(zip(a, b)) if x != y]
        same_len = len(a) == len(b)
        print(f"{cls}: {len(b)} frames, {'same count' if same_len else f'was {len(a)}'}, {len(diff)} differ"
              + (f" (first at frame {diff[0]})" if diff else ""))
        bad += bool(diff) or not same_len
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.frame_digests", description=__doc__.split("\n\n")[0])
    p.add_argument("-q", "--quality", default="l")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--out")
    g.add_argument("--compare")
    args = p.parse_args(argv)
    media = Path(os.environ.get("ATTENTION_MEDIA") or ROOT / "media")
    now = collect(media, args.quality)
    if args.out:
        Path(args.out).write_text(json.dumps(now))
        print(f"{sum(map(len, now.values()))} frames of {len(now)} chapters -> {args.out}")
        return 0
    return compare(json.loads(Path(args.compare).read_text()), now)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
