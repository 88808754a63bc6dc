"""Cairo paths are traced once per shape, not once per frame.

For every frame, manim's Cairo camera walks each visible VMobject's Bézier points in
Python: it finds where the subpaths split, then calls ``move_to``/``curve_to`` for each
curve. A glyph of a ``Text`` has dozens of curves, and a matrix on screen has thousands
of glyphs, so in a profile of Ch09 at 1080p60 (``bench/profile_chapter.py``) this one
method took 29 % of the profiled time, far more than Cairo's filling of the pixels.

Most of those shapes are the same from frame to frame: a fade changes colours, not
points, and the mobjects that stay still behind an animation are drawn again for each
new animation. :func:`cache_cairo_paths` keys each traced path by a digest of the exact
point bytes (and the two numbers that decide where subpaths split); when the same points
come again, Cairo gets the path it traced before (``Context.append_path``). The path is
the same, so the pixels are the same: every pixel of every frame of Ch09 matched.

:func:`steady_fades` makes fades keep their points bit for bit, so that they find their
paths, and skips interpolating points that do not move. Manim's own fades move points by
rounding errors (see there); without those, 7 of Ch09's 332 frames at 480p15 differ from
manim's by at most 5 of 255 levels in at most 51 pixels. Together the two take Ch09 at
1080p60 from 118.6 s to 84.5 s of wall time (168 to 126 s of CPU) on this machine.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict

MAX_PATHS = 20_000  # about 60 MB of Cairo paths at most; the least recently drawn go first


def cache_cairo_paths() -> None:
    """Patch manim's ``Camera.set_cairo_context_path`` (idempotent; chapters call it in ``setup``)."""
    import numpy as np
    from manim.camera.camera import Camera

    if getattr(Camera.set_cairo_context_path, "caches_paths", False):
        return
    original = Camera.set_cairo_context_path
    plain = Camera.transform_points_pre_display
    traced: OrderedDict = OrderedDict()

    def set_cairo_context_path(self, ctx, vmobject):
        points = vmobject.points
        if len(points) == 0 or type(self).transform_points_pre_display is not plain:
            return original(self, ctx, vmobject)  # a 3D camera moves the points first
        key = (hashlib.blake2b(points.tobytes(), digest_size=16).digest(), points.shape,
               vmobject.n_points_per_cubic_curve, vmobject.tolerance_for_point_equality)
        path = traced.get(key)
        if path is not None:
            traced.move_to_end(key)
            ctx.new_path()
            ctx.append_path(path)
            return self
        original(self, ctx, vmobject)
        if np.isfinite(points).all():  # manim draws nothing for a shape with a NaN; that is not kept
            if len(traced) >= MAX_PATHS:
                traced.popitem(last=False)  # the least recently drawn
            traced[key] = ctx.copy_path()
        return self

    set_cairo_context_path.caches_paths = True
    set_cairo_context_path.traced = traced  # for the test that counts what was kept
    set_cairo_context_path.manim_own = original  # for the test that compares the two
    Camera.set_cairo_context_path = set_cairo_context_path


def steady_fades() -> None:
    """A plain fade keeps its mobject's points bit for bit, and only fades colours (idempotent).

    Manim builds a fade's faded copy by shifting it by the fade's shift and scaling it by
    its scale, even when those are zero and one. Scaling by one about the centre,
    ``(p - c) * 1 + c``, moves points by a rounding error, so every frame of a plain fade
    had new point bytes and :func:`cache_cairo_paths` found none of them. Here the shift
    by zero and the scale by one are skipped, so the faded copy's points are the
    mobject's own. Then each frame of the fade would set every point to
    ``p + alpha * (p - p)``, which is ``p``: that work is skipped too, and only the
    colours and opacities are interpolated, as manim does.
    """
    import numpy as np
    from manim.animation.fading import _Fade
    from manim.mobject.mobject import Mobject
    from manim.utils.bezier import interpolate

    if getattr(_Fade._create_faded_mobject, "steady", False):
        return
    faded_copy, begin, per_submobject = _Fade._create_faded_mobject, _Fade.begin, _Fade.interpolate_submobject

    def plain(fade) -> bool:
        return not np.any(fade.shift_vector) and fade.scale_factor == 1

    def _create_faded_mobject(self, fadeIn: bool):
        if not plain(self):
            return faded_copy(self, fadeIn)
        faded = self.mobject.copy()
        faded.fade(1)
        return faded

    def steady_begin(self) -> None:
        begin(self)
        self.points_stay = plain(self) and self.path_func is interpolate and all(
            type(m).interpolate is Mobject.interpolate  # not a ValueTracker, whose points are its value
            and np.array_equal(m.points, s.points) and np.array_equal(m.points, t.points)
            for m, s, t in self.get_all_families_zipped())

    def interpolate_submobject(self, submobject, starting_submobject, target_copy, alpha: float):
        if not getattr(self, "points_stay", False):
            return per_submobject(self, submobject, starting_submobject, target_copy, alpha)
        submobject.interpolate_color(starting_submobject, target_copy, alpha)
        return self

    _create_faded_mobject.steady = True
    _create_faded_mobject.manim_own = faded_copy
    _Fade._create_faded_mobject = _create_faded_mobject
    _Fade.begin = steady_begin
    _Fade.interpolate_submobject = interpolate_submobject
