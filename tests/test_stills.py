"""Still mobjects baked into the background (scenes/speedups/still_background.py) leave every frame as
manim draws it.

Each scene here is rendered twice at a small size, with the drawing speed-ups a chapter installs,
once with the still background and once without it (manim's own renderer methods), and every frame
handed to the encoder is compared byte for byte.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pytest
from manim import (BLUE, DOWN, LEFT, RED, RIGHT, UP, Circle, DecimalNumber, Dot, FadeIn, FadeOut, PointCloudDot,
                   Scene, Square, Text, ValueTracker, VGroup, tempconfig)
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter

from scenes import speedups
from scenes.speedups import registry, still_background

DRAWING = ("path_cache", "steady_fades", "fade_layers")  # what draws the frames in a chapter, besides the stills


@pytest.fixture(autouse=True)
def chapter_patches():
    """The drawing speed-ups a chapter's setup installs, in its order, the still background last."""
    with speedups.only(*DRAWING, "still_background"):
        still_background.install()  # idempotent: it must not wrap itself again
        assert speedups.installed() == (*DRAWING, "still_background")
        assert registry.manims_own(CairoRenderer, "update_frame") is not CairoRenderer.update_frame
        yield


def manims_way():
    """The same drawing speed-ups without the still background (manim's own renderer methods), for the reference."""
    return speedups.only(*DRAWING)


def render(cls, tmp_path, reference: bool):
    """Render ``cls`` at 320x180, 15 fps; return (frame digests, frame arrays sampled, the scene)."""
    digests, samples = [], []
    own = SceneFileWriter.write_frame

    def write_frame(self, pixels, *, repeat=1):
        digests.append((hashlib.blake2b(pixels.tobytes(), digest_size=16).digest(), repeat))
        samples.append(np.array(pixels))
        own(self, pixels, repeat=repeat)

    SceneFileWriter.write_frame = write_frame
    try:
        with tempconfig({"pixel_width": 320, "pixel_height": 180, "frame_rate": 15, "disable_caching": True,
                         "media_dir": str(tmp_path), "verbosity": "ERROR",
                         "progress_bar": "none"}):
            scene = cls()
            if reference:
                with manims_way():
                    scene.render()
            else:
                scene.render()
    finally:
        SceneFileWriter.write_frame = own
    return digests, samples, scene


class Recorded(Scene):
    """Keeps, after each play, what the patch baked (the renderer's plan for that play)."""

    def setup(self):
        self.plans = []

    def play(self, *args, **kwargs):
        super().play(*args, **kwargs)
        plan = getattr(self.renderer, "stills", None)
        self.plans.append(None if plan is None else (set(plan.ids), plan.bakes, list(plan.passengers)))


def ids(mob) -> set:
    return {id(m) for m in mob.family_members_with_points()}


class CaptionSwap(Recorded):
    """The chapters' beat: the caption added before the slide's content fades out and a new one in."""

    def construct(self):
        caption = Text("the first caption", font_size=30).to_edge(DOWN)
        self.add(caption)
        self.content = VGroup(Square().set_fill(RED, 0.5), Text("gut 0.137", font_size=36),
                              Circle(radius=0.6).set_stroke(BLUE, width=8)).arrange(RIGHT).shift(UP)
        self.add(self.content)
        self.play(FadeOut(caption), FadeIn(Text("the next one", font_size=30).to_edge(DOWN)), run_time=0.6)


class SweepThrough(Recorded):
    """A dot drawn before a square sweeps across it: the square must come out of the background."""

    def construct(self):
        self.dot = Dot(LEFT * 5 + DOWN, radius=0.4).set_color(RED)
        self.add(self.dot)
        self.block = Square(side_length=1.2).set_fill(BLUE, 1).shift(DOWN)
        self.far = Text("far away", font_size=30).to_edge(UP)
        self.add(self.block, self.far)
        self.play(self.dot.animate.shift(RIGHT * 10), run_time=1)


class Overlapping(Recorded):
    """A square drawn over a circle that changes colour: it touches the circle from after, so it stays out."""

    def construct(self):
        self.circle = Circle(radius=1.2).set_fill(RED, 0.6)
        self.square = Square(side_length=1.4).set_fill(BLUE, 0.7).shift(RIGHT * 0.8)
        self.after_far = Text("apart", font_size=30).to_edge(UP)
        self.add(self.circle, self.square, self.after_far)
        self.play(self.circle.animate.set_color(RED).set_fill(RED, 1).scale(1.1), run_time=0.6)


class Tracked(Recorded):
    """A number driven by a tracker through an updater; a label after it, apart, is a passenger."""

    def construct(self):
        tracker = ValueTracker(0)
        self.number = DecimalNumber(0, num_decimal_places=2).shift(LEFT * 2)
        self.number.add_updater(lambda m: m.set_value(tracker.get_value()))
        self.label = Text("= weight", font_size=30).shift(RIGHT * 3 + UP * 2)
        self.add(self.number, self.label)
        self.play(tracker.animate.set_value(7.5), run_time=0.6)


class WithPoints(Recorded):
    """A point cloud on stage (manim 0.22's Cairo camera cannot paste images here): the play is left to manim."""

    def construct(self):
        self.add(Text("before", font_size=30).to_edge(UP))
        moving = Dot(LEFT * 3)
        self.add(moving, PointCloudDot(radius=0.8, stroke_width=4).to_edge(DOWN))
        self.play(moving.animate.shift(RIGHT * 3), run_time=0.4)


@pytest.mark.parametrize("cls", [CaptionSwap, SweepThrough, Overlapping, Tracked, WithPoints])
def test_frames_are_manims_own(cls, tmp_path):
    mine, frames, scene = render(cls, tmp_path / "mine", reference=False)
    theirs, _, _ = render(cls, tmp_path / "theirs", reference=True)
    assert len(mine) >= 6 and mine == theirs
    assert frames[0].std() > 5 and not np.array_equal(frames[0], frames[-1])  # something is shown, and it moves
    assert len(scene.plans) == 1


def test_a_caption_swap_bakes_the_slide(tmp_path):
    _, _, scene = render(CaptionSwap, tmp_path, reference=False)
    [(baked, bakes, passengers)] = scene.plans
    assert baked == ids(scene.content) == {id(m) for m in passengers}
    assert bakes == 1


def test_a_sweep_takes_what_it_reaches_out_of_the_background(tmp_path):
    _, _, scene = render(SweepThrough, tmp_path, reference=False)
    [(baked, bakes, passengers)] = scene.plans
    assert ids(scene.block) | ids(scene.far) == {id(m) for m in passengers}
    assert bakes == 2  # baked at the start, baked again without the square when the dot reached it
    assert baked == ids(scene.far)


def test_a_passenger_on_a_moving_shape_stays_out(tmp_path):
    _, _, scene = render(Overlapping, tmp_path, reference=False)
    [(baked, bakes, _)] = scene.plans
    assert baked == ids(scene.after_far) and not baked & ids(scene.square)


def test_an_updaters_mobject_moves_and_its_neighbour_does_not(tmp_path):
    _, _, scene = render(Tracked, tmp_path, reference=False)
    [(baked, _, passengers)] = scene.plans
    assert baked == ids(scene.label) == {id(m) for m in passengers}


def test_a_point_cloud_leaves_the_play_to_manim(tmp_path):
    _, _, scene = render(WithPoints, tmp_path, reference=False)
    assert scene.plans == [None]
