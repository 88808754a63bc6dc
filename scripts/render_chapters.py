"""Rendering chapters for ``scripts/render.py``: stamps, staging, manim processes and progress.

Only the standard library is imported at the top, so ``render.sh --list`` works on a
bare Python; PyAV (``scripts.join``) and ``model.store`` are imported where they are used.

Each chapter renders in its own manim process into a private staging folder,
``<media>/staging/<quality>/<Chapter>/``, its per-animation segments included (manim's own
cache is off, ``manim.cfg``). Only when manim exits 0 are the finished ``.mp4``, ``.srt``
and timeline moved (``os.replace``) to their places under ``<media>/videos/``, so a render
killed mid-chapter leaves the previous good video as it was. Whether a chapter needs
rendering at all is the stamp's business (:func:`input_key`).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from scripts.progress import Progress, seconds_left
from scripts.stamps import input_key, manim_version  # noqa: F401  (render.py and the tests use them here)

ROOT = Path(__file__).resolve().parent.parent

QUALITIES = {  # flag -> (manim flag, folder name manim uses)
    "l": ("-ql", "480p15"),
    "m": ("-qm", "720p30"),
    "h": ("-qh", "1080p60"),
    "k": ("-qk", "2160p60"),
}

# Seconds one chapter takes on average, two at a time on a 2-core machine (measured here for l and h;
# m and k scaled by pixels per second). Used only until a chapter has a stamp or one has finished.
FIRST_GUESS = {"l": 30.0, "m": 60.0, "h": 130.0, "k": 520.0}


class Chapter:
    """Where one chapter's video, subtitles, stamp, log and staging folder live.

    ``entry`` is the chapter's entry in the registry, ``scenes/chapters.py``.
    """

    def __init__(self, entry, media: Path, quality: str):
        self.entry = entry
        stem, cls = entry.stem, entry.cls
        self.stem, self.cls, self.title = stem, cls, entry.title
        folder = QUALITIES[quality][1]
        self.video = media / "videos" / stem / folder / f"{cls}.mp4"
        self.srt = self.video.with_suffix(".srt")
        self.timeline = self.video.with_suffix(".timeline.json")  # where each spoken line starts
        self.voice: Path | None = None  # the voice manifest, when the chapter speaks
        self.segments = media / "staging" / folder / cls / "segments"  # manim's per-animation files
        self.staging = media / "staging" / folder / cls
        self.staged_video = self.staging / f"{cls}.mp4"
        self.staged_srt = self.staged_video.with_suffix(".srt")
        self.staged_timeline = self.staged_video.with_suffix(".timeline.json")
        self.stamp = media / "stamps" / folder / f"{cls}.json"
        self.log = media / "logs" / f"{cls}.log"

    def up_to_date(self, key: str) -> bool:
        """Whether the last good render had these inputs and its video is still there, whole."""
        try:
            stamp = json.loads(self.stamp.read_text())
        except (OSError, ValueError):
            return False
        return stamp.get("key") == key and self.video.is_file() and self.video.stat().st_size == stamp.get("bytes")

    def last_seconds(self) -> float | None:
        """How long the last good render took, from the stamp."""
        try:
            return float(json.loads(self.stamp.read_text())["render_seconds"])
        except (OSError, ValueError, KeyError, TypeError):
            return None


def write_stamp(ch: Chapter, key: str, seconds: float) -> None:
    """Record a good render of ``ch`` with inputs ``key`` (atomically)."""
    from model.files import atomic_write_bytes
    from scripts.join import video_duration

    data = {"key": key, "bytes": ch.video.stat().st_size, "render_seconds": round(seconds, 2),
            "video_seconds": round(video_duration(ch.video), 3)}
    atomic_write_bytes(ch.stamp, json.dumps(data, indent=1).encode())


# --- configs -------------------------------------------------------------------------------

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


def chapter_config(cfg: Path, media: Path, ch: Chapter) -> Path:
    """``cfg`` with folders of the chapter's own: LaTeX, text shaping, staging and segment cache.

    Chapters render in parallel processes. Sharing manim's Tex folder breaks them: when a
    formula is done, manim deletes every file in that folder but the .svg and .tex ones,
    which can be another process's .dvi that dvisvgm is about to read ("does not support
    converting .dvi files to SVG"). A shared text cache can likewise be read half-written.
    The video and its per-animation segments go to the staging folder (``video_dir``,
    ``partial_movie_dir``), which is removed after the render.
    """
    parser = read_config(cfg)
    if not parser.has_section("CLI"):
        parser.add_section("CLI")
    # Not under media/Tex or media/texts, manim's own folders for a plain `manim` run or the tests:
    # manim empties its Tex folder of everything but .tex and .svg files, and fails on a folder there.
    parser["CLI"]["tex_dir"] = str(media / "chapter-cache" / ch.cls / "Tex")
    parser["CLI"]["text_dir"] = str(media / "chapter-cache" / ch.cls / "texts")
    parser["CLI"]["video_dir"] = str(ch.staging)
    parser["CLI"]["partial_movie_dir"] = str(ch.segments)
    return write_config(parser, media / "cfg" / f"{ch.cls}.cfg")


def read_config(path: Path):
    """A ``ConfigParser`` holding ``path`` (no interpolation, as manim reads it)."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return parser


