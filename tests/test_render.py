"""render.sh: its options, its errors, joining chapters, and one real end-to-end render."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from scenes.chapters import CHAPTERS
from scripts.join import join, merge_srt, merged_cues, read_srt, video_duration

ROOT = Path(__file__).resolve().parent.parent


def run(*args, env=None, timeout=600):
    return subprocess.run([str(ROOT / "render.sh"), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout, cwd="/")


def test_list_prints_the_chapters_in_story_order():
    proc = run("--list")
    assert proc.returncode == 0
    names = [line.split("\t")[0] for line in proc.stdout.splitlines()]
    assert names == [c.cls for c in CHAPTERS] and len(names) == 14


@pytest.mark.parametrize("args, needle", [(["--bogus"], "unrecognized arguments"),
                                          (["NoSuchChapter"], "unknown chapter NoSuchChapter"),
                                          (["-q", "x"], "invalid choice"),
                                          (["-j", "0"], "-j needs"),
                                          (["--preset", "fastest"], "not an x264 preset"),
                                          (["--text", "hi there", "Ch01Motivation"], "does not depend on the review")])
def test_bad_flags_and_unknown_chapters_exit_2(args, needle):
    proc = run(*args)
    assert proc.returncode == 2
    assert needle in proc.stderr and "Traceback" not in proc.stderr


def _tiny_video(path: Path, seconds: float, rate: int = 15, shade: int = 0):
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=rate)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        for k in range(int(seconds * rate)):
            img = np.full((48, 64, 3), (shade + 7 * k) % 255, dtype=np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def test_join_two_chapters_sums_durations_and_marks_boundaries(tmp_path):
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    _tiny_video(a, 2.0)
    _tiny_video(b, 3.0, shade=100)
    out = tmp_path / "out.mp4"
    join([("One", a), ("Two", b)], out)
    assert video_duration(out) == pytest.approx(video_duration(a) + video_duration(b), abs=0.07)
    with av.open(str(out)) as c:
        marks = c.chapters()
        frames = sum(1 for _ in c.decode(video=0))
    assert frames == 75  # nothing dropped, nothing re-timed
    assert [m["metadata"]["title"] for m in marks] == ["One", "Two"]
    boundary = float(marks[1]["start"] * marks[1]["time_base"])
    assert boundary == pytest.approx(2.0, abs=0.07)
    assert float(marks[1]["end"] * marks[1]["time_base"]) == pytest.approx(5.0, abs=0.07)
    # and no temporary file is left beside the output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4", "b.mp4", "out.mp4"]


def read_text_track(path: Path) -> list[tuple[float, float, str]]:
    """The MP4's subtitle track, decoded: (start s, end s, text)."""
    out = []
    with av.open(str(path)) as c:
        (st,) = [s for s in c.streams if s.type == "subtitle"]
        assert st.codec_context.name == "mov_text"
        for packet in c.demux(st):
            if packet.size:
                start = float(packet.pts * st.time_base)
                for rect in packet.decode():
                    out.append((start, start + float(packet.duration * st.time_base), rect.dialogue.decode()))
    return out


def test_join_stores_the_subtitles_as_a_track_at_the_chapter_offsets(tmp_path):
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    _tiny_video(a, 2.0)
    _tiny_video(b, 3.0, shade=100)
    (tmp_path / "a.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nthe first line\n")
    (tmp_path / "b.srt").write_text("1\n00:00:00,250 --> 00:00:02,000\nsecond chapter, ünïcode\n")

    def subtitles(marks):
        return merged_cues([(tmp_path / f"{n}.srt", float(m["start"] * m["time_base"]),
                             float((m["end"] - m["start"]) * m["time_base"])) for n, m in zip("ab", marks)])

    out = tmp_path / "out.mp4"
    join([("One", a), ("Two", b)], out, subtitles=subtitles)
    track = read_text_track(out)
    assert [t for _, _, t in track] == ["the first line", "second chapter, ünïcode"]
    assert track[0][:2] == pytest.approx((0.5, 1.5), abs=1e-3)
    assert track[1][:2] == pytest.approx((2.25, 4.0), abs=0.07)  # 0.25 s into the second chapter
    with av.open(str(out)) as c:
        assert sum(1 for _ in c.decode(video=0)) == 75


def test_merged_srt_is_offset_and_monotonic(tmp_path):
    (tmp_path / "a.srt").write_text("1\n00:00:00,500 --> 00:00:01,500\nfirst\n\n2\n00:00:01,600 --> 00:00:03,000\nsecond\n")
    (tmp_path / "b.srt").write_text("1\n00:00:00,000 --> 00:00:02,000\nthird\n")
    n = merge_srt([(tmp_path / "a.srt", 0.0, 2.5), (tmp_path / "b.srt", 2.5, 2.0)], tmp_path / "all.srt")
    cues = read_srt(tmp_path / "all.srt")
    assert n == 3 and [c[2] for c in cues] == ["first", "second", "third"]
    assert cues[1][1] == pytest.approx(2.5)  # clipped to its chapter
    assert cues[2][0] == pytest.approx(2.5) and cues[2][1] == pytest.approx(4.5)


