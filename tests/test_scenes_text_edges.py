"""Chapters 7 and 8 on the committed assets: a caption never stays up over a stage its beat has cleared
(chapters 3 to 5: test_scenes_data.py), and the two output matrices keep long row labels inside the frame.

The one-word and repeated-word reviews, for which these chapters have nothing to reorder, are run in
test_hostile_text.py on assets exported through ``python -m model export --text -``.
"""
from __future__ import annotations

import numpy as np
import pytest
from test_scenes_data import captions_over_an_empty_stage, committed_run

from scenes.chapters import scene_class
from scenes.common import PAIR_GAP, PAIR_X, output_pair

Ch07Permutation, Ch08Positions = scene_class("Ch07Permutation"), scene_class("Ch08Positions")


@pytest.mark.parametrize("cls", [Ch07Permutation, Ch08Positions])
def test_no_caption_over_an_empty_stage(cls):
    scene = committed_run(cls)
    assert scene.reordered  # the committed example has five different words
    assert not captions_over_an_empty_stage(scene)


@pytest.mark.parametrize("label, digits", [("wonderful", 3), ("supercalifragilistic", 5), ("a", 2)])
def test_output_pair_keeps_long_labels_inside_the_frame(label, digits):
    """Ten-letter labels on both outer sides and five decimals: the pair moves closer, then drops columns,
    and never shrinks its 20-point labels below 18 points."""
    Y = np.random.default_rng(0).normal(0, 0.05, (5, 32))
    tokens = [label, "😀", "סרט", "فيلم", "great"]
    left, right, lg, rg = output_pair(Y, Y[::-1], tokens, tokens[::-1], ("Y", r"Y_{\text{shuffled}}"),
                                      lambda cols: digits, y=-0.5)
    assert lg.get_left()[0] >= -PAIR_X - 1e-6 and rg.get_right()[0] <= PAIR_X + 1e-6
    gap = right.brackets[0].get_left()[0] - left.brackets[1].get_right()[0]
    assert gap >= PAIR_GAP * 0.9 - 1e-6  # room for the lines between the rows
    assert left.row_label_mobs[0].font_size >= 18 and right.row_label_mobs[-1].font_size >= 18
    assert len(left.shown_cols) == len(right.shown_cols) >= 1
    if label == "a":  # short labels: the pair stands where it always stood, three columns
        assert len(left.shown_cols) == 3 and abs(lg.get_x() + 3.7) < 1e-6 and abs(rg.get_x() - 3.7) < 1e-6
