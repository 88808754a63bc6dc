"""Chapter 14: recap. The whole path on one screen, each stage with its real shape.

Shapes come from the checkpoint's config in ``model.pkl`` (T = max_len, d = d_model,
h = n_heads, N = n_layers, n_classes) and the example's token count (the tokens the model
reads, at most T); the words, ids, the id of ``<pad>`` and the prediction from
``dataset.pkl``, ``tokens.pkl`` and ``classify.pkl``. Which lines are said is decided in
model/claims/story.py.
"""
from __future__ import annotations

import textwrap

import numpy as np
from manim import (DOWN, RIGHT, UP, Arrow, FadeIn, FadeOut, Indicate, LaggedStart, RoundedRectangle,
                   SurroundingRectangle, VGroup, VMobject)

from scenes.common import ChapterScene, TokenRow, bar, color, fit, fmt, label, shape_tag, stack_lines

NARRATION = {  # lines with {fields}, and alternatives, are decided by model/claims/story.py
    "read": "Here is the whole path once more, on our example review. "
            "First the text becomes tokens, ids, and vectors with their positions.",
    "think": "Then attention lets every token look at every other, {blocks} refines the vectors, "
             "and pooling turns them into one.",
    "think_one": "Then attention lets the review's one token look at itself, {blocks} refines its vector, "
                 "and pooling keeps it as the review's vector.",
    "shapes": "Every stage has a fixed shape: T positions, d numbers per position, and h attention heads.",
    "attention": "The attention weights are the largest of these shapes: for every head, a T by T grid, "
                 "one row for each of the T positions.",
    "attention_small": "The attention weights hold, for every head, a T by T grid: one row for each of the "
                       "T positions.",
    "params": "Every weight along the way was learned from the training reviews; there are {n_params} of them.",
    "verdict": "At the end, two scores become one probability: here, the verdict on our review.",
    "close": "That is a transformer from start to finish: attention, trained on real reviews.",
}
CARD_W, CARD_H = 3.2, 2.3


def card(title: str, body: VGroup, tag, role: str = "muted") -> VGroup:
    """A stage: its name on top, a little real content in the middle, its shape at the bottom."""
    box = RoundedRectangle(corner_radius=0.15, width=CARD_W, height=CARD_H, stroke_color=color(role),
                           stroke_width=2.5, fill_color=color("panel"), fill_opacity=1)
    name = fit(label(title, size=24), CARD_W - 0.25).next_to(box.get_top(), DOWN, buff=0.16)
    fit(body, CARD_W - 0.3, CARD_H - 1.25).move_to(box).shift(DOWN * 0.02)
    tag.next_to(box.get_bottom(), UP, buff=0.16)
    fit(tag, CARD_W - 0.25)
    return VGroup(box, name, body, tag)


