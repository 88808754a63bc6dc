"""What the Cairo camera draws each frame: the kept display list, and drawing a list in runs.

Shared by :mod:`scenes.speedups.fade_layers` (whose camera patch keeps the list) and
:mod:`scenes.speedups.still_background`; this module patches nothing itself. The kept list
lives on each camera (``camera._shown_kept``) and goes with it.
"""
from __future__ import annotations


def draw(camera, mobjects: list, pixel_array) -> None:
    """Draw ``mobjects`` in order onto ``pixel_array``, in runs of one type (the body of manim's ``capture_mobjects``)."""
    import itertools as it

    for kind, group in it.groupby(mobjects, camera.type_or_raise):
        camera.display_funcs[kind](list(group), pixel_array)


def kept(camera, mobjects, kwargs: dict) -> list:
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

    last = camera.__dict__.get("_shown_kept")
    if last is not None and last[0] is mobjects and last[2] == mark(last[1]):
        return last[3]
    family = extract_mobject_family_members(mobjects)  # every descendant, so a grandchild added later is seen
    shown = camera.get_mobjects_to_display(mobjects, **kwargs)
    camera._shown_kept = (mobjects, family, mark(family), shown)
    return shown
