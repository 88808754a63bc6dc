"""Render the chapters and join them into one video. ``render.sh`` runs this (``python -m scripts.render``)
inside the project .venv.

    ./render.sh [-q l|m|h|k] [-j N] [--list] [--force] [--preset P] [--crf N] [--voice joe|none] [--text TEXT|-] [--regenerate] [--data-dir DIR] [SCENE ...]

    ./render.sh                      all chapters at 1080p60, narrated -> media/attention-explained-1080p60.mp4
    ./render.sh --voice none         the same, silent, with captions and subtitles only
    ./render.sh -q l                 quick 480p15 draft
    ./render.sh Ch06SelfAttention    some chapters only (joined in story order) -> media/subsets/
    ./render.sh --list               the chapters, in order
    ./render.sh --text "review"      a video about your own review (no retraining)
                                     -> media/text/<hash>/review-<hash>-<quality>.mp4
    ./render.sh --text - < r.txt     the same, the review read from standard input (any length)
    ./render.sh --text "r" Ch03Tokens  some of the review's chapters -> media/text/<hash>/subsets/
    ./render.sh --regenerate         train, evaluate and export from IMDB, then render

Each chapter renders in its own manim process (``-j`` at a time), logging to
``media/logs/``, into a staging folder; its video is replaced only when manim
succeeds. A chapter whose inputs (every scene file, model source, assets, config,
quality, encoder settings, locked package versions, manim version) have not
changed since its last good render is not rendered again.

Only the standard library is imported at the top: ``--list``, ``--help`` and a bad
flag work on a bare Python, before anything is installed.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from scenes.chapters import BY_CLASS, CHAPTERS, REVIEW_CHAPTERS
from scripts.preflight import check_assets, check_environment  # noqa: F401  (tests patch them here)
from scripts.render_chapters import (QUALITIES, Chapter, chapter_config, effective_config,  # noqa: F401
                                     input_key, render_all, seconds_left)

ROOT = Path(__file__).resolve().parent.parent

USAGE = ("./render.sh [-q l|m|h|k] [-j N] [--list] [--force] [--preset P] [--crf N] [--voice joe|none] [--text TEXT|-] "
         "[--regenerate] [--data-dir DIR] [SCENE ...]")
TEXT_CHAPTERS = REVIEW_CHAPTERS  # the chapters that show the review: what --text renders
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
                "veryslow", "placebo")
FULL_NAME = "attention-explained"
# RENDER_PREFLIGHT=1: render.sh checks the flags with any Python before installing anything.
# This exit code means "the flags are fine and there is something to render".
PREFLIGHT_GO = 100
OUTPUTS = """outputs:
  all chapters        media/attention-explained-<480p15|720p30|1080p60|2160p60>.mp4 (and .srt)
  some chapters       media/subsets/<Chapter-...>-<quality>.mp4
  --text              media/text/<hash>/review-<hash>-<quality>.mp4 (<hash>: 10 hex digits of the text's sha256)
  --text + chapters   media/text/<hash>/subsets/review-<hash>-<Chapter-...>-<quality>.mp4
"""


class UsageError(Exception):
    """A bad command line: one message, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``render.sh``."""
    p = _Parser(prog="render.sh", usage=USAGE, description="Render the chapters and join them into one MP4.",
                epilog=OUTPUTS, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-q", "--quality", default="h", choices=list(QUALITIES), help="l, m, h (default) or k")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="chapters rendered at once")
    p.add_argument("--list", action="store_true", help="print the chapters in order and exit")
    p.add_argument("--force", action="store_true", help="render even chapters whose inputs have not changed")
    p.add_argument("--text", help="make a video about this review text, from the shipped checkpoint; "
                                  "'-' reads it from standard input; only chapters "
                                  f"{TEXT_CHAPTERS[0]} to {TEXT_CHAPTERS[-1]} may be named with it")
    p.add_argument("--regenerate", action="store_true", help="train, evaluate and export from IMDB first")
    p.add_argument("--data-dir", help="IMDB folder for --regenerate (default: $IMDB_DIR, else the hub)")
    p.add_argument("--preset", help="x264 preset (default from manim.cfg: veryfast)")
    p.add_argument("--crf", type=int, help="x264 constant rate factor, 0 to 51 (default from manim.cfg: 20)")
    p.add_argument("--voice", default="joe", choices=["joe", "none", "tone"], metavar="joe|none",
                   help="joe (default): the narration is spoken, offline, by Piper's en_US-joe-medium voice "
                        "(CC0) and every beat lasts as long as its line; none: the silent, captions-only video. "
                        "(tone: beeps of a known length, for the tests.)")
    p.add_argument("scenes", nargs="*", help="chapter class names (see --list); default: all")
    return p


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse and check the command line.

    Raises
    ------
    UsageError
        For anything wrong with it, with a one-line message.
    """
    args = build_parser().parse_args(argv)
    if args.jobs < 1:
        raise UsageError("-j needs a whole number of at least 1")
    if args.crf is not None and not 0 <= args.crf <= 51:
        raise UsageError("--crf must be between 0 and 51")
    if args.preset is not None and args.preset not in X264_PRESETS:
        raise UsageError(f"--preset {args.preset!r} is not an x264 preset; use one of {', '.join(X264_PRESETS)}")
    known = set(BY_CLASS)
    unknown = [s for s in args.scenes if s not in known]
    if unknown:
        raise UsageError(f"unknown chapter {', '.join(unknown)}; run ./render.sh --list to see them")
    other = [s for s in args.scenes if s not in TEXT_CHAPTERS]
    if args.text is not None and other:
        raise UsageError(f"{', '.join(other)} {'does' if len(other) == 1 else 'do'} not depend on the review; "
                         f"with --text, name only chapters {TEXT_CHAPTERS[0]} to {TEXT_CHAPTERS[-1]} "
                         "(or none, for all ten)")
    return args


# --- before rendering ----------------------------------------------------------------------

class Plan:
    """What one run renders: assets, media folder, video name, and the chapters of a full video."""

    def __init__(self, assets: Path, media: Path, name: str = FULL_NAME, full: list[str] | None = None):
        self.assets, self.media, self.name = assets, media, name
        self.full = full or [c.cls for c in CHAPTERS]
        self.subset_prefix = "" if name == FULL_NAME else f"{name}-"


def prepare(args, media: Path, assets: Path) -> Plan:
    """Regenerate or export text assets if asked, then check the assets.

    Raises
    ------
    model.errors.UserError
        With a message for the user (a failed step, a bad text, a damaged asset).
    """
    if args.regenerate:
        regenerate(args)
    plan = Plan(assets, media)
    if args.text is not None:
        from scripts.text_video import prepare_text, read_review

        text_assets, text_media, name = prepare_text(read_review(args.text), ROOT, media, assets)
        plan = Plan(text_assets, text_media, name, TEXT_CHAPTERS)
    check_assets(plan.assets)
    return plan


def regenerate(args) -> None:
    """Train, evaluate and export from IMDB, each step a ``python -m model`` command."""
    from model.errors import UserError

    data = ["--data-dir", args.data_dir] if args.data_dir else []
    for step in (["train", *data], ["evaluate", *data], ["export", *data]):
        print(f"[regenerate] python -m model {' '.join(step)}", file=sys.stderr)
        code = subprocess.call([sys.executable, "-m", "model", *step], cwd=ROOT)
        if code:
            raise UserError(f"'python -m model {step[0]}' failed with exit code {code}")


# --- after rendering -----------------------------------------------------------------------

def final_paths(media: Path, quality: str, name: str = FULL_NAME) -> tuple[Path, Path]:
    """The joined video and its SRT: ``<media>/<name>-<480p15|...>.mp4`` and ``.srt``."""
    video = media / f"{name}-{QUALITIES[quality][1]}.mp4"
    return video, video.with_suffix(".srt")


def output_paths(plan: Plan, quality: str, chapters: list[Chapter]) -> tuple[Path, Path]:
    """Where the joined video goes: the full video's path, or one under ``subsets/`` named by its chapters."""
    classes = [c.cls for c in chapters]
    if classes == plan.full:
        return final_paths(plan.media, quality, plan.name)
    subset = "-".join(classes)
    if len(subset) > 120:
        subset = f"{subset[:100]}-{hashlib.sha256(subset.encode()).hexdigest()[:8]}"
    return final_paths(plan.media / "subsets", quality, plan.subset_prefix + subset)


def assemble(chapters: list[Chapter], video: Path, srt: Path) -> list[tuple[str, float]]:
    """Join the chapters into ``video``, with chapter markers and the narration as a subtitle
    track, and write the same subtitles to ``srt``; returns (title, seconds) per chapter."""
    from scripts.join import join, merged_cues, write_srt

    parts = [(f"{c.entry.number}. {c.title}", c.video) for c in chapters]
    timelines = [c.timeline for c in chapters] if any(c.voice for c in chapters) else None
    cues: list = []

    def subtitles(marks):  # called by join once the chapters' places on the timeline are known
        cues.extend(merged_cues([(c.srt, float(m["start"] * m["time_base"]),
                                  float((m["end"] - m["start"]) * m["time_base"])) for c, m in zip(chapters, marks)]))
        return cues

    marks = join(parts, video, subtitles=subtitles, timelines=timelines)
    write_srt(cues, srt)
    return [(m["metadata"]["title"], float((m["end"] - m["start"]) * m["time_base"])) for m in marks]


def report(result: dict, marks: list[tuple[str, float]], video: Path, srt: Path, seconds: float) -> None:
    """The summary on stderr, and the video's path on stdout."""
    total = sum(d for _, d in marks)
    print(f"[render] {len(result['rendered'])} rendered, {len(result['skipped'])} up to date, "
          f"in {seconds:.1f} s", file=sys.stderr)
    for title, dur in marks:
        print(f"  {dur:6.1f} s  {title}", file=sys.stderr)
    print(f"[render] video ({total:.1f} s, {len(marks)} chapter markers): {video}", file=sys.stderr)
    print(f"[render] subtitles: {srt}", file=sys.stderr)
    print(video)


# --- main ----------------------------------------------------------------------------------

def speak(voice: str, chapters: list[Chapter], plan: Plan, root_media: Path) -> None:
    """Synthesise the chapters' lines (once, before any chapter renders) and give each its manifest.

    The cache is shared by every video under ``root_media``; the manifests belong to this video.
    """
    from scripts.voice import prepare as synthesise

    t0 = time.time()
    manifests, synth = synthesise([(c.stem, c.cls) for c in chapters], voice, plan.media / "voice",
                                  root_media / "voice-cache", plan.assets)
    for c in chapters:
        c.voice = manifests.get(c.cls)
    if synth:
        print(f"[voice] {voice}: {synth.made} lines synthesised, {synth.reused} from the cache, "
              f"{synth.audio_seconds:.1f} s of speech, in {time.time() - t0:.1f} s", file=sys.stderr)


def render(args) -> int:
    """Prepare, render and join; returns the exit code."""
    from model.errors import UserError

    media = Path(os.environ.get("ATTENTION_MEDIA") or ROOT / "media").resolve()
    assets = Path(os.environ.get("ATTENTION_ASSETS") or ROOT / "assets").resolve()
    try:
        plan = prepare(args, media, assets)
    except UserError as exc:
        print(f"render.sh: {exc}", file=sys.stderr)
        return 2
    cfg = effective_config(args, plan.media)
    wanted = set(args.scenes) or set(plan.full)
    chapters = [Chapter(entry, plan.media, args.quality) for entry in CHAPTERS if entry.cls in wanted]
    t0 = time.time()
    try:
        speak(args.voice, chapters, plan, media)
    except UserError as exc:
        print(f"render.sh: {exc}", file=sys.stderr)
        return 2
    result = render_all(chapters, args, cfg, plan.media, plan.assets)
    if result["failed"]:
        print(f"[render] {len(result['failed'])} chapter(s) failed: {', '.join(result['failed'])}", file=sys.stderr)
        return 1
    video, srt = output_paths(plan, args.quality, chapters)
    marks = assemble(chapters, video, srt)
    report(result, marks, video, srt, time.time() - t0)
    return 0


def main(argv: list[str]) -> int:
    """``render.sh``'s entry point; returns the exit code."""
    try:
        args = parse(argv)
    except UsageError as exc:
        print(f"render.sh: {exc}\nusage: {USAGE}", file=sys.stderr)
        return 2
    if args.list:
        for c in CHAPTERS:
            print(f"{c.cls}\t{c.title}{chr(9) + 'review' if c.review else ''}")
        return 0
    if os.environ.get("RENDER_PREFLIGHT"):
        return PREFLIGHT_GO
    problems = check_environment()
    if problems:
        print("render.sh: cannot render yet:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    try:
        return render(args)
    except KeyboardInterrupt:
        print("\n[render] interrupted: finished chapters are kept; the others keep their previous video",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
