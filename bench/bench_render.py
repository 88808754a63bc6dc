"""Render benchmark (not a test): how fast is the full video made on this machine?

    .venv/bin/python -m bench.bench_render                 # 1080p60, every measurement
    .venv/bin/python -m bench.bench_render -q l --no-regenerate

Reports, as a Markdown table:

1. render ratio: wall time / video length, cold (fresh media folder) and warm (nothing changed);
2. encoder overhead: the cold render / the time PyAV alone takes to encode as many frames
   of the same size with the same x264 settings (the floor for any x264-based renderer),
   timed by ``bench/encode_floor.py`` on the frames manim really encodes, and scaled;
3. per chapter: render seconds per second of video (from the stamps of the cold run);
4. peak memory (sum over the render's processes) and, unless --no-regenerate, wall time
   and peak memory of ``render.sh --regenerate`` (train, evaluate, export);
5. the narration: seconds the cold render spent synthesising the whole script (its cache
   starts empty), seconds of speech, and words a minute over the whole video and while
   the voice speaks;
6. the edit loop: one comment line appended to one chapter's file (``--edit``, default
   Ch14Recap; the file is restored afterwards), then the same command again. Only that
   chapter and the join should run: the bench reports what rendered and the time against
   that chapter's own cold render plus a render with nothing changed (the join).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from scripts.render import QUALITIES

ROOT = Path(__file__).resolve().parent.parent


class PeakRSS:
    """Samples the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int, every: float = 0.5):
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(d.name))
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo.extend(children.get(p, []))
        return out

    def _run(self):
        while not self._stop.is_set():
            total = 0
            for p in self._tree():
                try:
                    for line in Path(f"/proc/{p}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
                except OSError:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._t.join()
        return self.peak


def timed(cmd: list[str], env: dict) -> tuple[float, int, str, float]:
    """Run ``cmd``: (wall seconds, peak memory in bytes, its output, CPU seconds of it and every process it waited for)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    mem = PeakRSS(proc.pid)
    out, err = proc.communicate()
    peak = mem.stop()
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    wall = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, peak, out + err, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-q", "--quality", default="h", choices=list(QUALITIES))
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-regenerate", action="store_true")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--in-place", action="store_true",
                    help="render into the repository's media/ with the plain README command (./render.sh), "
                         "instead of a fresh temporary media folder; cold only if media/ is empty")
    ap.add_argument("--readme", action="store_true", help="also write the tables into README.md (bench block)")
    ap.add_argument("--edit", default="Ch14Recap", help="the chapter whose file the edit loop touches")
    ap.add_argument("--from-json", metavar="FILE", help="measure nothing: report the figures saved by --json")
    args = ap.parse_args()
    if args.from_json:
        return finish(json.loads(Path(args.from_json).read_text()), args.readme)
    res = QUALITIES[args.quality][1]
    figures: dict = {"quality": res, "jobs": args.jobs, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        media = ROOT / "media" if args.in_place else Path(tmp) / "media"
        env = dict(os.environ, ATTENTION_MEDIA=str(media))
        cmd = [str(ROOT / "render.sh")]
        if not (args.in_place and args.quality == "h" and args.jobs == (os.cpu_count() or 1)):
            cmd += ["-q", args.quality, "-j", str(args.jobs)]
        cold, peak, cold_log, cold_cpu = timed(cmd, env)
        warm, _, _, _ = timed(cmd, env)
        figures.update(edit_loop(cmd, env, media, res, args.edit))
        video = media / f"attention-explained-{res}.mp4"
        from scripts.join import video_duration

        length = video_duration(video)
        import av

        with av.open(str(video)) as c:
            n_frames = c.streams.video[0].frames
        # the floor's chapters hold their beats as long as in the narrated render (its manifests)
        voice = ["--voice-dir", str(media / "voice")] if (media / "voice").is_dir() else []
        floor = subprocess.run([sys.executable, "-m", "bench.encode_floor", "-q", args.quality, "--json", *voice],
                               cwd=ROOT, capture_output=True, text=True)
        if floor.returncode:
            sys.exit(f"bench/encode_floor.py failed:\n{floor.stderr[-3000:]}")
        floor = json.loads(floor.stdout.strip().splitlines()[-1])
        enc = floor["seconds_per_frame"] * n_frames
        enc_once = floor["seconds_per_frame_convert_once"] * n_frames
        cpu_once = floor["cpu_seconds_per_frame_convert_once"] * n_frames
        figures.update(narration(media, res, video, cold_log, length))
        chapters = []
        for stamp in sorted((media / "stamps" / res).glob("*.json")):
            s = json.loads(stamp.read_text())
            chapters.append((stamp.stem, s["video_seconds"], s["render_seconds"]))
    figures.update(command=" ".join(cmd), encode_floor=floor)
    figures.update(video_seconds=round(length, 1), frames=n_frames, cold_seconds=round(cold, 1),
                   warm_seconds=round(warm, 1), encode_only_seconds=round(enc, 1),
                   encode_only_convert_once_seconds=round(enc_once, 1), cold_cpu_seconds=round(cold_cpu, 1),
                   encode_only_convert_once_cpu_seconds=round(cpu_once, 1), peak_rss_mb=peak // 2**20,
                   chapters=chapters)
    if not args.no_regenerate:
        if not os.environ.get("IMDB_DIR"):
            sys.exit("--regenerate needs IMDB_DIR (or pass --no-regenerate)")
        with tempfile.TemporaryDirectory() as tmp:
            t, p, _, _ = timed([str(ROOT / ".venv/bin/python"), "-c", (
                "import subprocess, sys\n"
                f"ck = {str(Path(tmp) / 'ck.pt')!r}; out = {str(Path(tmp) / 'assets')!r}\n"
                "for step in (['train', '--out', ck, '--quiet'], ['evaluate', '--checkpoint', ck],"
                " ['export', '--checkpoint', ck, '--out', out]):\n"
                "    subprocess.run([sys.executable, '-m', 'model', *step], check=True)\n")], dict(os.environ))
        figures.update(regenerate_seconds=round(t, 1), regenerate_peak_rss_mb=p // 2**20)

    if args.json:
        from model.files import atomic_write_bytes

        atomic_write_bytes(Path(args.json), json.dumps(figures, indent=1).encode())
    return finish(figures, args.readme)


def edit_loop(cmd: list[str], env: dict, media: Path, res: str, cls: str) -> dict:
    """Append a comment to ``cls``'s file, render again, restore the file; what ran and how long."""
    import re

    from scenes.chapters import BY_CLASS

    stamp = json.loads((media / "stamps" / res / f"{cls}.json").read_text())
    path = BY_CLASS[cls].file
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"\n# bench: an edit\n")
        seconds, _, log, _ = timed(cmd, env)
    finally:
        path.write_bytes(original)
    m = re.search(r"\[render\] (\d+) rendered, (\d+) up to date", log)
    return {"edit_chapter": cls, "edit_seconds": round(seconds, 1), "edit_rendered": int(m.group(1)) if m else None,
            "edit_chapter_cold_seconds": stamp["render_seconds"]}


