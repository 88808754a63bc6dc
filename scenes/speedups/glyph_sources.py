"""Glyphs forget their parsed SVG path once their points are built.

Every letter of a Text or MathTex keeps the svgelements path it was built from, used
once and never again; yet every animation deep-copies it with the glyph (Transform and
FadeIn copy their mobjects when they begin). In the multi-head chapter those copies
were a third of the render's main-thread time (``bench/profile_chapter.py``), and
dropping them took the chapter from 50 s to 37 s (README, "Speed, measured"). Dropping
the path changes no pixel.
"""
from __future__ import annotations

from . import registry


def _forget_built_svgs() -> None:
    """Empty manim's cache of built SVG mobjects, so that later Texts are built the way now in force."""
    from manim.mobject.svg import svg_mobject

    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()


@registry.speedup
def install() -> None:
    """Patch manim's ``VMobjectFromSVGPath.generate_points`` to drop ``path_obj`` after it.

    Manim keeps each SVG it has built and hands out copies of it; those built before are
    forgotten now, and again on uninstall, so that plain manim's glyphs keep their paths.
    """
    from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

    def generate_points(self):
        out = build(self)
        self.path_obj = None
        return out

    build = registry.replace(VMobjectFromSVGPath, "generate_points", generate_points)
    _forget_built_svgs()
    registry.on_uninstall(_forget_built_svgs)
