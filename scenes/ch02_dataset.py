"""Chapter 2: the IMDB reviews: split sizes and labels, how long reviews are, three real examples.

Reads ``dataset`` (counts, length histogram, examples) and ``tokens`` (only ``max_len``).
"""
from __future__ import annotations

import math

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, DashedLine, FadeIn, GrowFromEdge, Line, Rectangle, RoundedRectangle,
                   VGroup)

from scenes.common import ChapterScene, color, fit, label, nice_step, paragraph, sentiment_color

NARRATION = {
    "splits": "Each IMDB movie review is labelled positive or negative. The model learns from the {n_train} "
              "of the train split; the {n_test} of the test split measure it.",
    "splits_even": "IMDB reviews are labelled positive or negative, half and half in each split. "
                   "We learn from {n_train} and test on {n_test}.",
    "unsup": "It also has {n_unsup} reviews without a label. A classifier cannot learn from those, "
             "so we leave them out.",
    "lengths": "Reviews differ a lot in length. The median is {median} word tokens, but a long tail "
               "stretches to the right: {n_tail} have {tail_from} or more.",
    "lengths_even": "Reviews differ in length: the median is {median} word tokens, the mean {mean}.",
    "cut": "Our model reads at most {T} tokens. Longer reviews are cut there; shorter ones are padded, "
           "as we will see.",
    "cut_long": "Our model reads at most {T} tokens: longer reviews are cut there.",
    "cut_short": "Our model reads at most {T} tokens; shorter reviews are padded, as we will see.",
    "cut_plain": "Our model reads at most {T} tokens.",
    "examples": "Here are our {n_examples} from the test set, with their labels: short ones, of {lengths}. "
                "We will follow them through the model.",
    "examples_any": "Here are our {n_examples} from the test set, with their labels: {lengths} "
                    "long. We will follow them through the model.",
    "examples_one": "Here is our example review from the test set, with its label: {lengths} long.",
    "examples_given": "Here is the review we were given, {lengths} long, and not from the test set.",
}

LABEL_NAMES = ("negative", "positive")  # label 0, label 1 (model/data.py)
EXAMPLE_HEADINGS = {"examples": "Our example reviews: short ones from the test set",
                    "examples_any": "Our example reviews from the test set",
                    "examples_one": "Our example review from the test set",
                    "examples_given": "The review we were given"}


def split_bar(name: str, counts, total_width: float, scale: float, height: float = 0.62) -> VGroup:
    """A horizontal bar of ``sum(counts)`` reviews: one segment per label (negative, positive), or one grey one."""
    segs = VGroup()
    roles = ("negative", "positive") if len(counts) == 2 else ("pad",)
    for n, role in zip(counts, roles):
        rect = Rectangle(width=max(n * scale, 1e-3), height=height, stroke_color=color("background"), stroke_width=2,
                         fill_color=color(role), fill_opacity=0.85)
        seg = VGroup(rect)
        if len(counts) > 1:  # one number per label; a single segment has only its total
            seg.add(label(f"{n:,}", size=24, role="background", mono=True).move_to(rect))
        segs.add(seg)
    segs.arrange(RIGHT, buff=0)
    name_mob = label(name, size=26).next_to(segs, LEFT, buff=0.3)
    total = label(f"{sum(counts):,}", size=26, role="muted", mono=True).next_to(segs, RIGHT, buff=0.3)
    bar = VGroup(name_mob, segs, total)
    bar.name_mob, bar.segs, bar.total = name_mob, segs, total
    return bar


