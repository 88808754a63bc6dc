"""Still mobjects drawn above a moving one go into the background when they do not touch it.

Before an animation, manim's Cairo renderer draws the mobjects that will not move into a
background picture once, and then draws the rest again on every frame. "The rest" is
everything from the first moving mobject on, in drawing order: a still mobject drawn
after a moving one must stay on top of it, so manim redraws it every frame too. Every
beat fades the previous caption out, and the caption was added before the slide's newer
content, so for the length of each caption swap the slide's content is drawn again and
again although nothing in it moves. Over a chapter about a fifth of the shapes drawn per
frame were such passengers (Ch06, Ch09, Ch10; a third in Ch13).

:func:`install` puts a passenger into the background picture unless something drawn
every frame touches it from before it in drawing order. What comes after it is painted over
it anyway, as it is in manim's frame; what comes before it and touches it would be painted
over it if it were in the background. Shapes whose boxes are apart, each box grown by the
widest possible stroke (a mitred corner reaches five line widths out) and two pixels of
antialiasing, colour disjoint sets of pixels, so their order changes nothing: the frame is
manim's to the last bit. Which passengers qualify is decided when the animation begins; on
every frame the moving mobjects' boxes are measured again (one box per animation or
updater, around all its parts), and when one of them reaches a baked passenger from before
it, that passenger (and any baked one it in turn touches from before) comes out and the
background is drawn again. Past a few such re-bakes a frame is drawn manim's way, from
manim's own background.

Measured at 1080p60 on the 2-core machine, frames checked identical to manim's in every
chapter: Ch13's main thread 80.2 s -> 69.0 s of CPU (wall 112 s -> 94 s), Ch06's
95.7 s -> 84.9 s (wall 151 s -> 134 s).

What moves is what manim would move: the families of the animations' mobjects, of every
mobject with an updater, and of the foreground mobjects. Like manim's own background, this
trusts an animation or updater to change only its own family. A play whose mobjects are not
all vector shapes, or with a camera that moves its points, is left to manim.
"""
from __future__ import annotations

from . import display_list, registry

MITRE_REACH = 5.0  # Cairo's default mitre limit is 10: a corner reaches limit/2 line widths out
AA_PIXELS = 2.0  # antialiasing and rounding, in pixels


def _margin(camera, members) -> float:
    """Half of what any of ``members``' strokes can add to their points' box, plus antialiasing, in scene units."""
    widest = max((max(m.stroke_width, m.background_stroke_width) for m in members), default=0.0)
    return (MITRE_REACH * widest * camera.cairo_line_width_multiple
            + AA_PIXELS * camera.frame_width / camera.pixel_width)


def _box(camera, members):
    """(x0, y0, x1, y1) around the points of ``members`` (each with points), grown by :func:`_margin`."""
    import numpy as np

    pts = members[0].points if len(members) == 1 else np.concatenate([m.points for m in members])
    lo, hi, grow = pts[:, :2].min(axis=0), pts[:, :2].max(axis=0), _margin(camera, members)
    return np.array([lo[0] - grow, lo[1] - grow, hi[0] + grow, hi[1] + grow])


def _touching(boxes, others, later=None):
    """For each row of ``boxes`` (n x 4), whether it overlaps a row of ``others`` (m x 4).

    With ``later`` (n x m booleans), only the pairs where it is True count.
    """
    import numpy as np

    if len(boxes) == 0 or len(others) == 0:
        return np.zeros(len(boxes), dtype=bool)
    b, o = boxes[:, None, :], others[None, :, :]
    hit = (b[..., 0] <= o[..., 2]) & (o[..., 0] <= b[..., 2]) & (b[..., 1] <= o[..., 3]) & (o[..., 1] <= b[..., 3])
    return (hit if later is None else hit & later).any(axis=1)


class Stills:
    """The passengers of one animation, which of them are in the background now, and that background.

    A passenger may be in the background only if nothing drawn every frame both touches it
    and comes before it in drawing order (what comes after it is painted over it anyway).
    """

    MAX_BAKES = 6  # per animation; past that, a frame that needs another is drawn manim's way

    def __init__(self, camera, base, passengers: list, group_of: dict, play: int):
        import numpy as np

        self.base, self.passengers, self.group_of, self.play = base, passengers, group_of, play
        self.boxes = np.array([_box(camera, [m]) for m in passengers])  # each passenger's own box
        self.out = np.zeros(len(passengers), dtype=bool)  # drawn every frame, not baked
        self.ids: set = set()  # the baked passengers
        self.image = None  # base with the baked passengers drawn on it
        self.bakes = 0

    def moving_boxes(self, camera, drawn: list, place: dict):
        """One box per animation or updater around its parts among ``drawn`` (anything else: one each),
        and the first place in drawing order (``place``: id -> index) of each one's parts.

        None if ``drawn`` holds an image or a point cloud (added during the play).
        """
        import numpy as np
        from manim.mobject.mobject import Mobject
        from manim.mobject.types.vectorized_mobject import VMobject

        groups: dict = {}
        for m in drawn:
            kind = camera.type_or_raise(m)
            if kind is VMobject:
                groups.setdefault(self.group_of.get(id(m), id(m)), []).append(m)
            elif kind is not Mobject:  # a plain Mobject (a ValueTracker) draws nothing
                return None
        boxes = np.array([_box(camera, g) for g in groups.values()]).reshape(-1, 4)
        return boxes, np.array([min(place[id(m)] for m in g) for g in groups.values()], dtype=int)

    def reached(self, moving, places, mine) -> "np.ndarray":
        """Which passengers a moving box reaches from before them in drawing order (``mine``: their places)."""
        return _touching(self.boxes, moving, places[None, :] < mine[:, None])

    def bake(self, camera, moving, places, mine) -> bool:
        """Take out of the background each passenger that a moving box or a passenger taken out
        reaches from before it; draw the background again. False if none is left (or bakes are used up)."""
        import numpy as np

        if self.bakes >= self.MAX_BAKES:
            return False
        self.bakes += 1
        out = self.out | self.reached(moving, places, mine)
        new = out & ~self.out
        while new.any():  # what is drawn every frame is drawn over what was baked
            more = ~out & _touching(self.boxes, self.boxes[new], mine[new][None, :] < mine[:, None])
            out |= more
            new = more
        self.out = out
        good = [m for m, o in zip(self.passengers, out) if not o]
        self.ids = {id(m) for m in good}
        if not good:
            self.image = None
            return False
        self.image = np.array(self.base, dtype=camera.pixel_array.dtype)  # a copy, drawn on
        display_list.draw(camera, good, self.image)
        camera.pixel_array_to_cairo_context.pop(id(self.image), None)
        return True

    def frame(self, camera, shown: list):
        """What to draw over :attr:`image` on this frame (``shown``: all the camera would draw), or None
        to draw it manim's way."""
        import numpy as np

        if self.image is None:
            return None
        drawn = [m for m in shown if id(m) not in self.ids]
        if len(drawn) + len(self.ids) != len(shown):  # a baked passenger left the scene (shown has no repeats)
            return None
        place = {id(m): k for k, m in enumerate(shown)}
        found = self.moving_boxes(camera, drawn, place)
        if found is None:
            return None
        mine = np.array([place.get(id(m), -1) for m in self.passengers])
        if self.reached(*found, mine)[~self.out].any():  # a moving box came over a baked passenger
            if not self.bake(camera, *found, mine):
                return None
            drawn = [m for m in shown if id(m) not in self.ids]
        return drawn


