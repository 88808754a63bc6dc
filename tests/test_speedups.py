"""The renderer speed-ups (scenes/speedups) give manim's own bytes and pixels, one by one: glyphs
without their sources, held frames, cached Cairo paths, steady and layered fades and the kept
display list. Each is compared with manim's own methods (``speedups.plain_manim``,
``registry.manims_own``); tests/test_speedups_install.py renders a chapter with all of them."""
from __future__ import annotations

from contextlib import ExitStack

import numpy as np
import pytest
from kit_fixtures import private_media  # noqa: F401  (autouse: a private media folder)
from manim import RIGHT, Text, VGroup

from scenes import speedups
from scenes.speedups import fade_layers, registry


@pytest.fixture
def using():
    """``using("path_cache")``: exactly those speed-ups for the rest of the test, then what was there before."""
    with ExitStack() as stack:
        yield lambda *names: stack.enter_context(speedups.only(*names))


def test_dropping_glyph_sources_keeps_every_point(using):
    from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

    from scenes.speedups import glyph_sources

    with speedups.plain_manim():
        before = Text("Attention, 0.25", font_size=30)
    using("glyph_sources")
    patched = VMobjectFromSVGPath.generate_points
    glyph_sources.install()  # installed already: it must not wrap itself again
    assert VMobjectFromSVGPath.generate_points is patched
    assert patched is not registry.manims_own(VMobjectFromSVGPath, "generate_points")
    after = Text("Attention, 0.25", font_size=30)
    assert all(g.path_obj is not None for g in before)
    assert all(g.path_obj is None for g in after) and len(after) == len(before)
    for a, b in zip(before, after):
        assert np.array_equal(a.points, b.points)



def test_held_frames_converted_once_give_the_same_bytes(tmp_path, using):
    """The patched encoder writes exactly the video manim's own encoder writes, and is idempotent."""
    from fractions import Fraction

    from manim._config.video_encoder import VideoEncoderSpec
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    from scenes.speedups import held_frames

    spec = VideoEncoderSpec(container_format="mp4", codec="libx264", pixel_format="yuv420p", width=320, height=180,
                            frame_rate=Fraction(30), options=(("preset", "veryfast"), ("crf", "20")))
    rng = np.random.default_rng(5)
    frames = [np.ascontiguousarray(rng.integers(0, 256, (180, 320, 4), dtype=np.uint8)) for _ in range(3)]
    for f in frames:
        f[..., 3] = 255

    def encode(path):
        enc = VideoSegmentEncoder(target=path, spec=spec)
        for f, repeat in zip(frames, (1, 7, 4)):  # a moving frame, then two held ones
            enc.write_frame(f, repeat=repeat)
        enc.finish()
        return path.read_bytes()

    with speedups.plain_manim():  # a chapter run earlier in this process may have patched it
        original = VideoSegmentEncoder.write_frame
        reference = encode(tmp_path / "manim.mp4")
    using("held_frames")
    patched = VideoSegmentEncoder.write_frame
    held_frames.install()  # installed already: it must not wrap itself again
    assert VideoSegmentEncoder.write_frame is patched and patched is not original
    assert encode(tmp_path / "once.mp4") == reference


def test_cached_cairo_paths_draw_the_same_pixels(using):
    """Paths traced once and appended again give every pixel manim's own tracing gives."""
    from manim import BLUE, DOWN, LEFT, RED, UP, Annulus, Circle, Line, Square, Text
    from manim.camera.camera import Camera

    from scenes.speedups import path_cache

    shapes = VGroup(Text("Bag of words: 0.137 → gut", font_size=40), Circle(radius=1.3).set_fill(RED, 0.5),
                    Line(LEFT * 3, RIGHT * 2 + UP), Square().set_stroke(width=9),
                    Annulus(inner_radius=0.5, outer_radius=1).set_fill(BLUE, 0.8)).arrange(DOWN)

    def draw():
        cam = Camera(pixel_width=480, pixel_height=270)
        cam.capture_mobjects(shapes.family_members_with_points())
        return cam.pixel_array.copy()

    with speedups.plain_manim():
        reference = draw()
    using("path_cache")
    patched = Camera.set_cairo_context_path
    path_cache.install()  # installed already: it must not wrap itself again
    assert Camera.set_cairo_context_path is patched
    assert patched is not registry.manims_own(Camera, "set_cairo_context_path")
    assert not path_cache.TRACED
    first = draw()  # traces every shape and keeps it
    kept = len(path_cache.TRACED)
    assert kept == len(shapes.family_members_with_points())
    second = draw()  # draws only kept paths
    assert len(path_cache.TRACED) == kept
    assert reference.std() > 10  # the frame is not blank
    assert np.array_equal(first, reference) and np.array_equal(second, reference)
    shapes[1].shift(RIGHT * 0.25)  # moved points are a new path, not the old one
    moved = draw()
    assert len(path_cache.TRACED) == kept + 1 and not np.array_equal(moved, reference)
    speedups.uninstall()
    assert not path_cache.TRACED  # emptied with the patch