def narration(media: Path, res: str, video: Path, log: str, length: float) -> dict:
    """Synthesis time (from render.sh's ``[voice]`` line), speech seconds and words a minute."""
    import re

    from scripts.join import read_srt

    m = re.search(r"\[voice\] \w+: (\d+) lines synthesised, (\d+) from the cache, [\d.]+ s of speech, in ([\d.]+) s", log)
    if not m:
        return {}
    words = sum(len(text.split()) for _, _, text in read_srt(video.with_suffix(".srt")))
    speech = sum(line["samples"] / line["rate"] for t in (media / "videos").glob(f"*/{res}/*.timeline.json")
                 for line in json.loads(t.read_text())["lines"])
    return {"synthesis_seconds": float(m.group(3)), "lines_synthesised": int(m.group(1)),
            "speech_seconds": round(speech, 1), "words": words,
            "wpm_video": round(60 * words / length, 1), "wpm_speaking": round(60 * words / max(speech, 1e-9), 1)}


def finish(figures: dict, readme: bool) -> int:
    text = report(figures)
    print(text)
    if readme:
        from model.files import atomic_write_bytes
        from scripts.readme_media import replace_block

        path = ROOT / "README.md"
        atomic_write_bytes(path, replace_block(path.read_text(), "bench", text).encode())
        print("wrote the table into README.md")
    return 0


