"""The number formatter and its companions (scenes/common/formats.py). Pure Python: no manim work."""
from __future__ import annotations

import math

import numpy as np
import pytest

from scenes.common import digits_for, fmt, nice_step, shared_digits


@pytest.mark.parametrize("value, digits, text", [
    (0.123456, 2, "0.12"), (2, 2, "2.00"), (-1.235, 1, "-1.2"), (1234.5, 0, "1234"), (0.995, 2, "0.99"),
    (-0.001, 2, "0.00"), (-0.0, 2, "0.00"), (-0.004, 2, "0.00"), (-0.006, 2, "-0.01"), (np.float32(0.5), 3, "0.500"),
])
def test_fixed(value, digits, text):
    assert fmt(value, digits=digits) == text


def test_fixed_never_shows_negative_zero():
    for v in np.linspace(-0.0049, 0.0049, 41):
        assert fmt(v) == "0.00"


def test_auto_reads_well_at_every_scale():
    assert fmt(0, "auto") == "0"
    assert fmt(0.5, "auto") == "0.50"
    assert fmt(-0.0031, "auto") == "-0.0031"
    assert fmt(6.3e-6, "auto") == "6.3e-06"
    assert fmt(1096.13, "auto") == "1,096"
    assert fmt(46546.3, "auto") == "46,546"
    assert fmt(4.6e5, "auto") == "4.60e+05"


def test_clean_drops_trailing_zeros():
    assert fmt(8.0, "clean") == "8" and fmt(math.sqrt(48), "clean") == "6.93" and fmt(12, "clean") == "12"
    assert fmt(0.5, "clean", digits=3) == "0.5" and fmt(-0.001, "clean") == "0"


def test_tick_takes_its_decimals_from_the_step():
    assert fmt(1500, "tick", step=500) == "1,500"
    assert fmt(0.25, "tick", step=0.05) == "0.25"
    assert fmt(0.6, "tick", step=0.2) == "0.6"
    assert fmt(-0.0001, "tick", step=1) == "0"  # no negative zero here either
    with pytest.raises(ValueError, match="step"):
        fmt(1.0, "tick")


def test_shape_and_unknown_styles():
    assert fmt((1, 5, 64), "shape") == "1 × 5 × 64"
    assert fmt(("B", "n", "d"), "shape") == "B × n × d"
    with pytest.raises(ValueError, match="unknown number style"):
        fmt(1.0, "percent")


def test_nice_step():
    assert nice_step(316) == 100 and nice_step(1.0) == 0.5 and nice_step(0.8) == 0.2
    assert nice_step(316, 3) == 200 and nice_step(24_000, 3) == 10_000
    assert nice_step(5, 0) == 5  # asking for no ticks still gives a step


def test_digits_for_and_shared_digits():
    a, b = np.array([[1.77, -0.5]]), np.array([[0.567, 0.012]])
    assert (digits_for(a), digits_for(b)) == (2, 3)
    assert shared_digits(a, b) == 2  # together: the format that suits the larger values
    assert digits_for(np.zeros(3)) == 2 and digits_for(np.array([1234.0])) == 1 and digits_for([0.001]) == 3
