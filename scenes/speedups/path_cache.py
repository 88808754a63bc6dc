"""Cairo paths are traced once per shape, not once per frame.

For every frame, manim's Cairo camera walks each visible VMobject's Bézier points in
Python: it finds where the subpaths split, then calls ``move_to``/``curve_to`` for each
curve. A glyph of a ``Text`` has dozens of curves, and a matrix on screen has thousands
of glyphs, so in a profile of Ch09 at 1080p60 (``bench/profile_chapter.py``) this one
method took 29 % of the profiled time, far more than Cairo's filling of the pixels.

Most of those shapes are the same from frame to frame: a fade changes colours, not points,
and the mobjects that stay still behind an animation are drawn again for each new animation.
:func:`install` keys each traced path by a digest of the exact point bytes (and the two
numbers that decide where subpaths split); when the same points come again, Cairo gets the
path it traced before (``Context.append_path``). The path is the same, so the pixels are the
same: every pixel of every frame of Ch09 matched.

:mod:`scenes.speedups.steady_fades` makes fades keep their points bit for bit, so that they
find their paths, and skips interpolating points that do not move. Manim's own fades move
points by rounding errors (see there); without those, 7 of Ch09's 332 frames at 480p15
differ from manim's by at most 5 of 255 levels in at most 51 pixels. Together the two take
Ch09 at 1080p60 from 118.6 s to 84.5 s of wall time (168 to 126 s of CPU) on this machine.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict

from . import registry

MAX_PATHS = 20_000  # about 60 MB of Cairo paths at most; the least recently drawn go first
TRACED: OrderedDict = OrderedDict()  # (point digest, shape, the two split numbers) -> cairo.Path


@registry.speedup
def install() -> None:
    """Patch manim's ``Camera.set_cairo_context_path`` to append a path traced before (see above).

    The paths are kept in :data:`TRACED`, emptied on uninstall.
    """
    import numpy as np
    from manim.camera.camera import Camera

    plain = Camera.transform_points_pre_display

    def set_cairo_context_path(self, ctx, vmobject):
        points = vmobject.points
        if len(points) == 0 or type(self).transform_points_pre_display is not plain:
            return original(self, ctx, vmobject)  # a 3D camera moves the points first
        key = (hashlib.blake2b(points.tobytes(), digest_size=16).digest(), points.shape,
               vmobject.n_points_per_cubic_curve, vmobject.tolerance_for_point_equality)
        path = TRACED.get(key)
        if path is not None:
            TRACED.move_to_end(key)
            ctx.new_path()
            ctx.append_path(path)
            return self
        original(self, ctx, vmobject)
        if np.isfinite(points).all():  # manim draws nothing for a shape with a NaN; that is not kept
            if len(TRACED) >= MAX_PATHS:
                TRACED.popitem(last=False)  # the least recently drawn
            TRACED[key] = ctx.copy_path()
        return self

    original = registry.replace(Camera, "set_cairo_context_path", set_cairo_context_path)
    registry.on_uninstall(TRACED.clear)
