"""Render benchmark (not a test): how fast is the full video made on this machine?

    .venv/bin/python bench/bench_render.py                 # 1080p60, all four measurements
    .venv/bin/python bench/bench_render.py -q l --no-regenerate

Reports, as a Markdown table:

1. render ratio: wall time / video length, cold (fresh media folder) and warm (nothing changed);
2. encoder overhead: the cold render / the time PyAV alone takes to encode as many frames
   of the same size with the same x264 settings (the floor for any x264-based renderer);
3. per chapter: render seconds per second of video (from the stamps of the cold run);
4. peak memory (sum over the render's processes) and, unless --no-regenerate, wall time
   and peak memory of ``render.sh --regenerate`` (train, evaluate, export).
"""
from __future__ import annotations

import argparse
import configparser
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.render import QUALITIES  # noqa: E402


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


def timed(cmd: list[str], env: dict) -> tuple[float, int, str]:
    t0 = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    mem = PeakRSS(proc.pid)
    out, err = proc.communicate()
    peak = mem.stop()
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return time.time() - t0, peak, out + err


def encode_only(n_frames: int, video: Path) -> float:
    """Seconds for PyAV to encode n_frames real frames (cycled from the video) with manim.cfg's settings.

    Consecutive frames repeat in runs of 30, like a manim scene's still moments, so x264
    does about the work it does on the real video."""
    import av

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "manim.cfg")
    options = dict(cfg["video_encoder.options"]) if cfg.has_section("video_encoder.options") else {}
    frames = []
    with av.open(str(video)) as src:
        s = src.streams.video[0]
        rate, width, height = s.average_rate, s.width, s.height
        step = max(1, (s.frames or 600) // 120)
        for k, f in enumerate(src.decode(s)):
            if k % step == 0:
                frames.append(f.to_ndarray(format="rgb24"))
            if len(frames) == 120:
                break
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.time()
        with av.open(str(Path(tmp) / "enc.mp4"), "w") as dst:
            st = dst.add_stream("libx264", rate=rate, options=options)
            st.width, st.height, st.pix_fmt = width, height, "yuv420p"
            for k in range(n_frames):
                # consecutive runs of the same frame, as in a manim scene's still moments
                img = frames[(k // 30) % len(frames)]
                for p in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                    dst.mux(p)
            for p in st.encode():
                dst.mux(p)
        return time.time() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-q", "--quality", default="h", choices=list(QUALITIES))
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-regenerate", action="store_true")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--in-place", action="store_true",
                    help="render into the repository's media/ with the plain README command (./render.sh), "
                         "instead of a fresh temporary media folder; cold only if media/ is empty")
    ap.add_argument("--encode-sample", type=int, default=0,
                    help="time the encode-only floor on this many frames and scale to the video (0: all frames)")
    args = ap.parse_args()
    res = QUALITIES[args.quality][1]
    figures: dict = {"quality": res, "jobs": args.jobs, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        media = ROOT / "media" if args.in_place else Path(tmp) / "media"
        env = dict(os.environ, ATTENTION_MEDIA=str(media))
        cmd = [str(ROOT / "render.sh")]
        if not (args.in_place and args.quality == "h" and args.jobs == (os.cpu_count() or 1)):
            cmd += ["-q", args.quality, "-j", str(args.jobs)]
        cold, peak, _ = timed(cmd, env)
        warm, _, _ = timed(cmd, env)
        video = media / f"attention-explained-{res}.mp4"
        from scripts.join import video_duration

        length = video_duration(video)
        import av

        with av.open(str(video)) as c:
            n_frames = c.streams.video[0].frames
        sample = min(n_frames, args.encode_sample or n_frames)
        enc = encode_only(sample, video) * n_frames / sample
        chapters = []
        for stamp in sorted((media / "stamps" / res).glob("*.json")):
            s = json.loads(stamp.read_text())
            chapters.append((stamp.stem, s["video_seconds"], s["render_seconds"]))
    figures.update(command=" ".join(cmd), encode_sample_frames=sample)
    figures.update(video_seconds=round(length, 1), frames=n_frames, cold_seconds=round(cold, 1),
                   warm_seconds=round(warm, 1), encode_only_seconds=round(enc, 1), peak_rss_mb=peak // 2**20,
                   chapters=chapters)
    if not args.no_regenerate:
        if not os.environ.get("IMDB_DIR"):
            sys.exit("--regenerate needs IMDB_DIR (or pass --no-regenerate)")
        with tempfile.TemporaryDirectory() as tmp:
            t, p, _ = timed([str(ROOT / ".venv/bin/python"), "-c", (
                "import subprocess, sys\n"
                f"ck = {str(Path(tmp) / 'ck.pt')!r}; out = {str(Path(tmp) / 'assets')!r}\n"
                "for step in (['train', '--out', ck, '--quiet'], ['evaluate', '--checkpoint', ck],"
                " ['export', '--checkpoint', ck, '--out', out]):\n"
                "    subprocess.run([sys.executable, '-m', 'model', *step], check=True)\n")], dict(os.environ))
        figures.update(regenerate_seconds=round(t, 1), regenerate_peak_rss_mb=p // 2**20)

    print(f"| figure | {res}, -j {args.jobs}, {figures['cores']} cores |\n| --- | --- |")
    print(f"| video length | {length:.1f} s ({n_frames} frames) |")
    print(f"| cold render | {cold:.1f} s = **{cold / length:.2f}× realtime** |")
    print(f"| re-render, nothing changed | {warm:.1f} s = {100 * warm / cold:.1f}% of cold |")
    scaled = f", timed on {sample} frames and scaled" if sample < n_frames else ""
    print(f"| encode only (PyAV, same frame count and x264 settings{scaled}) | {enc:.1f} s = {enc / length:.2f}× realtime |")
    print(f"| render / encode-only | **{cold / enc:.2f}×** |")
    print(f"| peak memory of the render | {peak / 2**20:.0f} MB |")
    if "regenerate_seconds" in figures:
        print(f"| --regenerate (train, evaluate, export) | {figures['regenerate_seconds']:.0f} s, "
              f"peak {figures['regenerate_peak_rss_mb']} MB |")
    print("\n| chapter | video s | render s | render s per video s |\n| --- | --- | --- | --- |")
    for name, vs, rs in chapters:
        print(f"| {name} | {vs:.1f} | {rs:.1f} | {rs / vs:.2f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