def test_steady_fades_keep_the_points_and_fade_the_colours(using):
    """A plain fade leaves the points as they are and fades the colours; other fades keep manim's way."""
    from manim import DOWN, RED, UP, Circle, FadeIn, Group, ValueTracker

    using("steady_fades")
    shapes = VGroup(Text("Bag of words: 0.137 → gut", font_size=40), Circle(radius=1.3).set_fill(RED, 0.5))
    shapes.arrange(DOWN)
    glyphs = shapes[0].family_members_with_points()
    fade = FadeIn(shapes[0])
    fade.begin()
    before = [g.points for g in glyphs]
    fade.interpolate(0.5)
    assert fade.points_stay
    assert all(g.points is p for g, p in zip(glyphs, before))  # manim would set new arrays each frame
    assert all(0.2 < g.get_fill_opacity() < 0.8 for g in glyphs)
    fade.interpolate(1.0)
    assert all(g.get_fill_opacity() == 1 for g in glyphs)
    tracked = FadeIn(Group(shapes[0], ValueTracker(3)))  # a tracker's one point is its value: manim's way
    tracked.begin()
    tracked.interpolate(0.5)
    assert not tracked.points_stay
    moving = FadeIn(shapes[1], shift=UP)  # a fade that moves its mobject still moves it
    moving.begin()
    moving.interpolate(0.0)
    assert not moving.points_stay and shapes[1].get_y() < shapes[0].get_y() - 1