def write_config(parser, out: Path) -> Path:
    """Write ``parser`` to ``out`` atomically; returns ``out``."""
    import io

    from model.files import atomic_write_bytes

    text = io.StringIO()
    parser.write(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, text.getvalue().encode())
    return out


# --- one chapter ---------------------------------------------------------------------------

def manim_command(ch: Chapter, quality: str, cfg: Path, media: Path) -> list[str]:
    """The manim command line that renders ``ch`` into its staging folder."""
    return [sys.executable, "-m", "manim", "render", QUALITIES[quality][0],
            "--config_file", str(chapter_config(cfg, media, ch)),
            "--media_dir", str(media), "--progress_bar", "none", str(ROOT / "scenes" / f"{ch.stem}.py"), ch.cls]


def prepare_staging(ch: Chapter) -> None:
    """Give ``ch`` an empty staging folder (one left by a killed run goes, segments and all)."""
    shutil.rmtree(ch.staging, ignore_errors=True)
    ch.staging.mkdir(parents=True, exist_ok=True)


def publish(ch: Chapter) -> bool:
    """Move the staged video and subtitles into place; False if manim wrote no video."""
    if not ch.staged_video.is_file():
        return False
    ch.video.parent.mkdir(parents=True, exist_ok=True)
    for staged, final in ((ch.staged_srt, ch.srt), (ch.staged_timeline, ch.timeline)):
        if staged.is_file():
            os.replace(staged, final)
        else:  # no narration (or no voice) this time: an old file would not belong to the new video
            final.unlink(missing_ok=True)
    os.replace(ch.staged_video, ch.video)
    return True


def render_one(ch: Chapter, quality: str, cfg: Path, media: Path, assets: Path) -> tuple[int, float]:
    """Render one chapter in its own manim process; returns (exit code, seconds).

    The chapter's video and subtitles are replaced only if manim exits 0; the staging
    folder is removed either way.
    """
    ch.log.parent.mkdir(parents=True, exist_ok=True)
    prepare_staging(ch)
    env = dict(os.environ, PYTHONPATH=str(ROOT), ATTENTION_ASSETS=str(assets), PYTHONUNBUFFERED="1")
    env.pop("ATTENTION_VOICE", None)
    env.pop("ATTENTION_TIMELINE", None)
    if ch.voice:
        env.update(ATTENTION_VOICE=str(ch.voice), ATTENTION_TIMELINE=str(ch.staged_timeline))
    cmd = manim_command(ch, quality, cfg, media)
    t0 = time.time()
    with open(ch.log, "w") as log:
        log.write("$ " + " ".join(cmd) + "\n")
        log.flush()
        code = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        if code == 0 and ch.voice and ch.staged_video.is_file():
            code = lay_soundtrack(ch, log)
        if code == 0 and not publish(ch):
            log.write(f"render.py: manim exited 0 but wrote no {ch.staged_video}\n")
            code = 1
    shutil.rmtree(ch.staging, ignore_errors=True)
    return code, time.time() - t0


def lay_soundtrack(ch: Chapter, log) -> int:
    """Give the staged video its narration track; 0, or 1 with the reason in the log."""
    from scripts.soundtrack import add_to_video

    try:
        add_to_video(ch.staged_video, ch.staged_timeline)
    except Exception as exc:  # PyAV and file errors: the chapter fails, its previous video stays
        log.write(f"render.py: could not add the narration track: {type(exc).__name__}: {exc}\n")
        return 1
    return 0


# --- all chapters --------------------------------------------------------------------------

def render_all(chapters: list[Chapter], args, cfg: Path, media: Path, assets: Path) -> dict:
    """Render the chapters whose inputs changed, ``args.jobs`` at a time.

    Returns
    -------
    dict
        ``rendered``, ``skipped`` (up to date) and ``failed``: lists of chapter class names.
    """
    keys = {c.cls: input_key(c.entry, args.quality, assets, cfg, voice=c.voice) for c in chapters}
    todo = [c for c in chapters if args.force or not c.up_to_date(keys[c.cls])]
    skipped = [c.cls for c in chapters if c not in todo]
    if skipped:
        print(f"[render] up to date, not rendered again: {', '.join(skipped)}", file=sys.stderr)
    progress = Progress(len(chapters), done=len(skipped))
    failed = _run_pool(todo, args, cfg, media, assets, keys, progress)
    progress.end()
    for c in failed:
        tail = c.log.read_text(errors="replace").splitlines()[-25:]
        print(f"\n[render] {c.cls} failed; last lines of {c.log}:", file=sys.stderr)
        print("\n".join("    " + line for line in tail), file=sys.stderr)
    return {"rendered": [c.cls for c in todo if c not in failed], "skipped": skipped,
            "failed": [c.cls for c in failed]}


def _run_pool(todo: list[Chapter], args, cfg: Path, media: Path, assets: Path, keys: dict,
              progress: Progress) -> list[Chapter]:
    """Render ``todo`` in a thread pool, stamping each good one; returns the failed chapters."""
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
    return failed