def test_each_chapter_gets_its_own_latex_and_text_folders(tmp_path):
    """Parallel chapters sharing manim's Tex folder fail: manim's clean-up after one formula
    deletes another process's .dvi. Each chapter's config points at folders of its own."""
    import configparser

    from scripts.render import Chapter, chapter_config

    base = tmp_path / "base.cfg"
    base.write_text("[CLI]\nbackground_color = #101418\n[video_encoder.options]\npreset = veryfast\ncrf = 20\n")
    media = tmp_path / "media"
    dirs = []
    for entry in CHAPTERS[5:9]:
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(chapter_config(base, media, Chapter(entry, media, "l")))
        assert parser["video_encoder.options"]["preset"] == "veryfast" and parser["CLI"]["background_color"] == "#101418"
        dirs += [parser["CLI"]["tex_dir"], parser["CLI"]["text_dir"]]
    assert len(set(dirs)) == len(dirs) and all(Path(d).is_relative_to(media) for d in dirs)


@pytest.mark.slow
def test_render_one_chapter_end_to_end(tmp_path):
    media = tmp_path / "media"
    proc = run("-q", "l", "Ch02Dataset", env={"ATTENTION_MEDIA": str(media)}, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    video = Path(proc.stdout.strip().splitlines()[-1])
    assert video.is_file() and video.parent.parent == media
    with av.open(str(video)) as c:
        s = c.streams.video[0]
        assert (s.width, s.height) == (854, 480)
        assert sum(1 for _ in c.decode(video=0)) > 15 * 10  # more than ten seconds of frames
    cues = read_srt(video.with_suffix(".srt"))
    assert cues, "the chapter's narration should give subtitles"
    starts = [a for a, _, _ in cues]
    assert starts == sorted(starts) and all(a < b for a, b, _ in cues), "cues must be in order"
    assert cues[-1][1] <= video_duration(video) + 1e-3, "the last cue must end before the video does"
    # the same narration is the video's subtitle track
    assert [t for _, _, t in read_text_track(video)] == [t.replace("\n", "\\N") for _, _, t in cues]
    # the chapter shaped its text in a cache of its own (parallel chapters must not share one)
    assert list((media / "chapter-cache" / "Ch02Dataset" / "texts").glob("*.svg"))
    # and nothing in manim's default folders, which a later plain manim run (the tests) cleans up
    assert not (media / "texts").exists() and not (media / "Tex").exists()
    # manim rendered into a staging folder, segments and all, which is gone
    assert not list((media / "staging").rglob("*.mp4"))
    assert not list(media.rglob("partial_movie_files"))
    # a second run with nothing changed renders nothing
    again = run("-q", "l", "Ch02Dataset", env={"ATTENTION_MEDIA": str(media)})
    assert again.returncode == 0 and "up to date, not rendered again: Ch02Dataset" in again.stderr
    assert "0 rendered" in again.stderr


def test_missing_latex_is_reported_before_rendering(tmp_path):
    """With no LaTeX on PATH, render.py says what to install instead of failing deep inside manim."""
    import sys

    empty = tmp_path / "bin"
    empty.mkdir()
    proc = subprocess.run([sys.executable, "-m", "scripts.render", "-q", "l", "Ch02Dataset"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={"PATH": str(empty), "ATTENTION_MEDIA": str(tmp_path), "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1
    assert "latex not found" in proc.stderr and "apt-get install" in proc.stderr and "texlive-latex-extra" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "logs").exists()


def test_eta_uses_stamps_then_this_runs_chapters_then_a_first_guess():
    from scripts.render import seconds_left
    # no history: A's stamp says 100 s; B and the running C fall back on the first guess of 50 s
    assert seconds_left(["A", "B"], {"C": 30.0}, {"A": 100.0}, [], 50.0, jobs=2) == (100 + 50 + 20) / 2
    # two chapters finished in this run, at 120 s and 80 s: unknown ones now cost their mean, 100 s
    assert seconds_left(["A", "B"], {"C": 30.0}, {"A": 100.0}, [120.0, 80.0], 50.0, jobs=2) == (100 + 100 + 70) / 2
    # a chapter running past its estimate adds nothing, and nothing left is zero
    assert seconds_left([], {"A": 150.0}, {"A": 100.0}, [], 50.0, jobs=1) == 0
    assert seconds_left([], {}, {}, [], 50.0, jobs=2) == 0
