"""The narrator, without listening: beat lengths, cue times, the audio track, the cache, errors.

The timing tests use the stand-in voice ``tone`` (``scripts/voice.py``): one 440 Hz burst
per line, of a known length, so where each line must start and end is known by hand.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from scripts import soundtrack
from scripts.join import join, read_srt, video_duration
from scripts.voice import Synthesis, VoiceError
from voice_scene import NARRATION, OTHER, Short

ROOT = Path(__file__).resolve().parent.parent
FPS = 15  # -ql
LEAD, TAIL, HOLD, WORD = 0.2, 0.35, 0.5, 0.3  # what the beats promise, and the tone's seconds a word


def manifest(lines: dict, folder: Path, name: str) -> Path:
    synth = Synthesis("tone", folder / "cache")
    body = {"voice": "tone", "identity": {}, "lines": {t: synth.line(t) for t in lines.values()}}
    path = folder / f"{name}.voice.json"
    path.write_text(json.dumps(body))
    return path


def render(scene: str, lines: dict, folder: Path, media: Path) -> tuple[Path, Path, str]:
    """``tests/voice_scene.py``'s ``scene`` at -ql, spoken by the tone; (video, timeline, log)."""
    timeline = folder / f"{scene}.timeline.json"
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}",
               ATTENTION_VOICE=str(manifest(lines, folder, scene)), ATTENTION_TIMELINE=str(timeline))
    cfg = folder / "cached.cfg"  # the project's config, with manim's own cache on (the project turns it off)
    cfg.write_text((ROOT / "manim.cfg").read_text().replace("disable_caching = True", "disable_caching = False"))
    cmd = [sys.executable, "-m", "manim", "render", "-ql", "--media_dir", str(media), "--progress_bar", "none",
           "--config_file", str(cfg), str(ROOT / "tests" / "voice_scene.py"), scene]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    video = next(media.rglob(f"{scene}.mp4"))
    return video, timeline, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Short rendered cold, then again reusing manim's cached animations; Other once."""
    folder = tmp_path_factory.mktemp("voice")
    media = folder / "media"
    cold = render("Short", NARRATION, folder, media)
    cold_copy = (json.loads(cold[1].read_text()), read_srt(cold[0].with_suffix(".srt")))
    again = render("Short", NARRATION, folder, media)
    other = render("Other", OTHER, folder, media)
    return {"cold": cold_copy, "again": again, "other": other, "folder": folder}


def test_each_beat_lasts_the_longer_of_its_animations_and_its_line(rendered):
    timeline = json.loads(rendered["again"][1].read_text())
    starts = [line["frame"] / FPS for line in timeline["lines"]]
    words = {k: len(v.split()) for k, v in NARRATION.items()}
    spans = {"long_anim": Short.RUN_TIMES["long_anim"], "long_line": Short.RUN_TIMES["long_line"], "bare": 0.45}
    want = [max(spans[k] + HOLD, LEAD + words[k] * WORD + TAIL) for k in ("long_anim", "long_line", "bare")]
    assert list(np.diff(starts)) == pytest.approx(want[:2], abs=1 / FPS + 1e-6)  # the last one: by its cue
    assert want[0] == spans["long_anim"] + HOLD and want[1] > spans["long_line"] + HOLD  # both cases are covered
    cues = read_srt(rendered["again"][0].with_suffix(".srt"))
    assert [b - a for a, b, _ in cues] == pytest.approx(want, abs=1 / FPS + 2e-3)
    for line, (a, b, text) in zip(timeline["lines"], cues):  # the cue covers the speech; no line runs on
        assert text == line["caption"]
        assert a + LEAD == pytest.approx(line["start"], abs=2e-3)
        assert line["start"] + line["samples"] / line["rate"] + TAIL <= b + 2e-3


def test_cues_never_overlap_and_a_cached_render_times_them_as_a_cold_one(rendered):
    timeline, cues = rendered["cold"]
    assert "Using cached" in rendered["again"][2], "the second render should reuse manim's cached animations"
    assert json.loads(rendered["again"][1].read_text()) == timeline
    assert read_srt(rendered["again"][0].with_suffix(".srt")) == cues
    assert all(b1 <= a2 for (_, b1, _), (a2, _, _) in zip(cues, cues[1:]))
    assert timeline["frames"] == round(video_duration(rendered["again"][0]) * FPS)  # the clock is the video's


def decoded_audio(path: Path) -> tuple[np.ndarray, list]:
    with av.open(str(path)) as c:
        assert len(c.streams.audio) == 1, "exactly one audio stream"
        samples = np.concatenate([f.to_ndarray()[0] for f in c.decode(audio=0)])
        return samples, list(c.streams)


def test_a_chapter_video_carries_its_narration(rendered):
    video, timeline, _ = rendered["other"]
    soundtrack.add_to_video(video, timeline)
    samples, _ = decoded_audio(video)
    assert abs(len(samples) - video_duration(video) * soundtrack.RATE) <= 1024


@pytest.fixture(scope="module")
def joined(rendered):
    parts = [rendered["again"][:2], rendered["other"][:2]]
    for video, timeline in parts:
        soundtrack.add_to_video(video, timeline)  # as render.sh does: chapters have their own AAC too
    out = rendered["folder"] / "joined.mp4"
    join([("1. Short", parts[0][0]), ("2. Other", parts[1][0])], out, timelines=[t for _, t in parts])
    lines, offset = [], 0.0
    for video, timeline in parts:
        lines += [(offset + ln["start"], ln["samples"] / ln["rate"]) for ln in json.loads(timeline.read_text())["lines"]]
        offset += video_duration(video)
    return out, lines, offset


