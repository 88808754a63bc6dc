"""A plain fade draws its mobject once, then blends that picture in or out.

Manim fades a group by giving each of its submobjects the same opacity, frame by frame:
it interpolates every submobject's colours, then Cairo traces and fills every glyph
again at the new opacity. A caption is a hundred glyphs and a matrix on screen is
thousands, and every beat of every chapter fades its caption in and the last one out, so
in a profile of Ch10 at 1080p60 the fades' colour interpolation alone took a sixth of
the main thread.

:func:`layered_fades` draws the fading mobject once, at full opacity, onto a transparent
layer the size of the frame, and for each frame of the fade blends that layer onto the
frame with the fade's opacity (Cairo's ``paint_with_alpha``, clipped to the layer's
box). Where the group's parts do not overlap this is manim's picture: a shape at opacity
``a·o`` over the background is what a layer holding it at ``o`` gives when blended at
``a``, up to 8-bit rounding. Where the parts overlap (a number on a coloured cell, a
stroke on its own fill), the group now fades as one picture, the way a layer fades in a
video editor; manim's per-part fade lets the lower part show through the upper one
halfway. When the fade ends, the mobject is exactly as manim leaves it: ``begin`` and
``finish`` still run manim's own interpolation.

A fade is drawn this way only when it is plain: no shift, no scale, no lag between its
parts, points that stay still (:func:`scenes.common.paths.steady_fades`), only vector
shapes without background images, no updaters, and a faded side that differs from the
full side only in opacity. If its parts ever stop being drawn one after the other (another
moving mobject drawn between them), that frame falls back to manim's interpolation.

The same patch of the camera keeps its list of what to draw from frame to frame while the
families it came from stay the same (:func:`_shown`). Together, on Ch10 at 1080p60, the main
thread went from 46.6 s to 24.9 s of CPU, and the chapter from 66.6 s to 50.1 s of wall time.
"""
from __future__ import annotations

ACTIVE: list = []  # the layered fades now playing, in the order they began


def _draw(camera, mobjects: list, pixel_array) -> None:
    """Draw ``mobjects`` in order onto ``pixel_array``, in runs of one type (the body of manim's ``capture_mobjects``)."""
    import itertools as it

    for kind, group in it.groupby(mobjects, camera.type_or_raise):
        camera.display_funcs[kind](list(group), pixel_array)


class _Layer:
    """One fade's picture: its parts' ids, the full-opacity copy and, once drawn, the pixels."""

    def __init__(self, fade, full, fade_in: bool):
        self.fade, self.full, self.fade_in = fade, full, fade_in
        self.ids = {id(m) for m in fade.mobject.family_members_with_points()}
        self.opacity: float | None = None  # set per frame; None until the first frame after begin
        self.alpha = 0.0  # the fade's own alpha for that frame, for the fallback
        self.pixels = self.surface = self.box = None

    def draw(self, camera) -> None:
        import cairo
        import numpy as np

        arr = np.zeros_like(camera.pixel_array)
        _draw(camera, camera.get_mobjects_to_display([self.full]), arr)
        camera.pixel_array_to_cairo_context.pop(id(arr), None)
        alpha = arr[:, :, 3]
        rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
        self.box = None if len(rows) == 0 else (int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1),
                                                int(rows[-1] - rows[0] + 1))
        h, w = arr.shape[:2]
        self.pixels = arr  # the surface reads this memory
        self.surface = cairo.ImageSurface.create_for_data(arr.data, cairo.FORMAT_ARGB32, w, h)

    def blend(self, camera) -> None:
        if self.surface is None:
            self.draw(camera)
        if self.box is None or self.opacity <= 0:
            return
        ctx = camera.get_cairo_context(camera.pixel_array)
        ctx.save()
        ctx.identity_matrix()
        ctx.rectangle(*self.box)
        ctx.clip()
        ctx.set_source_surface(self.surface, 0, 0)
        ctx.paint_with_alpha(self.opacity)
        ctx.restore()


def _eligible(fade, fade_in: bool) -> bool:
    """True if ``fade`` (after ``begin``) is one picture blended at one opacity."""
    import numpy as np
    from manim.mobject.types.vectorized_mobject import VMobject

    if not getattr(fade, "points_stay", False) or fade.lag_ratio != 0:
        return False
    for live, start, end in fade.get_all_families_zipped():
        if not all(isinstance(m, VMobject) for m in (live, start, end)):
            return False
        if live.updaters or live.get_background_image() or start.get_background_image():
            return False
        full, faded = (end, start) if fade_in else (start, end)
        for attr in ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas"):
            a, b = getattr(full, attr), getattr(faded, attr)
            if a.shape != b.shape or np.any(b[:, 3] != 0) or not np.array_equal(a[:, :3], b[:, :3]):
                return False
        if full.stroke_width != faded.stroke_width or full.background_stroke_width != faded.background_stroke_width:
            return False
    return True


