"""The same frames encode to the same bytes, whatever the heap holds (scenes/speedups/steady_encoder.py).

At 854x480 the libx264 PyAV bundles reads, in its AVX-512 code, heap memory nobody wrote (past
the end of the last macroblock row), and what it finds there changes the bytes it writes. In a
render what the heap holds depends on thread timing, so two renders differed in one animation's
frames, a different one each time. Here the heap is made to hold two different things on purpose
(glibc's ``M_PERTURB`` fills every block malloc hands out with one byte) and the same frames are
encoded under each: manim's own encoder writes two different videos, the steady one the same
video twice; and the first beats of Ch03 rendered twice gave different frames in one animation
(frames 165-187, as in the renders that showed the bug) and now give the same video.
"""
from __future__ import annotations

import ctypes
import dataclasses
import hashlib
from contextlib import contextmanager, nullcontext
from fractions import Fraction

import numpy as np
import pytest
from manim import tempconfig

from scenes import speedups
from scenes.speedups import steady_encoder

FILLS = (0xFF, 0x01)  # M_PERTURB values: malloc hands out blocks of 0x00, then of 0xFE
M_PERTURB = -6  # glibc's mallopt parameter


def _mallopt():
    try:
        return ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None


def _avx512() -> bool:
    flags = steady_encoder.x264_flags()
    return bool(flags and flags[0] & flags[1])


pytestmark = [
    pytest.mark.skipif(_mallopt() is None, reason="needs glibc's mallopt to fill the heap"),
    pytest.mark.skipif(not _avx512(), reason="x264 uses no AVX-512 on this CPU: it reads no unwritten memory"),
]


@contextmanager
def heap_filled(value: int):
    """Every block malloc hands out in the block is filled with ``value ^ 0xFF`` (and freed ones with ``value``)."""
    mallopt = _mallopt()
    mallopt(M_PERTURB, value)
    try:
        yield
    finally:
        mallopt(M_PERTURB, 0)


def spec(width=854, height=480, **options):
    from manim._config.video_encoder import VideoEncoderSpec

    return VideoEncoderSpec(container_format="mp4", codec="libx264", pixel_format="yuv420p", width=width,
                            height=height, frame_rate=Fraction(15),
                            options=tuple({"preset": "veryfast", "crf": "20", **options}.items()))  # manim.cfg's


def caption_fade(width=854, height=480) -> list[np.ndarray]:
    """23 RGBA frames like a beat's: a still slide of boxes, and a caption's strokes fading in below it."""
    rng = np.random.default_rng(0)
    slide = np.zeros((height, width, 4), np.uint8)
    slide[...] = (0x10, 0x14, 0x18, 255)
    for _ in range(40):
        x, y = rng.integers(0, width - 60), rng.integers(0, height - 100)
        slide[y:y + rng.integers(5, 30), x:x + rng.integers(10, 60), :3] = rng.integers(40, 255, 3)
    strokes = rng.random((40, width - 154)) > 0.7
    frames = []
    for k in range(23):
        frame = slide.copy()
        a = min(1.0, max(0.0, (k - 3) / 8))
        band = frame[height - 60:height - 20, 77:width - 77, :3].astype(float)
        band[strokes] = band[strokes] * (1 - a) + 230 * a
        frame[height - 60:height - 20, 77:width - 77, :3] = band.astype(np.uint8)
        frames.append(frame)
    return frames


def encode(path, frames, the_spec) -> bytes:
    """The segment manim's encoder writes for ``frames``: the packets' bytes (the file also holds times)."""
    import av
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    encoder = VideoSegmentEncoder(target=path, spec=the_spec)
    for frame in frames:
        encoder.write_frame(frame)
    encoder.finish()
    with av.open(str(path)) as container:
        return b"".join(bytes(p) for p in container.demux(video=0))


def under_each_fill(tmp_path, frames, the_spec) -> list[bytes]:
    out = []
    for fill in FILLS:
        with heap_filled(fill):
            out.append(encode(tmp_path / f"fill{fill}.mp4", frames, the_spec))
    return out