def test_the_joined_video_has_one_track_as_long_as_the_video(joined):
    out, _, total = joined
    samples, streams = decoded_audio(out)
    assert video_duration(out) == pytest.approx(total, abs=1e-6)
    assert abs(len(samples) - total * soundtrack.RATE) <= 1024


def test_one_burst_per_line_on_time_and_silence_between(joined):
    out, lines, _ = joined
    x, _ = decoded_audio(out)
    win = soundtrack.RATE // 200  # 5 ms
    rms = np.sqrt(np.mean(x[: len(x) // win * win].reshape(-1, win) ** 2, axis=1))
    loud = 20 * np.log10(rms + 1e-12) > -30
    onsets = [k * win / soundtrack.RATE for k in range(1, len(loud)) if loud[k] and not loud[k - 1]]
    assert len(onsets) == len(lines) == 5
    for got, (want, _) in zip(onsets, lines):
        assert abs(got - want) < 0.05
    for (a, da), (b, _) in zip(lines, lines[1:]):  # between one line's end and the next one's start
        gap = x[int((a + da + 0.03) * soundtrack.RATE): int((b - 0.03) * soundtrack.RATE)]
        assert len(gap) and 20 * np.log10(np.sqrt(np.mean(gap ** 2)) + 1e-12) < -50


LINE = "The first ids are reserved: <pad> fills up short reviews."


def test_the_real_voice_is_deterministic_across_processes_and_cached(tmp_path):
    code = ("import sys; from pathlib import Path; from scripts.voice import Synthesis; "
            f"print(Synthesis('joe', Path(sys.argv[1])).line({LINE!r})['wav'])")
    wavs = [Path(subprocess.run([sys.executable, "-c", code, str(tmp_path / k)], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()) for k in ("a", "b")]
    assert wavs[0].read_bytes() == wavs[1].read_bytes()
    with wave.open(str(wavs[0])) as w:
        assert w.getframerate() == 22050 and w.getnframes() > 22050  # over a second of speech
    again = Synthesis("joe", tmp_path / "a")
    assert again.line(LINE)["wav"] == str(wavs[0]) and (again.made, again.reused) == (0, 1)


def test_a_missing_voice_package_is_one_message_naming_voice_none(monkeypatch, tmp_path, capsys):
    from scripts import render

    monkeypatch.setitem(sys.modules, "piper", None)  # import piper now fails
    monkeypatch.setenv("ATTENTION_MEDIA", str(tmp_path))
    assert render.main(["-q", "l", "Ch14Recap"]) == 2
    err = capsys.readouterr().err
    assert "--voice none" in err and "piper-tts" in err and "Traceback" not in err


def test_an_onnxruntime_failure_is_a_voice_error(monkeypatch, tmp_path):
    import piper

    def broken(*_, **__):
        raise RuntimeError("[ONNXRuntimeError] : 1 : FAIL : Load model failed")

    monkeypatch.setattr(piper.PiperVoice, "load", broken)
    with pytest.raises(VoiceError, match="--voice none"):
        Synthesis("joe", tmp_path).line("Hello.")


def test_voice_none_synthesises_nothing_and_the_join_has_no_audio(rendered, tmp_path):
    from scripts.voice import prepare

    assert prepare([("ch14_recap", "Ch14Recap")], "none", tmp_path / "m", tmp_path / "c") == ({}, None)
    out = tmp_path / "silent.mp4"
    join([("1. Other", rendered["other"][0])], out)
    with av.open(str(out)) as c:
        assert not c.streams.audio


def test_a_line_that_quotes_the_review_says_its_words(tmp_path):
    from model import store
    from scripts.voice import prepare

    manifests, _ = prepare([("ch03_tokens", "Ch03Tokens")], "tone", tmp_path / "m", tmp_path / "c", ROOT / "assets")
    lines = json.loads(manifests["Ch03Tokens"].read_text())["lines"]
    text = store.load("dataset", ROOT / "assets")["examples"][0]["text"]
    first = " ".join(text.split()[:3])
    quoting = [caption for caption in lines if "It begins:" in caption]
    assert len(quoting) == 1 and all(first in caption for caption in quoting)  # only the line model.claims keeps
    assert all(first.replace("&", "and") in lines[c]["spoken"] for c in quoting)


def test_a_huge_or_unspeakable_review_is_quoted_briefly_and_said_without_its_symbols():
    import time

    from scenes.common.speech import QUOTE_CHARS, review_fields
    from scenes.common.spoken import for_voice, unspeakable

    t0 = time.time()
    quote = review_fields("Wonderful " * 20000)["opening"]
    assert time.time() - t0 < 0.5 and len(quote) <= QUOTE_CHARS + 3
    quote = review_fields("<br /><br />Great film 😀 ★★★★★ 映画 — 10/10")["opening"]
    assert "😀" in quote  # the caption keeps what the review says
    said = for_voice(quote)
    assert not unspeakable(said) and said.replace(",", "").split()[:2] == ["Great", "film"]
