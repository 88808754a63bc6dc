"""Render the chapters and join them into one video. ``render.sh`` runs this inside the project .venv.

    ./render.sh                      all chapters at 1080p60 -> media/attention-explained-1080p60.mp4
    ./render.sh -q l                 quick 480p15 draft
    ./render.sh Ch06SelfAttention    some chapters only (joined in story order)
    ./render.sh --list               the chapters, in order
    ./render.sh --text "review"      a video about your own review (no retraining)
    ./render.sh --regenerate         train, evaluate and export from IMDB, then render

Each chapter renders in its own manim process (``-j`` at a time), logging to
``media/logs/``. A chapter whose inputs (scene code, shared scene code, model
source, assets, config, quality, encoder settings) have not changed since its
last good render is not rendered again.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scenes.chapters import CHAPTERS  # noqa: E402
from scripts.join import join, merged_cues, video_duration, write_srt  # noqa: E402

QUALITIES = {  # flag -> (manim flag, folder name manim uses)
    "l": ("-ql", "480p15"),
    "m": ("-qm", "720p30"),
    "h": ("-qh", "1080p60"),
    "k": ("-qk", "2160p60"),
}
TEXT_CHAPTERS = ["Ch03Tokens", "Ch04Padding", "Ch05Embedding", "Ch06SelfAttention", "Ch07Permutation",
                 "Ch08Positions", "Ch09QueryKeyValue", "Ch10MultiHead", "Ch11Block", "Ch12Classification"]


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def parse(argv: list[str]) -> argparse.Namespace:
    p = _Parser(prog="render.sh", description="Render the chapters and join them into one MP4.")
    p.add_argument("-q", "--quality", default="h", choices=list(QUALITIES), help="l, m, h (default) or k")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="chapters rendered at once")
    p.add_argument("--list", action="store_true", help="print the chapters in order and exit")
    p.add_argument("--force", action="store_true", help="render even chapters whose inputs have not changed")
    p.add_argument("--text", help="make a video about this review text, from the shipped checkpoint")
    p.add_argument("--regenerate", action="store_true", help="train, evaluate and export from IMDB first")
    p.add_argument("--data-dir", help="IMDB folder for --regenerate (default: $IMDB_DIR, else the hub)")
    p.add_argument("--preset", help="x264 preset (default from manim.cfg: veryfast)")
    p.add_argument("--crf", type=int, help="x264 constant rate factor (default from manim.cfg: 20)")
    p.add_argument("scenes", nargs="*", help="chapter class names (see --list); default: all")
    args = p.parse_args(argv)
    if args.jobs < 1:
        raise UsageError("-j needs a whole number of at least 1")
    if args.crf is not None and not 0 <= args.crf <= 51:
        raise UsageError("--crf must be between 0 and 51")
    known = {c[1]: c for c in CHAPTERS}
    unknown = [s for s in args.scenes if s not in known]
    if unknown:
        raise UsageError(f"unknown chapter {', '.join(unknown)}; run ./render.sh --list to see them")
    return args


def check_environment() -> list[str]:
    """What is missing for rendering, each with how to install it."""
    problems = []
    for tool in ("latex", "dvisvgm"):
        if not shutil.which(tool):
            problems.append(f"{tool} not found: apt-get install --no-install-recommends texlive-latex-extra dvisvgm")
    for module, pkg in (("cairo", "libcairo2-dev"), ("manimpango", "libpango1.0-dev")):
        try:
            __import__(module)
        except Exception as exc:
            problems.append(f"python module {module} does not load ({exc}): apt-get install {pkg} pkg-config, "
                            "then delete .venv and run again")
    return problems


# --- stamps --------------------------------------------------------------------------------

def input_key(stem: str, cls: str, quality: str, assets: Path, cfg: Path) -> str:
    """A hash of everything a chapter's pixels depend on."""
    h = hashlib.sha256()
    files = [ROOT / "scenes" / f"{stem}.py", cfg, assets / "manifest.json"]
    files += sorted((ROOT / "scenes" / "common").glob("*.py")) + sorted((ROOT / "model").glob("*.py"))
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes() if f.is_file() else b"<missing>")
    h.update(f"{cls}|{quality}".encode())
    return h.hexdigest()


