"""Mobjects that change every frame (scenes/common/live.py): Live and MonoReadout. No rendering, no assets."""
from __future__ import annotations

import numpy as np
import pytest
from kit_fixtures import private_media  # noqa: F401  (autouse fixture)
from manim import Dot, Line, VGroup

from scenes.common import Live, MonoReadout, label


@pytest.mark.parametrize("text", ["step 1,234: 0.693", "last 19 steps: -0.05", "0", "step 9"])
def test_mono_readout_lays_out_like_a_text(text):
    readout = MonoReadout("step lasx0123456789,.:-", size=22).show(text)
    ref = label(text, size=22, mono=True)
    got = np.array([m.get_center() for m in readout.family_members_with_points()])
    want = np.array([m.get_center() for m in ref])
    assert got.shape == want.shape  # one glyph per character that is not a space
    assert np.allclose(got - got[0], want - want[0], atol=1e-4)
    assert readout.width == pytest.approx(ref.width, abs=1e-4) and readout.height == pytest.approx(ref.height, abs=1e-4)


def test_mono_readout_keeps_its_parts_and_refuses_what_it_cannot_write():
    readout = MonoReadout("0123456789", capacity=6)
    parts = list(readout.submobjects)
    readout.show("12345")
    readout.show("7")
    assert readout.submobjects == parts  # the renderer keeps drawing the parts it saw first
    assert len(readout.family_members_with_points()) == 1
    with pytest.raises(ValueError, match="cannot write 'x'"):
        readout.show("1x")
    with pytest.raises(ValueError, match="holds 6"):
        readout.show("1234567")


def test_live_copies_new_points_into_the_same_parts():
    state = {"x": 0.0}
    live = Live(lambda: VGroup(Line([0, 0, 0], [state["x"], 1, 0]), Dot([state["x"], 0, 0])))
    parts = live.family_members_with_points()
    state["x"] = 2.0
    live.update()
    assert live.family_members_with_points() == parts
    assert np.allclose(parts[0].get_end(), [2, 1, 0]) and np.allclose(parts[1].get_center(), [2, 0, 0])
    state["x"] = 3.0
    live._make = lambda: VGroup(Dot())  # a different structure is a bug in the caller, said at once
    with pytest.raises(ValueError, match="different structure"):
        live.update()
