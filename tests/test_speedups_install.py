"""Installing and uninstalling the renderer speed-ups (scenes/speedups), and a real chapter rendered
with and without them.

The chapter test renders the first animations of Ch02Dataset at 480p15 four ways (every speed-up
as its setup installs them, plain manim, every speed-up but the layered fades, only the layered
fades) and compares the sha1 of every frame handed to the encoder and of every decoded frame. The
layered fades change pixels during a fade (8-bit rounding, overlapping parts), so the others
must leave the frames byte for byte as they are without them: against plain manim, and on top of
the layered fades. (The steady fades may round differently from manim in some fades, 7 frames
of Ch09; not in these beats.) Every way encodes with the steady encoder, which changes no frame:
without it x264 may write different bytes for the same frames at 480p (tests/test_speedups_encoder.py),
and the decoded frames could differ for that alone.
"""
from __future__ import annotations

import hashlib
import itertools
import warnings

import pytest
from kit_fixtures import private_media  # noqa: F401  (autouse: a private media folder)
from manim import tempconfig

from scenes import speedups
from scenes.speedups import fade_layers, registry

PLAYS = 8  # the title card (3), the first heading (1), the first two beats (2 each): a caption swap over a slide
EXACT = tuple(n for n in speedups.NAMES if n != "fade_layers")  # all but the layered fades: manim's frames here
ENCODER = ("steady_encoder",)  # the same frames give the same video: in every way, so that only drawing differs


@pytest.fixture
def plain():
    """No speed-up before the test, and none left behind by it."""
    speedups.uninstall()
    yield
    speedups.uninstall()


def owners() -> dict:
    """Every class a speed-up patches, with what its ``__dict__`` holds now."""
    speedups.install()
    classes = {owner for owner, _ in registry.patched()}
    speedups.uninstall()
    return {owner: dict(vars(owner)) for owner in classes}


def test_install_twice_is_a_no_op_and_uninstall_puts_back_manims_own(plain):
    before = owners()
    assert len(before) == 5  # the SVG glyph, the encoder, the camera, the fade and the renderer
    speedups.install()
    assert speedups.installed() == speedups.NAMES
    replaced = registry.patched()
    now = {(owner, name): vars(owner)[name] for owner, name in replaced}
    speedups.install()
    assert registry.patched() == replaced and all(vars(o)[n] is f for (o, n), f in now.items())
    assert all(vars(owner)[name] is not before[owner].get(name) for owner, name in replaced)  # really patched
    own = {(owner, name): registry.manims_own(owner, name) for owner, name in replaced}
    speedups.uninstall()
    assert speedups.installed() == () and registry.patched() == []
    assert all(getattr(owner, name) is f for (owner, name), f in own.items())
    for owner, attrs in before.items():
        assert dict(vars(owner)) == attrs  # the same function objects, and nothing added (_Fade inherits begin)
        assert all(attrs[n].__module__.startswith("manim.") for o, n in replaced if o is owner and n in attrs)
    speedups.uninstall()  # idempotent too
    speedups.install()  # and it patches again
    assert registry.patched() == replaced and speedups.installed() == speedups.NAMES


def test_uninstall_empties_what_the_speedups_keep(plain, tmp_path):
    from manim import FadeIn, SVGMobject, Text
    from manim.camera.camera import Camera
    from manim.mobject.svg import svg_mobject

    from scenes.speedups import path_cache

    svg = tmp_path / "tri.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><path d="M0 0 L4 0 L2 3 Z"/></svg>')
    speedups.install()
    word = Text("kept", font_size=30)
    assert SVGMobject(str(svg))[0].path_obj is None  # built, and kept in manim's SVG cache, without its path
    Camera(pixel_width=160, pixel_height=90).capture_mobjects(word.family_members_with_points())
    fade = FadeIn(word)
    fade.begin()
    assert path_cache.TRACED and fade_layers.ACTIVE and svg_mobject.SVG_HASH_TO_MOB_MAP
    speedups.uninstall()
    assert not path_cache.TRACED and not fade_layers.ACTIVE and not svg_mobject.SVG_HASH_TO_MOB_MAP
    assert SVGMobject(str(svg))[0].path_obj is not None  # plain manim's shapes keep their paths
    assert Text("kept", font_size=30)[0].path_obj is not None


def test_only_and_plain_manim_hold_install_and_put_back_what_was_there(plain):
    speedups.install()
    with speedups.plain_manim():
        speedups.install()  # what a chapter's setup does: nothing, inside the block
        assert speedups.installed() == () and registry.patched() == []
    assert speedups.installed() == speedups.NAMES
    with speedups.only("fade_layers"):
        assert speedups.installed() == ("steady_fades", "fade_layers")  # it needs the steady fades
    speedups.uninstall()
    with speedups.only("held_frames"):
        pass
    assert speedups.installed() == ()
    fade_layers.install()
    speedups.install()  # some installed: all of them again, in the documented order
    assert speedups.installed() == speedups.NAMES
    with pytest.raises(ValueError, match="no speed-up named layers"), speedups.only("layers"):
        pass