class Chapter:
    def __init__(self, stem, cls, title, media: Path, quality: str):
        self.stem, self.cls, self.title = stem, cls, title
        self.video = media / "videos" / stem / QUALITIES[quality][1] / f"{cls}.mp4"
        self.srt = self.video.with_suffix(".srt")
        self.stamp = media / "stamps" / QUALITIES[quality][1] / f"{cls}.json"
        self.log = media / "logs" / f"{cls}.log"

    def up_to_date(self, key: str) -> bool:
        try:
            stamp = json.loads(self.stamp.read_text())
        except (OSError, ValueError):
            return False
        return stamp.get("key") == key and self.video.is_file() and self.video.stat().st_size == stamp.get("bytes")

    def last_seconds(self) -> float | None:
        try:
            return float(json.loads(self.stamp.read_text())["render_seconds"])
        except (OSError, ValueError, KeyError):
            return None


def write_stamp(ch: Chapter, key: str, seconds: float) -> None:
    from model.store import atomic_write_bytes

    data = {"key": key, "bytes": ch.video.stat().st_size, "render_seconds": round(seconds, 2),
            "video_seconds": round(video_duration(ch.video), 3)}
    atomic_write_bytes(ch.stamp, json.dumps(data, indent=1).encode())


# --- rendering -------------------------------------------------------------------------------

def render_one(ch: Chapter, quality: str, cfg: Path, media: Path, assets: Path) -> tuple[int, float]:
    ch.log.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT), ATTENTION_ASSETS=str(assets), PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "manim", "render", QUALITIES[quality][0],
           "--config_file", str(chapter_config(cfg, media, ch)),
           "--media_dir", str(media), "--progress_bar", "none", str(ROOT / "scenes" / f"{ch.stem}.py"), ch.cls]
    t0 = time.time()
    with open(ch.log, "w") as log:
        log.write("$ " + " ".join(cmd) + "\n")
        log.flush()
        code = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    return code, time.time() - t0


def effective_config(args, media: Path) -> Path:
    """manim.cfg, or a copy of it with the encoder overrides from the command line."""
    cfg = ROOT / "manim.cfg"
    if args.preset is None and args.crf is None:
        return cfg
    parser = read_config(cfg)
    if args.preset:
        parser["video_encoder.options"]["preset"] = args.preset
    if args.crf is not None:
        parser["video_encoder.options"]["crf"] = str(args.crf)
    return write_config(parser, media / "manim-override.cfg")


def chapter_config(cfg: Path, media: Path, ch: "Chapter") -> Path:
    """``cfg`` with a LaTeX folder and a text-shaping cache of the chapter's own.

    Chapters render in parallel processes. Sharing manim's Tex folder breaks them: when a
    formula is done, manim deletes every file in that folder but the .svg and .tex ones,
    which can be another process's .dvi that dvisvgm is about to read ("does not support
    converting .dvi files to SVG"). A shared text cache can likewise be read half-written.
    """
    parser = read_config(cfg)
    if not parser.has_section("CLI"):
        parser.add_section("CLI")
    parser["CLI"]["tex_dir"] = str(media / "Tex" / ch.cls)
    parser["CLI"]["text_dir"] = str(media / "texts" / ch.cls)
    return write_config(parser, media / "cfg" / f"{ch.cls}.cfg")


def read_config(path: Path):
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return parser


def write_config(parser, out: Path) -> Path:
    import io

    from model.store import atomic_write_bytes

    text = io.StringIO()
    parser.write(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, text.getvalue().encode())
    return out


