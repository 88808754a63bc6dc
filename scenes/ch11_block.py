"""Chapter 11: the transformer block. Attention, residual adds, layer norms and a feed-forward network.

The diagram follows ``block['norm_first']`` (post-norm or pre-norm, as the model was
built), and the vectors are the real intermediates of block 1 for one token of the
example review, chosen by rule: the first token.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, ORIGIN, RIGHT, UP, Arrow, Brace, Circle, Create, FadeIn, FadeOut, LaggedStart,
                   RoundedRectangle, VGroup, VMobject)

from scenes.common import ChapterScene, ValueMatrix, color, fit, label

NARRATION = {  # lines with {fields}, and alternatives, are decided by model/claims/story.py
    "diagram": "A transformer block wraps attention in a few simple steps: residual adds, "
               "layer norms and a small feed-forward network.",
    "x_in": "Let's follow one token through it, the first one of our review. "
            "In comes its vector: token embedding plus position.",
    "norm1": "Layer norm rescales each vector to a standard spread, keeping training stable.",
    "attn_out": "Multi-head attention mixes in information from the other tokens. "
                "This is what it returns for our token.",
    "attn_out_alone": "This review has just one token, so attention has only the token itself to look at. "
                      "This is what it returns.",
    "resid1": "A residual connection adds the input back, so nothing that came in is lost.",
    "ff_hidden": "The feed-forward network works on each token alone. It first widens the vector from {d} to "
                 "{d_ff} numbers, and ReLU sets every negative one to zero.",
    "ff_hidden_narrow": "The feed-forward network works on each token alone. It first narrows the vector from {d} "
                        "to {d_ff} numbers, and ReLU sets every negative one to zero.",
    "ff_hidden_same": "The feed-forward network works on each token alone. It first maps the vector to {d_ff} new "
                      "numbers, and ReLU sets every negative one to zero.",
    "ff_out": "Then it maps the wide vector back down to the model width, {d} numbers.",
    "ff_out_narrow": "Then it maps the narrow vector back up to the model width, {d} numbers.",
    "ff_out_same": "Then a second layer maps it to {d} numbers again, the model width.",
    "resid2": "A second residual add puts the feed-forward result on top of its input.",
    "block_out": "What leaves the block is as wide as what came in: one vector per token.",
    "stack": "A block's output has the same shape as its input, so blocks can be stacked, each reading "
             "the one before. Our small model uses just one.",
    "stack_many": "A block's output has the same shape as its input, so blocks can be stacked, each reading "
                  "the one before. Our model stacks {n_layers} of them.",
}

# (vector, diagram node, formula) in the order the model computes them
POST_NORM = [("x_in", "in", "token + position"), ("attn_out", "attn", "MultiHead(x_in)"),
             ("resid1", "add1", "x_in + attn_out"), ("norm1", "norm1", "LayerNorm(resid1)"),
             ("ff_hidden", "ff", "ReLU(norm1·W1 + b1)"), ("ff_out", "ff", "ff_hidden·W2 + b2"),
             ("resid2", "add2", "norm1 + ff_out"), ("block_out", "norm2", "LayerNorm(resid2)")]
PRE_NORM = [("x_in", "in", "token + position"), ("norm1", "norm1", "LayerNorm(x_in)"),
            ("attn_out", "attn", "MultiHead(norm1)"), ("resid1", "add1", "x_in + attn_out"),
            ("ff_hidden", "ff", "ReLU(LayerNorm(resid1)·W1 + b1)"), ("ff_out", "ff", "ff_hidden·W2 + b2"),
            ("resid2", "add2", "resid1 + ff_out"), ("block_out", "out", "resid2")]
# a stage's narration line and its alternatives, of which the data keeps one (model/claims/story.py)
LINES = {"attn_out": ("attn_out", "attn_out_alone"), "ff_hidden": ("ff_hidden", "ff_hidden_narrow", "ff_hidden_same"),
         "ff_out": ("ff_out", "ff_out_narrow", "ff_out_same")}
TOKEN = 0  # the rule: follow the first token of the example review
SHOWN = 5  # leading entries drawn per vector


def stages(norm_first: bool) -> list[tuple[str, str, str]]:
    return PRE_NORM if norm_first else POST_NORM


def node(kind: str, text: str = "") -> VGroup:
    """A diagram node: a box with a name, or a circle with a plus sign."""
    if kind == "add":
        c = Circle(radius=0.26, stroke_color=color("text"), stroke_width=2.5)
        return VGroup(c, label("+", size=30).move_to(c))
    role = {"attn": "accent", "ff": "value", "norm": "position", "io": "muted"}[kind]
    t = VGroup(*[label(s, size=22) for s in text.split("\n")]).arrange(DOWN, buff=0.06)
    box = RoundedRectangle(corner_radius=0.12, width=max(1.35, t.width + 0.3), height=1.0,
                           stroke_color=color(role), stroke_width=2.5, fill_color=color("panel"), fill_opacity=1)
    return VGroup(box, t.move_to(box))


def block_diagram(norm_first: bool) -> tuple[VGroup, dict[str, VGroup]]:
    """The block as the model computes it, left to right, with its two residual paths."""
    if norm_first:
        order = [("in", "io", "input"), ("norm1", "norm", "Layer\nNorm"), ("attn", "attn", "Multi-head\nattention"),
                 ("add1", "add", ""), ("norm2", "norm", "Layer\nNorm"), ("ff", "ff", "Feed-\nforward"),
                 ("add2", "add", ""), ("out", "io", "output")]
        skips = [("in", "add1"), ("add1", "add2")]
    else:
        order = [("in", "io", "input"), ("attn", "attn", "Multi-head\nattention"), ("add1", "add", ""),
                 ("norm1", "norm", "Layer\nNorm"), ("ff", "ff", "Feed-\nforward"), ("add2", "add", ""),
                 ("norm2", "norm", "Layer\nNorm"), ("out", "io", "output")]
        skips = [("in", "add1"), ("norm1", "add2")]
    nodes = {key: node(kind, text) for key, kind, text in order}
    row = VGroup(*nodes.values()).arrange(RIGHT, buff=0.42)
    keys = [k for k, _, _ in order]
    arrows = VGroup(*[Arrow(nodes[a].get_right(), nodes[b].get_left(), buff=0.04, stroke_width=3,
                            max_tip_length_to_length_ratio=0.4, color=color("muted"))
                      for a, b in zip(keys, keys[1:])])
    paths = VGroup()
    for a, b in skips:  # leave just after node a, run above the row, come down into the add circle b
        start = (nodes[a].get_right() + nodes[keys[keys.index(a) + 1]].get_left()) / 2
        top = row.get_top()[1] + 0.35
        p = VMobject(stroke_color=color("muted"), stroke_width=3)
        p.set_points_as_corners([start, [start[0], top, 0], [nodes[b].get_x(), top, 0], nodes[b].get_top()])
        paths.add(p)
    skip_tag = label("residual", size=20, role="muted").next_to(paths[0], UP, buff=0.06)
    diagram = VGroup(row, arrows, paths, skip_tag)
    return diagram, nodes


class Ch11Block(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        b = self.asset("block")
        norm_first = bool(b["norm_first"])
        d, n_layers = int(b["d_model"]), int(b["n_layers"])
        token = b["tokens"][TOKEN]
        plan = stages(norm_first)
        vmax = max(float(np.abs(np.asarray(b[k])[TOKEN, :SHOWN]).max()) for k, _, _ in plan)
        self.title_card()

        # --- beat: the block diagram ---------------------------------------------------------------
        self.set_heading("Block 1, " + ("pre-norm: LayerNorm before each sub-layer" if norm_first
                                        else "post-norm: LayerNorm after each residual add"))
        diagram, nodes = block_diagram(norm_first)
        fit(diagram, 13.2).move_to(UP * 2.05)
        self.beat("diagram", LaggedStart(*[FadeIn(m) for m in diagram[0]], lag_ratio=0.12), Create(diagram[1]),
                  Create(diagram[2]), FadeIn(diagram[3]), run_time=2.5)

        # --- beats: one token's vectors through the block, in the order the model computes them ----
        note = label(f"token {TOKEN + 1} of {len(b['tokens'])}: “{token}” · "
                     f"the first {SHOWN} entries of each vector",
                     size=22, role="muted")
        fit(note, 12.5).move_to(UP * 0.85)
        self.play(FadeIn(note), run_time=0.4)
        self.rows = VGroup()
        y, lit = 0.42, None
        for key, where, formula in plan:
            vec = np.asarray(b[key])[TOKEN]
            row = self.vector_row(key, vec, formula, vmax)
            row.set_y(y)
            y -= 0.43
            self.rows.add(row)
            ring = nodes[where][0].copy().set_stroke(color("accent"), width=6).set_fill(opacity=0)
            anims = [FadeIn(row, shift=DOWN * 0.15), FadeIn(ring)]
            if lit:
                anims.append(lit.animate.set_stroke(opacity=0))
            if key == "ff_hidden":  # ReLU at work: how many of the wide vector's entries are exactly zero
                zeros = label(f"ff_hidden: {int((vec == 0).sum())} of its {vec.shape[0]} entries are 0 after ReLU",
                              size=22, role="value")
                fit(zeros, 12.5).move_to(note)
                anims += [FadeOut(note), FadeIn(zeros)]
            elif key == "ff_out":
                anims += [FadeOut(zeros), FadeIn(note)]
            self.beat(next(k for k in LINES.get(key, (key,)) if self.says(k)), *anims, run_time=1.2)
            lit = ring
        self.play(lit.animate.set_stroke(opacity=0), run_time=0.3)
        self.remove(lit)

        # --- beat: the block stacked N times -------------------------------------------------------
        self.clear_stage()
        self.set_heading("Blocks can be stacked")
        stack = self.stack(n_layers, d)
        self.beat("stack" if self.says("stack") else "stack_many", LaggedStart(*[FadeIn(m, shift=UP * 0.2) for m in stack], lag_ratio=0.15), run_time=2)
        self.finish()

    # --- pieces ------------------------------------------------------------------------------------
    @staticmethod
    def vector_row(key: str, vec: np.ndarray, formula: str, vmax: float) -> VGroup:
        """``name  [v0 … v4 …]  1 × width  = formula`` for one vector, in fixed columns."""
        m = ValueMatrix(vec[None, :], max_rows=1, max_cols=SHOWN, font_size=20, vmax=vmax, cell_width=1.0,
                        cell_height=0.3)
        for br in m.brackets:  # shorter than the row pitch, so the stacked vectors do not read as one matrix
            br.stretch_to_fit_height(0.36)
        m.move_to(ORIGIN, aligned_edge=LEFT).shift(LEFT * 4.3)
        name = label(key, size=22, mono=True, role="accent")
        name.next_to(m, LEFT, buff=0.25).align_to(m.get_left() + LEFT * 0.25, RIGHT)
        shape = label(f"1 × {vec.shape[0]}", size=20, role="muted", mono=True).next_to(m, RIGHT, buff=0.25)
        form = label("= " + formula, size=20, role="muted")
        form.move_to(m.get_right() + RIGHT * 1.55, aligned_edge=LEFT)
        return VGroup(name, m, shape, form)

    @staticmethod
    def stack(n_layers: int, d: int) -> VGroup:
        """Embeddings, N blocks (the middle ones elided when there are many), and what follows."""
        def box(text, role, w=5.0):
            r = RoundedRectangle(corner_radius=0.14, width=w, height=0.85, stroke_color=color(role), stroke_width=3,
                                 fill_color=color("panel"), fill_opacity=1)
            return VGroup(r, label(text, size=30).move_to(r))
        shown = list(range(1, n_layers + 1)) if n_layers <= 3 else [1, 2, None, n_layers]
        items = [box("token + position embeddings", "muted", 6.8)]
        items += [box(f"block {k}", "accent") if k else label("⋮", size=34, role="muted") for k in shown]
        items += [box("to the classifier", "muted", 6.8)]
        col = VGroup(*items).arrange(UP, buff=0.6)
        arrows = VGroup(*[Arrow(a.get_top(), c.get_bottom(), buff=0.06, stroke_width=4, color=color("muted"),
                                max_tip_length_to_length_ratio=0.45) for a, c in zip(items, items[1:])])
        blocks = VGroup(*items[1:-1])
        brace = Brace(blocks, RIGHT, buff=0.9, color=color("accent"))
        count = VGroup(label(f"N = {n_layers}", size=40, role="accent"),
                       label("block" if n_layers == 1 else "blocks", size=28, role="muted"),
                       label(f"each maps T × {d} to T × {d}", size=24, role="muted")).arrange(DOWN, buff=0.15)
        count.next_to(brace, RIGHT, buff=0.3)
        group = VGroup(col, arrows, brace, count)
        fit(group, 12.5, 5.6).move_to(DOWN * 0.1)
        return group
