"""Text and typesetting in the kit (scenes/common/text.py, typeset.py): shortening, fitting, shapes,
the baseline aligner, lines and paragraphs. No rendering, no assets."""
from __future__ import annotations

import numpy as np
import pytest
from kit_fixtures import private_media  # noqa: F401  (autouse fixture)
from manim import RIGHT, Square, VGroup
from scene_runs import glyph_baselines

from scenes.common import (ELLIPSIS, baseline, cut_lines, fit, label, paragraph, shape_tag, shorten, sit_on_baseline,
                           stack_lines, text_line)


def test_shorten():
    assert shorten("movie") == "movie"
    assert shorten("extraordinarily", 8) == "extraor" + ELLIPSIS
    assert len(shorten("x" * 40)) == 12


def test_fit_only_scales_down():
    sq = Square(side_length=2.0)
    assert fit(sq, 3.0).width == pytest.approx(2.0)
    assert fit(sq, 1.0).width == pytest.approx(1.0)
    assert fit(sq, 5.0, max_height=0.5).height == pytest.approx(0.5)


def test_shape_tag_and_stack_lines():
    assert shape_tag(1, 5, 64).original_text == "1 × 5 × 64"
    stack = stack_lines("one", "two words", "three", size=20)
    assert [t.original_text for t in stack] == ["one", "two words", "three"]
    ys = [t.get_y() for t in stack]
    assert ys == sorted(ys, reverse=True) and all(abs(t.get_x() - stack.get_x()) < 1e-6 for t in stack)


def test_baseline_is_where_the_letters_stand():
    t = label("Hxn", size=24).shift(RIGHT)
    assert baseline(t) == pytest.approx(t.get_bottom()[1], abs=1e-6)  # no round letter, no descender
    assert baseline(label("gjpqy", size=24)) is None  # only descenders: nothing to tell by
    assert baseline(label("→", size=24)) is None and baseline(Square()) is None


@pytest.mark.parametrize("word", ["great", "ok", "Chapter", "(1933)", "10/10"])
def test_sit_on_baseline_puts_letters_on_the_line(word):
    t = sit_on_baseline(label(word, size=24), 0.5)
    assert baseline(t) == pytest.approx(0.5, abs=0.01)
    assert baseline(t, upper=True) == pytest.approx(0.5, abs=1e-6)  # the default takes the upper middle
    s = sit_on_baseline(label(word, size=24), 0.5, strict=True)
    assert baseline(s) == pytest.approx(0.5, abs=1e-6)  # strict: the mean of the middle two


def test_sit_on_baseline_places_marks_and_ligatures_unless_strict():
    dash = sit_on_baseline(label("—", size=48), 0.0)
    assert dash.get_y() == pytest.approx(0.17)  # half an x-height above the line
    comma = sit_on_baseline(label(",", size=48), 0.0)
    assert comma.get_bottom()[1] == pytest.approx(-0.12)  # stands on the line, its tail below
    film = label("film", size=48)  # fi is one glyph: the letters do not tell the line
    assert baseline(film) is None
    assert sit_on_baseline(film, 0.0).get_bottom()[1] == pytest.approx(0.0)
    for text in ("—", ",", "film"):
        t = label(text, size=48).move_to([1, 2, 0])
        assert np.allclose(sit_on_baseline(t, 0.0, strict=True).get_center(), [1, 2, 0])  # left alone
    blank = label(" ")
    assert sit_on_baseline(blank, 1.0) is blank


def test_text_line_puts_its_parts_on_one_baseline():
    parts = [label("head 1:", size=20), label("“great”", size=20), label("→", size=20), label("“love”", size=20),
             label("0.10", size=20)]
    line = text_line(*parts)
    assert len(glyph_baselines(line)) == 4 and np.ptp(glyph_baselines(line)) < 0.005
    xs = [t.get_x() for t in line]
    assert xs == sorted(xs)
    arrow_mid = line[2].get_y()  # the arrow sits between the baseline and the top of the small letters
    assert min(glyph_baselines(line)) < arrow_mid < line[0].get_top()[1]
    # what manim's arrange does instead: the word with quotes and a descender rides high
    plain = VGroup(label("head 1:", size=20), label("“great”", size=20)).arrange(RIGHT, buff=0.12)
    assert np.ptp(glyph_baselines(plain)) > 0.02


TEXT = "I just love the interplay between two great characters of stage and screen, Veidt and Barrymore."


def test_cut_lines_wraps_at_a_number_of_characters():
    lines = cut_lines(TEXT, 20, 3)
    assert len(lines) == 3 and all(len(s) <= 20 for s in lines) and lines[-1].endswith(ELLIPSIS)
    assert cut_lines("short text", 20, 3) == ["short text"]


def test_paragraph_in_units_and_in_characters():
    wide = paragraph(TEXT, width=4.0, font_size=24, max_lines=3)
    assert len(wide) == 3 and wide.truncated and wide[-1].original_text.endswith(" " + ELLIPSIS)
    assert all(line.width <= 4.0 + 1e-6 for line in wide)
    narrow = paragraph(TEXT, chars=20, font_size=24, max_lines=3, role="token")
    assert [t.original_text for t in narrow] == cut_lines(TEXT, 20, 3) and narrow.truncated
    for para in (wide, narrow):  # left-aligned, one baseline apart, the first on y = 0
        assert all(abs(t.get_left()[0]) < 1e-6 for t in para)
        steps = np.diff([baseline(t, upper=True) for t in para])
        assert abs(baseline(para[0], upper=True)) < 1e-6 and np.allclose(steps, steps[0])
    assert not paragraph("short text", chars=20).truncated
    with pytest.raises(ValueError, match="exactly one"):
        paragraph(TEXT)
    with pytest.raises(ValueError, match="exactly one"):
        paragraph(TEXT, width=3.0, chars=20)
