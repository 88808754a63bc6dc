"""A plain fade draws its mobject once, then blends that picture in or out.

Manim fades a group by giving each of its submobjects the same opacity, frame by frame:
it interpolates every submobject's colours, then Cairo traces and fills every glyph
again at the new opacity. A caption is a hundred glyphs and a matrix on screen is
thousands, and every beat of every chapter fades its caption in and the last one out, so
in a profile of Ch10 at 1080p60 the fades' colour interpolation alone took a sixth of
the main thread.

:func:`install` draws the fading mobject once, at full opacity, onto a transparent
layer the size of the frame, and for each frame of the fade blends that layer onto the
frame with the fade's opacity (Cairo's ``paint_with_alpha``, clipped to the layer's
box). Where the group's parts do not overlap this is manim's picture: a shape at opacity
``a·o`` over the background is what a layer holding it at ``o`` gives when blended at
``a``, up to 8-bit rounding. Where the parts overlap (a number on a coloured cell, a
stroke on its own fill), the group now fades as one picture, the way a layer fades in a
video editor; manim's per-part fade lets the lower part show through the upper one
halfway. When the fade ends, the mobject is exactly as manim leaves it: ``begin`` and
``finish`` still run manim's own interpolation. So during a fade the frames are not byte
for byte manim's: they differ by that rounding, and where parts overlap.

A fade is drawn this way only when it is plain: no shift, no scale, no lag between its
parts, points that stay still (:mod:`scenes.speedups.steady_fades`), only vector
shapes without background images, no updaters, and a faded side that differs from the
full side only in opacity. If its parts ever stop being drawn one after the other (another
moving mobject drawn between them), that frame falls back to manim's interpolation.

The same patch of the camera keeps its list of what to draw from frame to frame while the
families it came from stay the same (:func:`scenes.speedups.display_list.kept`). Together, on Ch10 at 1080p60, the main
thread went from 46.6 s to 24.9 s of CPU, and the chapter from 66.6 s to 50.1 s of wall time.
"""
from __future__ import annotations

from . import display_list, registry, steady_fades

ACTIVE: list = []  # the layered fades now playing, in the order they began; emptied on uninstall


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
        display_list.draw(camera, camera.get_mobjects_to_display([self.full]), arr)
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


@registry.speedup
def install() -> None:
    """Patch ``_Fade.begin``, ``finish``, ``interpolate_mobject`` and ``Camera.capture_mobjects`` as described above.

    Installs :mod:`scenes.speedups.steady_fades` first: its ``begin`` must run inside this
    one, since it decides ``points_stay``.
    """
    from manim.animation.fading import FadeIn, FadeOut, _Fade
    from manim.camera.camera import Camera

    steady_fades.install()

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
        shown = display_list.kept(self, mobjects, kwargs)
        ready = [layer for layer in ACTIVE if layer.opacity is not None]
        if not ready:
            return display_list.draw(self, shown, self.pixel_array)
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
                display_list.draw(self, run, self.pixel_array)
                run = []
                if layer is not None:
                    layer.blend(self)
            elif id(m) not in owner:
                run.append(m)

    begin = registry.replace(_Fade, "begin", layered_begin)
    finish = registry.replace(_Fade, "finish", layered_finish)
    per_frame = registry.replace(_Fade, "interpolate_mobject", interpolate_mobject)
    registry.replace(Camera, "capture_mobjects", capture_mobjects)
    registry.on_uninstall(ACTIVE.clear)
