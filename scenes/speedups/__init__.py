"""Speed-ups of manim's Cairo renderer and video encoder, written for manim 0.22.0.

Each module replaces a few of manim's methods to render the same video in less time; its
docstring says what it changes and what that saved, as measured. One is a fix rather than a
speed-up: :mod:`~scenes.speedups.steady_encoder` makes two renders of the same frames give the
same video, which x264's AVX-512 code did not at 854x480; it patches manim's encoder through
the same registry. :func:`install` applies them all, in this order (``ChapterScene.setup``
calls it):

1. :mod:`~scenes.speedups.glyph_sources`: glyphs drop their parsed SVG path once built;
2. :mod:`~scenes.speedups.held_frames`: a held frame is converted to yuv420p once;
3. :mod:`~scenes.speedups.path_cache`: a Cairo path is traced once per shape;
4. :mod:`~scenes.speedups.steady_fades`: a plain fade keeps its points bit for bit;
5. :mod:`~scenes.speedups.fade_layers`: a plain fade is drawn once and blended in or out;
6. :mod:`~scenes.speedups.still_background`: stills drawn above a moving mobject go into
   the background picture when nothing moving touches them;
7. :mod:`~scenes.speedups.steady_encoder`: the same frames encode to the same bytes (x264
   leaves out its AVX-512 code at widths where it reads heap memory nobody wrote).

The order that matters is 4 before 5: both wrap ``_Fade.begin``, and the steady one must
run inside the layered one, which reads the ``points_stay`` it sets (installing
``fade_layers`` alone installs ``steady_fades`` first). The others patch methods nobody
else patches; they keep the order in which the chapters always installed them.

Every change goes through :mod:`~scenes.speedups.registry`, so :func:`uninstall` puts back
manim's own attributes and empties what the speed-ups keep (the path cache, the list of
layered fades playing, manim's cache of SVGs built without their paths).

Two of them may change pixels a little: :mod:`~scenes.speedups.fade_layers` (8-bit rounding,
and where a fading group's parts overlap) and :mod:`~scenes.speedups.steady_fades` (manim's
fades move points by rounding errors; 7 of Ch09's frames at 480p15 differ by at most 5 levels).
The other four give manim's frames byte for byte; the steady encoder changes no frame, only
which of x264's code paths encodes it. ``tests/test_speedups_install.py`` renders
the first beats of a chapter with and without them.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from importlib import metadata

from . import (fade_layers, glyph_sources, held_frames, path_cache, registry, steady_encoder, steady_fades,
               still_background)

MANIM_VERSION = "0.22.0"  # the manim the speed-ups were written for, and the only one they patch
ORDER = (glyph_sources, held_frames, path_cache, steady_fades, fade_layers, still_background, steady_encoder)
NAMES = tuple(module.install.name for module in ORDER)

_held = 0  # inside plain_manim() or only(): install() leaves manim as the block set it
_warned = False  # the wrong-version warning is given once per process


def manim_version() -> str:
    """The installed manim's version (``importlib.metadata``), or ``"not installed"``."""
    try:
        return metadata.version("manim")
    except metadata.PackageNotFoundError:
        return "not installed"


def installed() -> tuple[str, ...]:
    """The names of the speed-ups installed now, in the order installed (empty: plain manim)."""
    return registry.installed()


def install() -> None:
    """Apply every speed-up, in the order of :data:`ORDER`; idempotent.

    On a manim other than :data:`MANIM_VERSION` it installs nothing and warns once that the
    scene renders with plain manim. Inside :func:`plain_manim` or :func:`only` it does
    nothing. If only some speed-ups are installed, they are taken out and all of them put
    in again, so that the order is always the documented one.
    """
    global _warned
    if _held:
        return
    found = manim_version()
    if found != MANIM_VERSION:
        if not _warned:
            _warned = True
            warnings.warn(f"scenes.speedups was written for manim {MANIM_VERSION}, and manim {found} is installed: "
                          "the speed-ups are not installed and the scene renders with plain manim",
                          RuntimeWarning, stacklevel=2)
        return
    if installed() == NAMES:
        return
    uninstall()
    for module in ORDER:
        module.install()


def uninstall() -> None:
    """Put back every attribute of manim a speed-up replaced, and empty what the speed-ups keep.

    Idempotent; :func:`install` works again afterwards.
    """
    registry.restore()


@contextmanager
def only(*names: str) -> Iterator[None]:
    """Render with exactly the speed-ups ``names`` (and what they need) for the duration of a ``with`` block.

    Meant for tests comparing one speed-up against manim's own methods. Inside the block
    :func:`install` does nothing, so a chapter's ``setup`` keeps the choice; afterwards the
    speed-ups installed before the block are installed again. The version is not checked.

    Parameters
    ----------
    *names
        Names from :data:`NAMES`; they are installed in the order of :data:`ORDER`.

    Raises
    ------
    ValueError
        If a name is not one of :data:`NAMES`.
    """
    global _held
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        raise ValueError(f"no speed-up named {', '.join(unknown)}; the speed-ups are {', '.join(NAMES)}")
    before = installed()
    uninstall()
    _held += 1
    try:
        for module in ORDER:
            if module.install.name in names:
                module.install()
        yield
    finally:
        _held -= 1
        uninstall()
        for name in before:
            ORDER[NAMES.index(name)].install()


def plain_manim() -> AbstractContextManager[None]:
    """Plain manim for the duration of a ``with`` block, then the speed-ups installed before it.

    ``with plain_manim(): scene.render()`` renders a chapter without any speed-up: its
    ``setup``'s :func:`install` does nothing inside the block.
    """
    return only()