def _animations(animations):
    """Every animation, the parts of groups after the group (so the innermost one names a mobject's group)."""
    out = []
    for a in animations:
        out.append(a)
        out.extend(_animations(getattr(a, "animations", [])))
    return out


def plan(renderer, scene, shown: list):
    """The :class:`Stills` for the animation now beginning, or None if nothing qualifies.

    ``shown`` is what the camera will draw every frame (manim's moving mobjects, flattened).
    """
    import numpy as np
    from manim.camera.camera import Camera
    from manim.mobject.mobject import Mobject
    from manim.mobject.types.vectorized_mobject import VMobject

    camera = renderer.camera
    if type(camera).transform_points_pre_display is not Camera.transform_points_pre_display or not shown:
        return None
    kinds = {id(m): camera.type_or_raise(m) for m in shown}
    if not all(kinds[id(m)] is Mobject or (kinds[id(m)] is VMobject and not m.get_background_image()) for m in shown):
        return None  # images and point clouds are left to manim
    shown = [m for m in shown if kinds[id(m)] is VMobject]  # a plain Mobject (a ValueTracker) draws nothing
    group_of: dict = {}
    for k, anim in enumerate(_animations(scene.animations)):
        for m in anim.mobject.get_family():
            group_of[id(m)] = k  # the innermost animation wins
    for mob in scene.get_mobject_family_members():
        if mob.updaters or mob in scene.foreground_mobjects:
            for m in mob.get_family():
                group_of.setdefault(id(m), ("updater", id(mob)))
    passengers = [m for m in shown if id(m) not in group_of]
    base = renderer.static_image if renderer.static_image is not None else camera.background
    if not passengers or np.shape(base) != camera.pixel_array.shape:
        return None
    stills = Stills(camera, base, passengers, group_of, renderer.num_plays)
    place = {id(m): k for k, m in enumerate(shown)}
    found = stills.moving_boxes(camera, [m for m in shown if id(m) in group_of], place)
    mine = np.array([place[id(m)] for m in passengers])
    return stills if stills.bake(camera, *found, mine) else None


@registry.speedup
def install() -> None:
    """Patch manim's ``CairoRenderer.save_static_frame_data`` and ``update_frame`` as described above.

    Each frame it hands the camera the flat list of what to draw over the background, as
    manim's ``capture_mobjects`` takes it with ``include_submobjects=False``. The plan for
    the play now running lives on the renderer (``renderer.stills``).
    """
    from manim.renderer.cairo_renderer import CairoRenderer

    def save_static_frame_data(self, scene, static_mobjects):
        out = save(self, scene, static_mobjects)
        self.stills = None
        if not self.skip_animations and not scene.is_current_animation_frozen_frame():
            shown = display_list.kept(self.camera, scene.moving_mobjects, {"include_submobjects": True})
            self.stills = plan(self, scene, shown)
        return out

    def update_frame(self, scene, mobjects=None, include_submobjects=True, ignore_skipping=True, **kwargs):
        stills = self.__dict__.get("stills")
        if (stills is None or stills.play != self.num_plays or mobjects is not scene.moving_mobjects
                or not include_submobjects or kwargs or (self.skip_animations and not ignore_skipping)):
            return update(self, scene, mobjects, include_submobjects, ignore_skipping, **kwargs)
        shown = display_list.kept(self.camera, mobjects, {"include_submobjects": True})
        drawn = stills.frame(self.camera, shown)
        if drawn is None:
            return update(self, scene, mobjects, include_submobjects, ignore_skipping, **kwargs)
        self.camera.set_frame_to_background(stills.image)
        self.camera.capture_mobjects(drawn, include_submobjects=False)  # already flat, in drawing order

    save = registry.replace(CairoRenderer, "save_static_frame_data", save_static_frame_data)
    update = registry.replace(CairoRenderer, "update_frame", update_frame)