def test_manims_encoder_writes_what_the_heap_holds_and_the_steady_one_does_not(tmp_path):
    frames = caption_fade()
    with speedups.plain_manim():
        plain = under_each_fill(tmp_path / "plain", frames, spec())
    if plain[0] == plain[1]:
        pytest.skip("this x264 writes the same bytes under both fills: it no longer reads unwritten memory")
    with speedups.only("steady_encoder"):
        steady = under_each_fill(tmp_path / "steady", frames, spec())
    assert steady[0] == steady[1]
    assert steady[0] in plain  # what AVX-512 writes when the memory it should not read holds zeros


def test_only_widths_whose_rows_x264_overreads_change():
    """1280, 1920 and 3840 px are 80, 120 and 240 macroblocks, multiples of 8: left as they were."""
    for width, height in ((1280, 720), (1920, 1080), (3840, 2160)):
        assert steady_encoder.steady(spec(width, height)) == spec(width, height)
    steadied = dict(steady_encoder.steady(spec()).options)
    flags, avx512 = steady_encoder.x264_flags()
    assert steadied["x264-params"] == f"asm={flags & ~avx512}" and steadied["crf"] == "20"
    mixed = dict(steady_encoder.steady(spec(**{"x264-params": "aq-mode=2"})).options)
    assert mixed["x264-params"] == f"aq-mode=2:asm={flags & ~avx512}"
    assert steady_encoder.steady(spec(**{"x264-params": "asm=0"})) == spec(**{"x264-params": "asm=0"})
    vp9 = dataclasses.replace(spec(), codec="libvpx-vp9")
    assert steady_encoder.steady(vp9) is vp9


PLAYS = 8  # Ch03's title card, heading and first beats: its 8th animation is a caption swap x264 got wrong


def render_beats(media, fill: int, names: tuple[str, ...] | None) -> tuple[list[str], list[str]]:
    """Ch03Tokens' first :data:`PLAYS` animations at 480p15, silent, under one heap fill.

    ``names=None`` lets the chapter's ``setup`` install the speed-ups, as a render does; otherwise
    exactly ``names`` are installed. Returns the sha1 of every RGBA frame handed to the encoder and
    of every decoded frame.
    """
    import av
    from manim.scene.scene_file_writer import SceneFileWriter

    from scenes.chapters import scene_class

    Ch03Tokens = scene_class("Ch03Tokens")

    written = []
    own = SceneFileWriter.write_frame

    def write_frame(self, pixels, *, repeat=1):
        written.append((hashlib.sha1(pixels.tobytes()).hexdigest(), repeat))
        own(self, pixels, repeat=repeat)

    SceneFileWriter.write_frame = write_frame
    try:
        with tempconfig({"quality": "low_quality", "disable_caching": True, "media_dir": str(media),
                         "upto_animation_number": PLAYS - 1, "verbosity": "ERROR", "progress_bar": "none"}):
            speedups.uninstall()
            with speedups.only(*names) if names is not None else nullcontext():
                scene = Ch03Tokens()
                with heap_filled(fill):
                    scene.render()
            video = scene.renderer.file_writer.movie_file_path
    finally:
        SceneFileWriter.write_frame = own
        speedups.uninstall()
    assert scene.renderer.num_plays == PLAYS
    with av.open(str(video)) as container:
        decoded = [hashlib.sha1(f.to_ndarray(format="rgb24").tobytes()).hexdigest() for f in container.decode(video=0)]
    return written, decoded


def test_a_chapters_beats_rendered_twice_give_the_same_video(tmp_path, monkeypatch):
    monkeypatch.delenv("ATTENTION_VOICE", raising=False)  # the silent chapter: beats last their reading time
    monkeypatch.delenv("ATTENTION_TIMELINE", raising=False)
    before = tuple(n for n in speedups.NAMES if n != "steady_encoder")  # the speed-ups before the fix
    old = [render_beats(tmp_path / f"old{fill}", fill, before) for fill in FILLS]
    assert old[0][0] == old[1][0]  # the same frames were handed to the encoder
    if old[0][1] == old[1][1]:
        pytest.skip("these beats no longer make x264 read unwritten memory under these fills")
    new = [render_beats(tmp_path / f"new{fill}", fill, None) for fill in FILLS]
    assert len(new[0][1]) > 150 and new[0][0] == new[1][0] == old[0][0]
    assert new[0][1] == new[1][1]