def histogram(edges, counts, width: float = 10.5, height: float = 3.9) -> VGroup:
    """Bars of ``counts`` between ``edges``, with x and y axes, ticks and labels."""
    edges, counts = np.asarray(edges, dtype=float), np.asarray(counts, dtype=float)
    x0, x1 = edges[0], edges[-1]
    top = counts.max()
    sx, sy = width / (x1 - x0), height / top
    bars = VGroup()
    for a, b, c in zip(edges[:-1], edges[1:], counts):
        r = Rectangle(width=(b - a) * sx, height=max(c * sy, 1e-3), stroke_color=color("background"),
                      stroke_width=1.5, fill_color=color("key"), fill_opacity=0.85)
        r.move_to([((a + b) / 2 - x0) * sx, c * sy / 2, 0])
        bars.add(r)
    axes = VGroup(Line([0, 0, 0], [width, 0, 0], stroke_color=color("muted"), stroke_width=2),
                  Line([0, 0, 0], [0, height, 0], stroke_color=color("muted"), stroke_width=2))
    ticks = VGroup()
    every = max(1, math.ceil((len(edges) - 1) / 4))
    for k in range(0, len(edges), every):
        x = (edges[k] - x0) * sx
        ticks.add(Line([x, 0, 0], [x, -0.1, 0], stroke_color=color("muted"), stroke_width=2),
                  label(f"{edges[k]:,.0f}", size=20, role="muted", mono=True).move_to([x, -0.32, 0]))
    step = nice_step(top, 3)
    v = step
    while v <= top:
        ticks.add(Line([0, v * sy, 0], [-0.1, v * sy, 0], stroke_color=color("muted"), stroke_width=2),
                  label(f"{v:,.0f}", size=20, role="muted", mono=True).next_to([-0.1, v * sy, 0], LEFT, buff=0.1))
        v += step
    hist = VGroup(axes, bars, ticks)
    hist.bars, hist.to_x, hist.sy = bars, (lambda value: (value - x0) * sx), sy
    return hist


def review_card(example: dict, width: float = 4.3, max_lines: int = 7) -> VGroup:
    """A review's text in a rounded card, its label as a coloured chip above, and where it comes from below."""
    y = int(example["label"])
    chip_text = label(LABEL_NAMES[y] if y in (0, 1) else "no label", size=24, role="background")
    chip = RoundedRectangle(corner_radius=0.12, width=chip_text.width + 0.4, height=0.46, stroke_width=0,
                            fill_color=sentiment_color(y), fill_opacity=1.0)
    chip_text.move_to(chip)
    body = paragraph(example["text"], width=width - 0.4, font_size=26, max_lines=max_lines)
    foot = label(f"{example['n_tokens']} word tokens", size=22, role="muted")
    inner = VGroup(VGroup(chip, chip_text), body, foot).arrange(DOWN, buff=0.25, aligned_edge=LEFT)
    frame = RoundedRectangle(corner_radius=0.15, width=width, height=inner.height + 0.45,
                             stroke_color=sentiment_color(y), stroke_width=2, fill_color=color("panel"),
                             fill_opacity=0.9)
    inner.move_to(frame).align_to(frame, LEFT).shift(RIGHT * 0.2)
    card = VGroup(frame, inner)
    card.body, card.chip_text, card.label = body, chip_text, y
    return card