def test_another_manim_gets_one_warning_and_no_patch(plain, monkeypatch):
    before = owners()
    monkeypatch.setattr(speedups, "manim_version", lambda: "0.19.1")
    monkeypatch.setattr(speedups, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        speedups.install()
        speedups.install()  # every scene's setup calls it
    assert len(caught) == 1 and caught[0].category is RuntimeWarning
    message = str(caught[0].message)
    assert "0.22.0" in message and "0.19.1" in message and "plain manim" in message
    assert speedups.installed() == () and registry.patched() == []
    assert all(dict(vars(owner)) == attrs for owner, attrs in before.items())


# --- a real chapter, with and without ----------------------------------------------------------

def render_chapter(media, names: tuple[str, ...] | None) -> dict:
    """Ch02Dataset's first :data:`PLAYS` animations at 480p15, silent.

    ``names=None`` lets the chapter's ``setup`` install the speed-ups, as a render does;
    otherwise exactly ``names`` are installed. Returns the sha1 of every decoded frame, the
    sha1 of every RGBA frame handed to the encoder with its repeat count (x264 may round away
    a small change), and how often the plays used a layered fade and a still background.
    """
    import av
    from manim.scene.scene_file_writer import SceneFileWriter

    from scenes.chapters import scene_class

    Ch02Dataset = scene_class("Ch02Dataset")

    used = {"layers": 0, "stills": 0, "written": []}

    class FirstBeats(Ch02Dataset):
        def play(self, *args, **kwargs):
            super().play(*args, **kwargs)
            used["stills"] += getattr(self.renderer, "stills", None) is not None

    blend, write = fade_layers._Layer.blend, SceneFileWriter.write_frame

    def counted(layer, camera):
        used["layers"] += 1
        blend(layer, camera)

    def written(writer, pixels, *, repeat=1):
        used["written"].append((hashlib.sha1(pixels.tobytes()).hexdigest(), repeat))
        write(writer, pixels, repeat=repeat)

    fade_layers._Layer.blend, SceneFileWriter.write_frame = counted, written
    try:
        with tempconfig({"quality": "low_quality", "disable_caching": True, "media_dir": str(media),
                         "upto_animation_number": PLAYS - 1, "verbosity": "ERROR", "progress_bar": "none"}):
            if names is None:
                speedups.uninstall()
                scene = FirstBeats()
                scene.render()
                assert speedups.installed() == speedups.NAMES
            else:
                with speedups.only(*names):
                    scene = FirstBeats()
                    scene.render()
            video = scene.renderer.file_writer.movie_file_path
    finally:
        fade_layers._Layer.blend, SceneFileWriter.write_frame = blend, write
    assert scene.renderer.num_plays == PLAYS
    with av.open(str(video)) as container:
        frames = [hashlib.sha1(f.to_ndarray(format="rgb24").tobytes()).hexdigest() for f in container.decode(video=0)]
    return {"frames": frames, **used}


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.delenv("ATTENTION_VOICE", raising=False)  # the silent chapter: beats last their reading time
    mp.delenv("ATTENTION_TIMELINE", raising=False)
    try:
        ways = {"all": None, "plain": ENCODER, "exact": EXACT, "layers": ("fade_layers", *ENCODER)}
        yield {way: render_chapter(tmp_path_factory.mktemp(way), names) for way, names in ways.items()}
    finally:
        speedups.uninstall()
        mp.undo()


def test_the_chapter_exercises_every_speedup(renders):
    frames = renders["all"]["frames"]
    assert len(frames) > 150 and len(set(frames)) > 20  # seconds of video, and it moves
    assert sum(a == b for a, b in itertools.pairwise(frames)) > 50  # held frames (waits, beats' pauses)
    assert sum(n for _, n in renders["all"]["written"]) == len(frames)
    assert sum(n > 1 for _, n in renders["all"]["written"]) >= 3  # the waits: handed over once, with a repeat count
    assert renders["all"]["layers"] > 10 and renders["all"]["stills"] >= 1
    assert renders["plain"]["layers"] == renders["exact"]["layers"] == 0 and renders["plain"]["stills"] == 0


def test_the_pixel_exact_speedups_give_manims_frames(renders):
    assert renders["exact"]["stills"] >= 1
    assert renders["exact"]["written"] == renders["plain"]["written"]
    assert renders["exact"]["frames"] == renders["plain"]["frames"]


def test_on_top_of_layered_fades_the_rest_change_no_frame(renders):
    assert renders["layers"]["stills"] == 0
    assert renders["all"]["written"] == renders["layers"]["written"]
    assert renders["all"]["frames"] == renders["layers"]["frames"]
    assert len(renders["all"]["frames"]) == len(renders["plain"]["frames"])  # the layers change pixels, not time