def test_layered_fades_blend_manims_picture(using):
    """A plain fade blended as one picture gives manim's frames; a fade drawn apart falls back to manim's."""
    from manim import BLUE, DOWN, LEFT, RED, UP, Circle, FadeIn, FadeOut, Square, Text
    from manim.animation.fading import _Fade
    from manim.camera.camera import Camera

    using("fade_layers")
    begin = _Fade.begin
    fade_layers.install()  # installed already: it must not wrap itself again
    assert _Fade.begin is begin and speedups.installed() == ("steady_fades", "fade_layers")
    own_capture = registry.manims_own(Camera, "capture_mobjects")
    apart = [Text("gut 0.137", font_size=40).to_edge(UP), Circle(radius=0.8).set_fill(RED, 0.5).set_stroke(width=0).to_edge(LEFT),
             Square().set_stroke(BLUE, width=6).to_edge(RIGHT), Text("→ positive", font_size=30).to_edge(DOWN)]
    group = VGroup(*apart)

    def frames(fade, alphas, reference: bool, shown=None):
        shown = [group] if shown is None else shown
        out = []
        for alpha in alphas:
            fade.interpolate(alpha)
            cam = Camera(pixel_width=480, pixel_height=270)
            if reference:
                fade.layer, layer = None, fade.layer  # manim's own per-part interpolation
                fade.interpolate(alpha)
                own_capture(cam, shown)
                fade.layer = layer
            else:
                cam.capture_mobjects(shown)
            out.append(cam.pixel_array.astype(int))
        return out

    for kind in (FadeIn, FadeOut):
        fade = kind(group)
        fade.begin()
        assert fade.layer in fade_layers.ACTIVE
        alphas = [0.2, 0.5, 0.8]
        mine, theirs = frames(fade, alphas, False), frames(fade, alphas, True)
        for a, b in zip(mine, theirs):
            assert b.std() > 3  # something is on screen
            assert np.abs(a - b).max() <= 2  # 8-bit rounding of the layer, nothing more
        assert np.abs(mine[0] - mine[2]).max() > 50  # the opacity really changes
        fade.finish()
        assert fade.layer is None and not fade_layers.ACTIVE
        assert all(m.get_fill_opacity() == (1 if kind is FadeIn else 0) for m in apart[0].family_members_with_points())
        if kind is FadeOut:
            fade.interpolate(0)  # FadeOut's clean-up puts the full mobject back, as manim does
            assert apart[0][0].get_fill_opacity() == 1

    # Parts that overlap (a stroke on its own fill) fade as one picture: manim lets the fill show through
    # the stroke halfway. Only the stroke's ring differs by more than rounding.
    ring = VGroup(Circle(radius=1.5).set_fill(RED, 0.5).set_stroke(BLUE, width=8))
    fade = FadeIn(ring)
    fade.begin()
    [mine], [theirs] = frames(fade, [0.5], False, [ring]), frames(fade, [0.5], True, [ring])
    fade.finish()
    ys, xs = np.nonzero(np.abs(mine - theirs).max(axis=2) > 2)
    assert len(ys) > 0  # the two ways differ here, and only on the ring
    radius_px = 1.5 * 270 / 8  # frame height 8 units over 270 pixels
    dist = np.hypot(xs + 0.5 - 240, ys + 0.5 - 135)
    assert np.all(np.abs(dist - radius_px) < 3)

    # Drawn apart: another mobject sits between the fade's parts in z-order, so the frame is manim's own.
    other = Square(side_length=5).set_fill(BLUE, 0.6).set_z_index(1)
    apart[3].set_z_index(2)
    fade = FadeIn(group)
    fade.begin()
    [mine], [theirs] = frames(fade, [0.5], False, [group, other]), frames(fade, [0.5], True, [group, other])
    assert np.array_equal(mine, theirs)
    fade.finish()
    apart[3].set_z_index(0)

    # Fades that are not one picture at one opacity keep manim's way.
    for fade in (FadeIn(group, shift=UP), FadeIn(group, lag_ratio=0.3), FadeOut(group, scale=0.5)):
        fade.begin()
        assert fade.layer is None
        fade.finish()
    ticking = Circle().add_updater(lambda m, dt: m)
    fade = FadeIn(VGroup(ticking))
    fade.begin()
    assert fade.layer is None
    fade.finish()
    assert not fade_layers.ACTIVE


def test_kept_display_list_follows_every_family_change(using):
    """The camera's kept list of what to draw is worked out again whenever a family changes, at any depth."""
    from manim import BLUE, LEFT, RED, Circle, Dot, Square, VMobject
    from manim.camera.camera import Camera
    from manim.utils.family import extract_mobject_family_members

    using("fade_layers")
    own_capture = registry.manims_own(Camera, "capture_mobjects")
    inner = VGroup(Square().shift(LEFT * 2))
    root = VGroup(inner, Circle().set_fill(RED, 0.5))
    moving = extract_mobject_family_members([root], use_z_index=True)  # what manim hands over each frame
    cam, ref = Camera(pixel_width=320, pixel_height=180), Camera(pixel_width=320, pixel_height=180)

    def same_as_manim() -> bool:
        cam.reset(), ref.reset()
        cam.capture_mobjects(moving, include_submobjects=True)
        own_capture(ref, moving, include_submobjects=True)
        return np.array_equal(cam.pixel_array, ref.pixel_array)

    assert same_as_manim()
    kept = cam._shown_kept
    assert same_as_manim() and cam._shown_kept is kept  # nothing changed: the kept list is used
    late = VGroup()
    inner.add(late)  # a child added ...
    assert same_as_manim() and cam._shown_kept is not kept
    late.add(Dot(RIGHT * 3, radius=0.3).set_color(BLUE))  # ... and a grandchild under it, a frame later
    assert same_as_manim()
    blank = cam.pixel_array.copy()
    inner.submobjects[0] = Square(side_length=0.5)  # a child replaced in place
    assert same_as_manim() and not np.array_equal(cam.pixel_array, blank)
    root[1].set_points(np.zeros((0, 3)))  # a member emptied of its points
    assert same_as_manim()
    grown = VMobject()
    inner.add(grown)
    assert same_as_manim()
    grown.set_points_as_corners([[0, 0, 0], [2, 1, 0], [1, 2, 0]])  # a member given points
    assert same_as_manim()
    inner.submobjects[0].set_z_index(-1)  # drawing order changed
    assert same_as_manim()