class Ch02Dataset(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        ds = self.asset("dataset")
        max_len = self.asset("tokens")["max_len"]
        self.title_card()

        # --- beat: train and test, negative and positive
        self.set_heading("IMDB movie reviews")
        n_unsup = ds.get("n_unsup")
        biggest = max(ds["n_train"], ds["n_test"], n_unsup or 0)
        scale = 8.0 / biggest
        train = split_bar("train", ds["train_counts"], 8.0, scale)
        test = split_bar("test", ds["test_counts"], 8.0, scale)
        rows = [train, test]
        if n_unsup:
            rows.append(split_bar("unlabelled", [n_unsup], 8.0, scale))
        left = -4.2
        for k, bar in enumerate(rows):  # bars start at one x, whatever the name's width
            bar.shift([left - bar.segs.get_left()[0], 1.9 - k * 1.1 - bar.segs.get_y(), 0])
        keys = VGroup(*[VGroup(Rectangle(width=0.32, height=0.32, stroke_width=0, fill_color=color(r),
                                         fill_opacity=0.85), label(r, size=24, role="muted")).arrange(RIGHT, buff=0.15)
                        for r in LABEL_NAMES]).arrange(RIGHT, buff=0.7)
        keys.next_to(rows[-1], DOWN, buff=0.6)
        VGroup(*rows, keys).set_x(0)
        splits = next(k for k in ("splits", "splits_even") if self.says(k))
        self.beat(splits, *[FadeIn(b) for b in rows[:2]], FadeIn(keys), run_time=1.5)
        if self.says("unsup"):
            # --- beat: the unlabelled reviews we do not use
            self.beat("unsup", FadeIn(rows[2]))
        self.split_bars = rows
        self.clear_stage()

        # --- beat: how long reviews are
        self.set_heading("How long are the training reviews?")
        hist = histogram(ds["length_hist"]["edges"], ds["length_hist"]["counts"])
        ytitle = label("reviews", size=22, role="muted").next_to(hist[0][1], UP, buff=0.15)
        edges = ds["length_hist"]["edges"]
        xtitle = label(f"length in word tokens (the last bar: {edges[-2]:,.0f} or more)", size=22, role="muted")
        xtitle.next_to(hist[0][0], DOWN, buff=0.55)
        chart = VGroup(hist, ytitle, xtitle)
        fit(chart, 12.6, 5.7).move_to([0.3, 0, 0])
        axis_left = hist[0][0].get_left()[0]
        scale_x = hist[0][0].width / (edges[-1] - edges[0])
        med_x = axis_left + (ds["median_tokens"] - edges[0]) * scale_x
        base_y, top_y = hist[0][0].get_y(), hist[0][1].get_top()[1]
        median = DashedLine([med_x, base_y, 0], [med_x, top_y, 0], stroke_color=color("accent"), stroke_width=3)
        med_label = label(f"median {ds['median_tokens']:,.0f} tokens", size=22, role="accent")
        med_label.next_to(median, RIGHT, buff=0.12).align_to(median, UP)
        lengths = next(k for k in ("lengths", "lengths_even") if self.says(k))
        self.beat(lengths, FadeIn(VGroup(hist[0], hist[2], ytitle, xtitle)),
                  *[GrowFromEdge(b, DOWN) for b in hist.bars], FadeIn(median), FadeIn(med_label), run_time=2.0)
        self.hist = hist

        # --- beat: the model reads at most T tokens
        cut_x = axis_left + (min(max_len, edges[-1]) - edges[0]) * scale_x
        cut = Line([cut_x, base_y, 0], [cut_x, top_y, 0], stroke_color=color("text"), stroke_width=3)
        # one line right of the cut if it fits, else two lines right of it, else two lines to its left
        one = label(f"T = {max_len}: the model reads at most this many", size=22)
        two = VGroup(label(f"T = {max_len}", size=22),
                     label("the model reads at most this many", size=22)).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        cut_label = one if cut_x + 0.12 + one.width <= 6.9 else two
        cut_label.next_to(cut, RIGHT, buff=0.15).align_to(median, UP).shift(DOWN * 0.45)
        if cut_label.get_right()[0] > 6.9:
            cut_label.next_to(cut, LEFT, buff=0.15).align_to(median, UP).shift(DOWN * 0.45)
        said_cut = next(k for k in ("cut", "cut_long", "cut_short", "cut_plain") if self.says(k))
        self.beat(said_cut, FadeIn(cut), FadeIn(cut_label))
        self.clear_stage()

        # --- beat: three real reviews
        key = next(k for k in ("examples", "examples_any", "examples_one", "examples_given") if self.says(k))
        self.set_heading(EXAMPLE_HEADINGS[key])
        cards = VGroup(*[review_card(e) for e in ds["examples"][:3]]).arrange(RIGHT, buff=0.35, aligned_edge=UP)
        fit(cards, 13.0, 5.6).move_to([0, 0, 0])
        self.beat(key, FadeIn(cards, lag_ratio=0.3), run_time=2.0)
        self.cards = cards
        self.finish()