def median_of(floor: dict) -> str:
    """How the floor was timed: ", median of 3 encodes (16.1 to 16.7 s)", if it was timed more than once."""
    runs = floor.get("runs", [])
    return f", median of {len(runs)} encodes ({min(runs):.1f} to {max(runs):.1f} s)" if len(runs) > 1 else ""


def report(f: dict) -> str:
    """The figures as two Markdown tables."""
    length, cold, warm, enc = f["video_seconds"], f["cold_seconds"], f["warm_seconds"], f["encode_only_seconds"]
    floor = f["encode_floor"]
    out = [f"| figure | {f['quality']}, -j {f['jobs']}, {f['cores']} cores |", "| --- | --- |",
           f"| video length | {length:.1f} s ({f['frames']} frames) |",
           f"| cold render | {cold:.1f} s = **{cold / length:.2f}× realtime** |",
           f"| re-render, nothing changed | {warm:.1f} s = {warm / length:.3f}× realtime = {100 * warm / cold:.1f}% "
           "of cold |",
           f"| encode only (PyAV, x264 with the same settings, timed on {floor['frames']} of manim's own frames "
           f"from {', '.join(floor['chapters'])}{median_of(floor)}, scaled to all frames) "
           f"| {enc:.1f} s = {enc / length:.2f}× realtime |",
           f"| render / encode-only | **{cold / enc:.2f}×** |"]
    if "encode_only_convert_once_seconds" in f:  # the floor of an encoder that converts a held frame once
        once = f["encode_only_convert_once_seconds"]
        out += [f"| encode only, each held frame converted to yuv420p once (as `scenes/speedups/held_frames.py` does; "
                f"{floor['unique_frames']} of the {floor['frames']} timed frames are distinct) "
                f"| {once:.1f} s = {once / length:.2f}× realtime |",
                f"| render / that encode-only | **{cold / once:.2f}×** |"]
    if "cold_cpu_seconds" in f:  # CPU seconds: what another process on the machine changes least
        cpu, cpu_once = f["cold_cpu_seconds"], f["encode_only_convert_once_cpu_seconds"]
        out += [f"| CPU seconds: cold render (every process) / that encode-only (x264's threads included) "
                f"| {cpu:.1f} s / {cpu_once:.1f} s = {cpu / cpu_once:.2f}× |"]
    if "synthesis_seconds" in f:
        out += [f"| narration: synthesis of the whole script ({f['lines_synthesised']} lines, cache empty; "
                f"inside the cold render) | {f['synthesis_seconds']:.1f} s |",
                f"| narration: {f['words']} words spoken in {f['speech_seconds']:.1f} s of speech | "
                f"**{f['wpm_video']:.0f} words a minute** over the video, {f['wpm_speaking']:.0f} while speaking |"]
    if "edit_seconds" in f:
        budget = 1.3 * f["edit_chapter_cold_seconds"] + warm
        out.append(f"| edit loop: one line added to {f['edit_chapter']}'s file, then the same command | "
                   f"{f['edit_seconds']:.1f} s, {f['edit_rendered']} chapter rendered (its cold render "
                   f"{f['edit_chapter_cold_seconds']:.1f} s; budget 1.3× that + the join, {budget:.1f} s) |")
    out.append(f"| peak memory of the render | {f['peak_rss_mb']} MB |")
    if "regenerate_seconds" in f:
        out.append(f"| --regenerate (train, evaluate, export) | {f['regenerate_seconds']:.0f} s, "
                   f"peak {f['regenerate_peak_rss_mb']} MB |")
    out += ["", "| chapter | video s | render s | render s per video s |", "| --- | --- | --- | --- |"]
    out += [f"| {name} | {vs:.1f} | {rs:.1f} | {rs / vs:.2f} |" for name, vs, rs in f["chapters"]]
    return "\n".join(out)

if __name__ == "__main__":
    raise SystemExit(main())