def _shown(camera, mobjects, kwargs: dict) -> list:
    """``camera.get_mobjects_to_display(mobjects)``, worked out again only when the family changes.

    During an animation manim hands the camera the same list of moving mobjects for every
    frame, already flattened to all their descendants, and the camera walks every family
    in it again: about 9 ms a frame for a 16 × 16 heatmap. Here the answer is kept with a
    fingerprint of every mobject in those families: its identity, its children, whether it
    has points, and its z-index. Any change to those (a child added, replaced or emptied,
    at any depth) makes it walk the families again.
    """
    from manim.utils.family import extract_mobject_family_members

    if not isinstance(mobjects, list) or kwargs.get("excluded_mobjects") or not kwargs.get("include_submobjects", True):
        return camera.get_mobjects_to_display(mobjects, **kwargs)

    def mark(family: list) -> list:
        return [(id(m), tuple(map(id, m.submobjects)), len(m.points), m.z_index) for m in family]

    kept = camera.__dict__.get("_shown_kept")
    if kept is not None and kept[0] is mobjects and kept[2] == mark(kept[1]):
        return kept[3]
    family = extract_mobject_family_members(mobjects)  # every descendant, so a grandchild added later is seen
    shown = camera.get_mobjects_to_display(mobjects, **kwargs)
    camera._shown_kept = (mobjects, family, mark(family), shown)
    return shown


def layered_fades() -> None:
    """Patch manim's fades and Cairo camera as described above (idempotent; chapters call it in ``setup``).

    Needs :func:`scenes.common.paths.steady_fades` installed first: it decides ``points_stay``.
    """
    from manim.animation.fading import FadeIn, FadeOut, _Fade
    from manim.camera.camera import Camera

    if getattr(_Fade.begin, "layers", False):
        return
    begin, finish, per_frame = _Fade.begin, _Fade.finish, _Fade.interpolate_mobject
    capture = Camera.capture_mobjects

    def layered_begin(self) -> None:
        begin(self)
        self.layer = None
        fade_in = isinstance(self, FadeIn)
        if (fade_in or isinstance(self, FadeOut)) and _eligible(self, fade_in):
            self.layer = _Layer(self, self.target_copy if fade_in else self.starting_mobject, fade_in)
            ACTIVE.append(self.layer)

    def layered_finish(self) -> None:
        layer = getattr(self, "layer", None)
        if layer is not None:
            ACTIVE.remove(layer)
            self.layer = None
        finish(self)

    def interpolate_mobject(self, alpha: float) -> None:
        layer = getattr(self, "layer", None)
        if layer is None:
            return per_frame(self, alpha)
        a = self.get_sub_alpha(alpha, 0, 1)  # with no lag, every part's alpha
        layer.alpha, layer.opacity = alpha, (a if layer.fade_in else 1 - a)

    def capture_mobjects(self, mobjects, **kwargs) -> None:
        shown = _shown(self, mobjects, kwargs)
        ready = [layer for layer in ACTIVE if layer.opacity is not None]
        if not ready:
            return _draw(self, shown, self.pixel_array)
        where: dict = {}
        owner = {i: layer for layer in ready for i in layer.ids}
        for k, m in enumerate(shown):
            layer = owner.get(id(m))
            if layer is not None:
                where.setdefault(id(layer), []).append(k)
        first = {}
        for layer in ready:
            ks = where.get(id(layer), [])
            if len(ks) == len(layer.ids) and (not ks or ks[-1] - ks[0] + 1 == len(ks)):
                if ks:
                    first[ks[0]] = layer
            else:  # drawn apart from each other this frame: manim's own way, at this alpha
                for i in layer.ids:
                    owner.pop(i, None)
                per_frame(layer.fade, layer.alpha)
        run: list = []
        for k, m in enumerate(shown + [None]):
            layer = first.get(k)
            if m is None or layer is not None:
                _draw(self, run, self.pixel_array)
                run = []
                if layer is not None:
                    layer.blend(self)
            elif id(m) not in owner:
                run.append(m)

    layered_begin.layers = True
    layered_begin.manim_own = begin
    _Fade.begin, _Fade.finish, _Fade.interpolate_mobject = layered_begin, layered_finish, interpolate_mobject
    Camera.capture_mobjects = capture_mobjects
    capture_mobjects.manim_own = capture
