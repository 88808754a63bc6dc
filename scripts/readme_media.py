"""Regenerate the README's preview GIF, still frames, chapter table and model card.

    ./render.sh -q l && .venv/bin/python -m scripts.readme_media
    .venv/bin/python -m scripts.readme_media --stills-from media/attention-explained-1080p60.mp4   # sharper stills

Reads the joined low-quality video (``media/attention-explained-480p15.mp4`` by default) and
the committed assets; writes ``docs/preview.gif`` and ``docs/still-*.png``, and rewrites the
README between its ``<!-- name:start -->`` and ``<!-- name:end -->`` markers.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import av
import numpy as np

from model import store
from model.files import atomic_write_bytes
from model.train import DEFAULT_THREADS  # torch-free at import

ROOT = Path(__file__).resolve().parent.parent

STILLS = [("Ch06SelfAttention", 0.65), ("Ch09QueryKeyValue", 0.85), ("Ch13Training", 0.64)]  # chapter, fraction in


def chapters_of(video: Path) -> list[tuple[str, float, float]]:
    with av.open(str(video)) as c:
        return [(m["metadata"]["title"], float(m["start"] * m["time_base"]), float(m["end"] * m["time_base"]))
                for m in c.chapters()]


def frames_at(video: Path, times: list[float], settle: float = 3.0) -> list[np.ndarray]:
    """One frame at or after each time: the first that equals the frame before it (a still moment,
    not the middle of a cross-fade), or the frame at the time itself if none comes within ``settle`` s."""
    out, k, prev, first = [], 0, None, None
    times = sorted(times)
    with av.open(str(video)) as c:
        s = c.streams.video[0]
        for f in c.decode(s):
            t = float(f.pts * s.time_base)
            img = f.to_ndarray(format="rgb24")
            if k < len(times) and t >= times[k]:
                first = img if first is None else first
                if (prev is not None and np.array_equal(img, prev)) or t >= times[k] + settle:
                    out.append(img if t < times[k] + settle else first)
                    k, first = k + 1, None
            prev = img
            if k == len(times):
                break
    return out


def write_gif(video: Path, start: float, seconds: float, out: Path, fps: int = 10, width: int = 480) -> None:
    imgs = []
    with av.open(str(video)) as c:
        s = c.streams.video[0]
        next_t = start
        for f in c.decode(s):
            t = float(f.pts * s.time_base)
            if t < next_t:
                continue
            if t > start + seconds:
                break
            img = f.to_image()
            imgs.append(img.resize((width, round(img.height * width / img.width))).quantize(colors=128))
            next_t += 1 / fps
    tmp = out.with_suffix(".tmp.gif")
    imgs[0].save(tmp, save_all=True, append_images=imgs[1:], duration=int(1000 / fps), loop=0, optimize=True)
    tmp.replace(out)


def model_card() -> str:
    m, t, tok = store.load("model"), store.load("training"), store.load("tokens")
    c = m["config"]
    rows = [
        ("vocabulary", f"{tok['vocab_size']:,} word types (min count {c['min_count']}), `<pad>` = 0, `<unk>` = 1"),
        ("max length T", f"{c['max_len']} tokens (longer reviews are cut, shorter ones padded)"),
        ("d_model", str(c["d_model"])),
        ("heads", f"{c['n_heads']} × {c['d_model'] // c['n_heads']} dimensions"),
        ("layers", f"{c['n_layers']} block(s), {'pre' if c['norm_first'] else 'post'}-norm, feed-forward width {c['d_ff']}"),
        ("pooling", "mean over real tokens (padding masked out), then a linear layer to 2 classes"),
        ("parameters", f"{t['n_params']:,}"),
        ("training", f"{c['epochs']} epochs over {t['n_train']:,} reviews, batch {c['batch_size']}, AdamW, seed {c['seed']}"),
        ("training time", f"{t['train_seconds'] / 60:.1f} min on a 2-core CPU machine, "
                          f"{DEFAULT_THREADS} torch thread{'s' if DEFAULT_THREADS > 1 else ''} (the default)"),
        ("test accuracy", f"**{100 * t['test_accuracy']:.2f}%** on all {t['n_test']:,} test reviews"),
    ]
    return "| | |\n| --- | --- |\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)


def mmss(seconds: float) -> str:
    """85.6 -> '1:26' (rounded to whole seconds first, so never '0:60')."""
    r = round(seconds)
    return f"{r // 60}:{r % 60:02d}"


def replace_block(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"README has no <!-- {name}:start --> ... <!-- {name}:end --> block")
    return pattern.sub(lambda mt: mt.group(1) + body.rstrip() + "\n" + mt.group(2), text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", default=str(ROOT / "media" / "attention-explained-480p15.mp4"),
                    help="the joined video for the GIF and the chapter table (default: the -q l render)")
    ap.add_argument("--stills-from", metavar="VIDEO",
                    help="take the still frames from this joined video instead, e.g. the 1080p60 render")
    args = ap.parse_args()
    video = Path(args.video)
    stills_video = Path(args.stills_from) if args.stills_from else video
    for v, how in ((video, "./render.sh -q l"), (stills_video, "./render.sh")):
        if not v.is_file():
            sys.exit(f"readme_media: no video at {v}; run {how} first")
    chapters = chapters_of(video)
    still_chapters = chapters_of(stills_video)
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    from scenes.chapters import CHAPTERS

    by_cls = {c.cls: k for k, c in enumerate(CHAPTERS)}
    times = []
    for cls, frac in STILLS:
        _, a, b = still_chapters[by_cls[cls]]
        times.append(a + frac * (b - a))
    names = []
    for k, img in enumerate(frames_at(stills_video, times), 1):
        path = docs / f"still-{k}.png"
        tmp = path.with_suffix(".tmp.png")
        from PIL import Image

        Image.fromarray(img).save(tmp)
        tmp.replace(path)
        names.append(path.name)
    _, a, b = chapters[by_cls["Ch06SelfAttention"]]
    write_gif(video, a + 0.55 * (b - a), 6.0, docs / "preview.gif")

    table = "| # | chapter | length |\n| --- | --- | --- |\n" + "\n".join(
        f"| {k} | {title.split('. ', 1)[-1]} | {mmss(e - s)} |" for k, (title, s, e) in enumerate(chapters, 1))
    table += f"\n| | **total** | **{mmss(chapters[-1][2])}** |"
    readme = (ROOT / "README.md").read_text()
    readme = replace_block(readme, "chapters", table)
    readme = replace_block(readme, "modelcard", model_card())
    atomic_write_bytes(ROOT / "README.md", readme.encode())
    print(f"wrote docs/preview.gif, {', '.join('docs/' + n for n in names)}, and the README's tables")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