def fmt_eta(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s"


# Seconds one chapter takes on average, two at a time on a 2-core machine (measured here for l and h;
# m and k scaled by pixels per second). Used only until a chapter has a stamp or one has finished.
FIRST_GUESS = {"l": 30.0, "m": 60.0, "h": 130.0, "k": 520.0}


def seconds_left(queued: list[str], running: dict[str, float], known: dict[str, float], finished: list[float],
                 first_guess: float, jobs: int) -> float:
    """Wall time still to go: each chapter's last render time if known, else the mean of the chapters
    finished in this run, else ``first_guess``; running chapters count what is left of theirs.

    ``running`` maps a chapter to the seconds it has run so far.
    """
    guess = sum(finished) / len(finished) if finished else first_guess

    def cost(cls: str) -> float:
        return known.get(cls) or guess

    work = sum(cost(c) for c in queued) + sum(max(0.0, cost(c) - ran) for c, ran in running.items())
    return work / max(1, jobs)


class Progress:
    """One overall line: done/total, what is rendering, and an ETA."""

    def __init__(self, total: int):
        self.total, self.done, self.t0 = total, 0, time.time()
        self.tty = sys.stderr.isatty()
        self.last_state = None

    def show(self, running: list[str], estimate_left: float) -> None:
        line = (f"[render] {self.done}/{self.total} chapters done"
                f" | now: {', '.join(running) or '-'} | ETA {fmt_eta(estimate_left)}")
        if self.tty:
            print("\r" + line[: shutil.get_terminal_size().columns - 1], end="\x1b[K", file=sys.stderr)
        elif (self.done, tuple(running)) != self.last_state:  # a log file: one line per change
            self.last_state = (self.done, tuple(running))
            print(line, file=sys.stderr)
        sys.stderr.flush()

    def end(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def render_all(chapters: list[Chapter], args, cfg: Path, media: Path, assets: Path) -> dict:
    keys = {c.cls: input_key(c.stem, c.cls, args.quality, assets, cfg) for c in chapters}
    todo = [c for c in chapters if args.force or not c.up_to_date(keys[c.cls])]
    skipped = [c.cls for c in chapters if c not in todo]
    if skipped:
        print(f"[render] up to date, not rendered again: {', '.join(skipped)}", file=sys.stderr)
    progress = Progress(len(todo))
    known = {c.cls: c.last_seconds() for c in todo if c.last_seconds()}
    took: list[float] = []  # render seconds of the chapters finished in this run
    started: dict[str, float] = {}
    failed = []
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        pending = {}
        queue = list(todo)
        while queue or pending:
            while queue and len(pending) < args.jobs:
                c = queue.pop(0)
                started[c.cls] = time.time()
                pending[pool.submit(render_one, c, args.quality, cfg, media, assets)] = c
            now = time.time()
            left = seconds_left([c.cls for c in queue], {c.cls: now - started[c.cls] for c in pending.values()},
                                known, took, FIRST_GUESS[args.quality], args.jobs)
            progress.show([c.cls for c in pending.values()], left)
            finished, _ = wait(pending, timeout=2.0, return_when=FIRST_COMPLETED)
            for fut in finished:
                c = pending.pop(fut)
                code, secs = fut.result()
                progress.done += 1
                took.append(secs)
                if code == 0 and c.video.is_file():
                    write_stamp(c, keys[c.cls], secs)
                else:
                    failed.append(c)
    progress.end()
    for c in failed:
        tail = c.log.read_text(errors="replace").splitlines()[-25:]
        print(f"\n[render] {c.cls} failed; last lines of {c.log}:", file=sys.stderr)
        print("\n".join("    " + line for line in tail), file=sys.stderr)
    return {"rendered": [c.cls for c in todo if c not in failed], "skipped": skipped,
            "failed": [c.cls for c in failed]}


def final_paths(media: Path, quality: str, name: str = "attention-explained") -> tuple[Path, Path]:
    video = media / f"{name}-{QUALITIES[quality][1]}.mp4"
    return video, video.with_suffix(".srt")


def assemble(chapters: list[Chapter], video: Path, srt: Path) -> list[tuple[str, float]]:
    """Join the chapters into ``video``, with chapter markers and the narration as a subtitle
    track, and write the same subtitles to ``srt``."""
    parts = [(f"{CHAPTER_NUMBER[c.cls]}. {c.title}", c.video) for c in chapters]
    cues: list = []

    def subtitles(marks):  # called by join once the chapters' places on the timeline are known
        cues.extend(merged_cues([(c.srt, float(m["start"] * m["time_base"]),
                                  float((m["end"] - m["start"]) * m["time_base"])) for c, m in zip(chapters, marks)]))
        return cues

    marks = join(parts, video, subtitles=subtitles)
    write_srt(cues, srt)
    return [(m["metadata"]["title"], float((m["end"] - m["start"]) * m["time_base"])) for m in marks]


CHAPTER_NUMBER = {cls: k for k, (_, cls, _) in enumerate(CHAPTERS, 1)}


def main(argv: list[str]) -> int:
    try:
        args = parse(argv)
    except UsageError as exc:
        print(f"render.sh: {exc}\nusage: ./render.sh [-q l|m|h|k] [-j N] [--list] [--text TEXT] "
              "[--regenerate] [SCENE ...]", file=sys.stderr)
        return 2
    if args.list:
        for _, cls, title in CHAPTERS:
            print(f"{cls}\t{title}")
        return 0
    problems = check_environment()
    if problems:
        print("render.sh: cannot render yet:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1

    media = Path(os.environ.get("ATTENTION_MEDIA") or ROOT / "media").resolve()
    assets = Path(os.environ.get("ATTENTION_ASSETS") or ROOT / "assets").resolve()
    name = "attention-explained"
    wanted = set(args.scenes) or {c[1] for c in CHAPTERS}
    from model.errors import UserError

    try:
        if args.regenerate:
            regenerate(args)
        if args.text is not None:
            from scripts.text_video import prepare_text

            assets, media, name = prepare_text(args.text, ROOT, media)
            wanted = wanted & set(TEXT_CHAPTERS) if args.scenes else set(TEXT_CHAPTERS)
        from model import store

        store.read_manifest(assets)  # a clear message now rather than fourteen failures later
    except UserError as exc:
        print(f"render.sh: {exc}", file=sys.stderr)
        return 2

    cfg = effective_config(args, media)
    chapters = [Chapter(stem, cls, title, media, args.quality) for stem, cls, title in CHAPTERS if cls in wanted]
    t0 = time.time()
    result = render_all(chapters, args, cfg, media, assets)
    if result["failed"]:
        print(f"[render] {len(result['failed'])} chapter(s) failed: {', '.join(result['failed'])}", file=sys.stderr)
        return 1
    video, srt = final_paths(media, args.quality, name)
    if len(chapters) < len(CHAPTERS) and args.text is None:
        video, srt = final_paths(media / "subsets", args.quality, "-".join(c.cls for c in chapters)[:120])
    marks = assemble(chapters, video, srt)
    total = sum(d for _, d in marks)
    print(f"[render] {len(result['rendered'])} rendered, {len(result['skipped'])} up to date, "
          f"in {time.time() - t0:.1f} s", file=sys.stderr)
    for title, dur in marks:
        print(f"  {dur:6.1f} s  {title}", file=sys.stderr)
    print(f"[render] video ({total:.1f} s, {len(marks)} chapter markers): {video}", file=sys.stderr)
    print(f"[render] subtitles: {srt}", file=sys.stderr)
    print(video)
    return 0


def regenerate(args) -> None:
    """Train, evaluate and export from IMDB, each step a ``python -m model`` command."""
    from model.errors import UserError

    data = ["--data-dir", args.data_dir] if args.data_dir else []
    for step in (["train", *data], ["evaluate", *data], ["export", *data]):
        print(f"[regenerate] python -m model {' '.join(step)}", file=sys.stderr)
        code = subprocess.call([sys.executable, "-m", "model", *step], cwd=ROOT)
        if code:
            raise UserError(f"'python -m model {step[0]}' failed with exit code {code}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