class Ch14Recap(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        m, cls, tok, ds = self.asset("model"), self.asset("classify"), self.asset("tokens"), self.asset("dataset")
        cfg = m["config"]
        T, d, h, N, k = int(cfg["max_len"]), int(cfg["d_model"]), int(cfg["n_heads"]), int(cfg["n_layers"]), \
            int(cfg["n_classes"])
        n, total = int(self.said.facts["n"]), int(self.said.facts["n_total"])  # tokens read (at most T), and all
        ex = cls["examples"][0]
        p = float(np.asarray(ex["probs"])[1])
        pred = ("negative", "positive")[int(ex["pred"])]
        self.title_card()
        self.set_heading("The whole path, with the shipped model's shapes")

        # --- the eight stages -----------------------------------------------------------------------
        self.shape_tags = {}

        def tag(key, *dims, text=None):
            t = shape_tag(*dims, size=22, role="accent") if text is None else label(text, size=22, role="accent")
            self.shape_tags[key] = t
            return t

        wrapped = textwrap.wrap(" ".join(ds["examples"][0]["text"].split()), 18)
        review = stack_lines(*wrapped[:2], wrapped[2] + (" …" if len(wrapped) > 3 else "") if len(wrapped) > 2 else "",
                             size=20, role="token")
        words = list(ex["tokens"])
        ids = list(tok["word_ids"])[:n]
        pads = T - n
        pad_note = f"+ {pads} pad{'s' * (pads != 1)} (id {self.said.facts['pad_id']})" if pads else "no padding"
        qkv = VGroup(*[label(s, size=24, role=r) for s, r in (("Q", "query"), ("K", "key"), ("V", "value"))])
        qkv.arrange(RIGHT, buff=0.3)
        verdict = VGroup(label(pred, size=28, role=pred), bar(p, width=2.2, role=pred),
                         label(f"P(positive) = {fmt(p, digits=3)}", size=20, mono=True)).arrange(DOWN, buff=0.1)
        stages = [
            card("review", review, tag("review", text="text")),
            card("tokens", TokenRow(words[:3] + (["…"] if n > 3 else []), font_size=20),
                 tag("tokens", text=f"n = {n} tokens" if total <= n else f"n = {n} of {total:,}")),
            card("ids", stack_lines(", ".join(str(i) for i in ids[:3]) + (", …" if n > 3 else ""), pad_note),
                 tag("ids", 1, T)),
            card("embeddings", stack_lines("E[id] + P[position]", f"{d} numbers each"),
                 tag("embed", 1, T, d)),
            card("attention", VGroup(qkv, stack_lines(f"each {fmt((1, T, d), 'shape')}", f"{h} heads"))
                 .arrange(DOWN, buff=0.12),
                 tag("attention", 1, h, T, T), "accent"),
            card(f"block × {N}", stack_lines("attention", "feed-forward", "(each: norm first)" if cfg["norm_first"]
                                             else "(each: add & norm)"),
                 tag("block", 1, T, d), "accent"),
            card("pooled vector", stack_lines(f"mean over the {n}", "real tokens" if n != 1 else "real token"),
                 tag("pooled", 1, d)),
            card("sentiment", verdict, tag("logits", 1, k), pred),
        ]
        self.stages = stages
        top, bottom = VGroup(*stages[:4]).arrange(RIGHT, buff=0.3), VGroup(*stages[4:]).arrange(RIGHT, buff=0.3)
        grid = VGroup(top, bottom).arrange(DOWN, buff=0.55)
        fit(grid, 13.4, 5.2).move_to(UP * 0.3)  # a margin to the frame's edges
        legend = label(f"T = {T} positions (max_len)    d = {d} (d_model)    h = {h} heads    N = {N}", size=22,
                       role="muted")
        fit(legend, 13).move_to(DOWN * 2.65)
        arrows = VGroup(*[Arrow(a[0].get_right(), b[0].get_left(), buff=0.03, stroke_width=4, color=color("muted"),
                                max_tip_length_to_length_ratio=0.5)
                          for row in (top, bottom) for a, b in zip(row, row[1:])])
        mid_y = (top.get_bottom()[1] + bottom.get_top()[1]) / 2  # down, across the gap, down again
        a, b = top[-1][0].get_bottom(), bottom[0][0].get_top()
        path = VMobject(stroke_color=color("muted"), stroke_width=4)
        path.set_points_as_corners([a, [a[0], mid_y, 0], [b[0], mid_y, 0], [b[0], mid_y - 0.02, 0]])
        turn = VGroup(path, Arrow([b[0], mid_y + 0.05, 0], b, buff=0.0, stroke_width=4, color=color("muted"),
                                  max_tip_length_to_length_ratio=0.6))

        # --- beat: reading: review → tokens → ids → embeddings -------------------------------------
        self.beat("read", LaggedStart(*[FadeIn(s, shift=RIGHT * 0.2) for s in top], lag_ratio=0.35),
                  LaggedStart(*[FadeIn(a) for a in arrows[:3]], lag_ratio=0.35), run_time=3)

        # --- beat: attention → block → pooled → sentiment ------------------------------------------
        self.beat("think" if self.says("think") else "think_one", FadeIn(turn), LaggedStart(*[FadeIn(s, shift=RIGHT * 0.2) for s in bottom], lag_ratio=0.35),
                  LaggedStart(*[FadeIn(a) for a in arrows[3:]], lag_ratio=0.35), run_time=3)

        # --- beat: the shapes ----------------------------------------------------------------------
        self.beat("shapes", LaggedStart(*[Indicate(t, color=color("text"), scale_factor=1.15)
                                          for t in self.shape_tags.values()], lag_ratio=0.2),
                  FadeIn(legend), run_time=3)

        # --- beat: the attention weights, the largest tensor ----------------------------------------
        att = SurroundingRectangle(self.shape_tags["attention"], buff=0.06, color=color("accent"), stroke_width=4)
        self.beat("attention" if self.says("attention") else "attention_small", FadeIn(att), Indicate(self.shape_tags["attention"], color=color("accent")),
                  run_time=1.5)

        # --- beat: the parameter count -------------------------------------------------------------
        params = label(f"{int(m['n_params']):,} learned parameters", size=26, role="accent")
        params.move_to(legend)
        self.beat("params", FadeOut(att), FadeOut(legend, shift=DOWN * 0.2), FadeIn(params, shift=UP * 0.2),
                  run_time=1.2)

        # --- beat: the verdict ---------------------------------------------------------------------
        ring = SurroundingRectangle(stages[-1], buff=0.08, corner_radius=0.15, color=color(pred), stroke_width=6)
        self.beat("verdict", FadeIn(ring), Indicate(stages[-1][2], color=color(pred)), run_time=1.5)
        self.beat("close")
        self.finish()
