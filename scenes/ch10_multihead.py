"""Chapter 10: h heads side by side, each on d/h columns; their outputs concatenated and projected.

Reads ``block.pkl`` (``weights``, ``head_out``, ``concat``, ``attn_out`` and the config numbers, and
what the export chose in them: ``heads_compared``, the two heads set side by side, and ``head_links``,
each head's strongest link); the code on screen is read from model/attention.py.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Arrow, Create, FadeIn, FadeOut, GrowArrow, SurroundingRectangle,
                   TransformFromCopy, VGroup, VMobject, Write)

from scenes.common import (ChapterScene, code_block, color, fit, fmt, head_strips, label, ring, shape_tag, shorten,
                           source_lines, stride_note, tex, text_line, token_heatmap, value_color, value_legend)

NARRATION = {
    "why": "One head gives each token one set of weights. For several sets, the model cuts Q, K and V into "
           "slices, one per head.",
    "split": "In shapes: the numbers stay the same; they are only regrouped, with a new axis for the heads.",
    "code": "In the code, a view and a transpose do the regrouping.",
    "heads": "Here is every head on our review, side by side.",
    "heads_agree": "Here is every head on our review. They mostly agree: their weights correlate at {r}{r_over}.",
    "heads_partly": "Here is every head on our review. They only partly agree: their weights correlate at "
                    "{r}{r_over}.",
    "heads_differ": "Here is every head on our review. They weigh the tokens differently: their weights "
                    "correlate at only {r}{r_over}.",
    "heads_alone": "Here is every head on our review. With a single token there is nothing else to look at: "
                   "each head puts all its weight on that token itself.",
    "compare": "Two of them, larger, each with its strongest link between two different tokens.",
    "pair_links": "Their strongest links differ: {qa} to {ka} in one head, {qb} to {kb} in the other.",
    "pair_key": "Both heads' strongest links point at the same word, {ka}: from {qa} in one, from {qb} in "
                "the other.",
    "pair_same": "Both heads' strongest links join the same two words: {qa} to {ka}.",
    "outs": "Each head hands back a narrow output: the weighted average of its own values.",
    "concat": "Laid side by side, the head outputs give back the full width.",
    "proj": "A last learned matrix mixes them, so every output column can draw on every head.",
    "shapes": "What comes out has the shape of what went in: one vector per token, now informed by its context.",
    "shapes_alone": "What comes out has the shape of what went in: one vector per token.",
}
PATH = "model/attention.py"


def pixel_matrix(arr, cell: float, vmax: float, outline: str | None = None, levels: int = 64) -> VGroup:
    """An array as a block of ``cell``-sized squares coloured by value (no numbers), row-major.

    Entries share one path per colour level (``levels`` steps from ``-vmax`` to ``+vmax``), so a
    16 × 32 block is a few dozen paths, not 512 squares that Cairo would draw one by one on every
    frame. (An ImageMobject would be one object, but manim 0.22's Cairo camera cannot paste images
    with the pinned Pillow 13.)
    """
    arr = np.atleast_2d(np.asarray(arr, dtype=float))
    vmax = vmax if vmax > 0 else 1.0
    level = np.clip(np.rint((arr / vmax + 1) / 2 * (levels - 1)), 0, levels - 1).astype(int)
    block = VGroup()
    for lv in np.unique(level):
        path = VMobject(stroke_width=0, fill_color=value_color(vmax * (2 * lv / (levels - 1) - 1), vmax),
                        fill_opacity=1)
        for r, c in zip(*np.nonzero(level == lv)):
            x, y, h = c * cell, -r * cell, cell / 2  # the square's centre and half-side
            path.start_new_path([x - h, y + h, 0])
            path.add_points_as_corners([[x + h, y + h, 0], [x + h, y - h, 0], [x - h, y - h, 0], [x - h, y + h, 0]])
        block.add(path)
    block.values, block.levels = arr, levels  # what it shows, for the tests
    if outline:
        block.add(SurroundingRectangle(block, color=color(outline), buff=0.02, stroke_width=2))
    return block


def shape_table(letters, numbers, size: float = 26) -> VGroup:
    """Shapes as two aligned rows: letters (B × n × d) over the real numbers (1 × 16 × 64), with arrows."""
    cols = VGroup()
    for k, (ls, ns) in enumerate(zip(letters, numbers)):
        top = shape_tag(*ls, size=size, role="muted")
        bottom = shape_tag(*ns, size=size, role="accent")
        cols.add(VGroup(top, bottom).arrange(DOWN, buff=0.2))
        if k < len(letters) - 1:
            cols.add(label("→", size=size, role="muted"))
    return cols.arrange(RIGHT, buff=0.4)


class Ch10MultiHead(ChapterScene):
    NARRATION = NARRATION

    def head_pair(self, heads, Wts, tokens, head_links, lab_w):
        """Two heads' heatmaps side by side with every token labelled (if it fits), the strongest link of
        each boxed, and a line naming those links. Both share one colour scale, 0 to the larger of
        their largest weights, which the key shows."""
        n = len(tokens)
        big_cell = min(0.34, (5.8 - lab_w - 0.6) / n, (13.2 - 2 * lab_w - 0.8 - 0.6) / (2 * n))
        vmax = float(max(np.max(Wts[h]) for h in heads))
        pair, callouts = VGroup(), VGroup()
        for k, h in enumerate(heads):
            hm = token_heatmap(Wts[h], tokens, cell=big_cell, legend=(k == len(heads) - 1), vmax=vmax)
            name = label(f"head {h + 1}", size=22, role="accent")
            name.next_to(hm.squares, UP, buff=0.1).align_to(hm.row_label_mobs, RIGHT)
            link = head_links[h]  # None for a single token
            if link is None:  # a single token: no link to box, only its weight on itself
                box = VGroup()
                callouts.add(text_line(label(f"head {h + 1}:", size=20, role="accent"),
                                       label(f"“{shorten(tokens[0])}”", size=20, role="query"),
                                       label("→ itself", size=20), label(fmt(Wts[h][0, 0]), size=20)))
            else:
                i, j, w = link
                box = ring(hm.square(i, j))
                callouts.add(text_line(label(f"head {h + 1}:", size=20, role="accent"),
                                       label(f"“{shorten(tokens[i])}”", size=20, role="query"), label("→", size=20),
                                       label(f"“{shorten(tokens[j])}”", size=20, role="key"),
                                       label(fmt(w), size=20)))
            pair.add(VGroup(hm, name, box))
        pair.arrange(RIGHT, buff=0.6, aligned_edge=DOWN)
        for g in pair[1:]:  # squares on one line, also when a legend reaches below a short heatmap
            g.shift(UP * (pair[0][0].squares.get_bottom()[1] - g[0].squares.get_bottom()[1]))
        extra = stride_note(pair[0][0])
        if extra:
            callouts.add(label(f"({extra})", size=18, role="muted"))
        callouts.arrange(RIGHT, buff=0.8)
        fit(callouts, 13)
        view = VGroup(pair, callouts).arrange(DOWN, buff=0.25)
        fit(view, 13.4, 5.8).move_to([0, 0, 0])
        self.pair_maps, self.callouts = [g[0] for g in pair], callouts  # for the tests
        return pair, callouts

    def construct(self):
        b = self.asset("block")
        tokens = [str(t) for t in b["tokens"]]
        d, H, dh = int(b["d_model"]), int(b["n_heads"]), int(b["d_head"])
        Wts, head_out = np.asarray(b["weights"]), np.asarray(b["head_out"])
        concat, attn_out = np.asarray(b["concat"]), np.asarray(b["attn_out"])
        n = len(tokens)
        T = int(self.asset("model")["config"]["max_len"])  # the padded length (n: this review's own tokens)
        head_links = list(b["head_links"])
        self.title_card()
        self.set_heading("Several heads at once")

        # --- beat: why more than one head: each gets a slice of the columns
        Q, K, V = (np.asarray(b[k]) for k in ("Q", "K", "V"))
        strips = head_strips([Q[0], K[0], V[0]], ("Q", "K", "V"), ("query", "key", "value"), H, None)
        strip_note = label(f"one row of each: the token “{shorten(tokens[0])}”, all {d} columns, cut into {H} "
                           f"slices of {dh}", size=20, role="muted")
        fit(VGroup(strips, strip_note).arrange(DOWN, buff=0.3), 13).move_to([0, 0, 0])
        self.beat("why", FadeIn(strips, lag_ratio=0.1), FadeIn(strip_note), run_time=1.5)

        # --- beat: the shapes, letters and real numbers (n, not T: our review runs alone, unpadded)
        table = shape_table([("B", "n", "d"), ("B", "h", "n", "dh"), ("B", "n", "d")],
                            [(1, n, d), (1, H, n, dh), (1, n, d)])
        fit(table, 12.5).move_to([0, 1.6, 0])
        keys = VGroup(*[label(t, size=20, role="muted") for t in
                        ("B: reviews in the batch (here one)",
                         f"n = {n} real token{'s' * (n != 1)}: our review, run alone, with no padding",
                         "d: columns of each vector", "h: heads", "dh = d / h: columns per head")])
        keys.arrange(DOWN, buff=0.1, aligned_edge=LEFT).next_to(table, DOWN, buff=0.5)
        self.play(FadeOut(strips), FadeOut(strip_note), run_time=0.5)
        self.beat("split", FadeIn(table, lag_ratio=0.3), FadeIn(keys), run_time=1.8)

        # --- beat: the lines of PyTorch that do the split
        code = code_block(source_lines(PATH, "q = Q.view(B, T, h, dh)", "v = V.view(B, T, h, dh)"), size=22,
                          comments_above=False)
        where = label(PATH, size=20, role="muted")
        t_note = label(f"In the code, T is the length fed in: here T = n = {n}; in a padded batch, T = {T}",
                       size=20, role="muted")
        cg = VGroup(VGroup(code, where).arrange(DOWN, buff=0.1, aligned_edge=RIGHT), t_note).arrange(DOWN, buff=0.3)
        fit(cg, 13).next_to(table, DOWN, buff=0.5)
        self.beat("code", FadeOut(keys), FadeIn(cg, shift=UP * 0.2), run_time=1.2)

        # --- beat: every head's heatmap, side by side
        self.clear_stage()
        lab_w = max(label(shorten(t, 10), size=18).width for t in tokens)
        alone = self.says("heads_alone")  # a single token: no link between two tokens, all weight on itself
        heads_key = next(k for k in ("heads_agree", "heads_partly", "heads_differ", "heads", "heads_alone")
                         if self.says(k))
        pair_key = next((k for k in ("pair_links", "pair_key", "pair_same") if self.says(k)), None)
        self.heads_compared = tuple(int(h) for h in b["heads_compared"])  # the export's pair; for the tests
        if H > 2:
            cell = min(0.3, (13.2 - lab_w - 0.8 - 0.35 * (H - 1)) / (H * n), (5.8 - lab_w - 0.95) / n)
            maps = VGroup()
            vmax = float(np.max(Wts))  # one colour scale for every head, 0 to the largest weight of any
            for h in range(H):
                hm = token_heatmap(Wts[h], tokens, cell=cell, rows=(h == 0), legend=(h == H - 1), vmax=vmax)
                name = label(f"head {h + 1}", size=22, role="accent").next_to(hm.col_label_mobs, UP, buff=0.12)
                name.match_x(hm.squares)
                maps.add(VGroup(hm, name))
            maps.arrange(RIGHT, buff=0.35, aligned_edge=DOWN)
            for g in maps:
                g[0].squares.align_to(maps[0][0].squares, DOWN)
            extra = stride_note(maps[0][0])
            note = label(f"rows: query, columns: key; all {n} tokens" + (f", {extra}" if extra else ""), size=20,
                         role="muted")
            grid = VGroup(maps, note).arrange(DOWN, buff=0.25)
            fit(grid, 13.4, 5.8).move_to([0, 0, 0])
            self.beat(heads_key, FadeIn(maps, lag_ratio=0.2), FadeIn(note), run_time=2.0)
            self.clear_stage()

        if alone and H <= 2:
            # --- beat: every head (one or two) on a single token: all the weight on the token itself
            pair, callouts = self.head_pair(self.heads_compared, Wts, tokens, head_links, lab_w)
            self.beat("heads_alone", FadeIn(VGroup(*[p[:2] for p in pair])), FadeIn(callouts), run_time=1.5)
        elif not alone:
            # --- beat: two heads up close (all of them when there are only two), each with its strongest link
            pair, callouts = self.head_pair(self.heads_compared, Wts, tokens, head_links, lab_w)
            key = "compare" if self.says("compare") else heads_key
            self.beat(key, FadeIn(VGroup(*[p[:2] for p in pair])), run_time=1.5, hold=0.5)
            if pair_key:
                self.beat(pair_key, *[Create(p[2]) for p in pair], FadeIn(callouts), run_time=1.0)
            else:  # the links are shown, nothing is said of how they compare
                self.play(*[Create(p[2]) for p in pair], FadeIn(callouts), run_time=0.8)
                self.wait(2.5)

        # --- beat: each head's output
        self.clear_stage()
        # one colour scale for the head outputs, their concatenation and the projected output
        vmax = float(max(np.abs(head_out).max(), np.abs(concat).max(), np.abs(attn_out).max()))
        pc = min(0.075, 1.6 / n, 4.8 / d)
        outs = VGroup(*[pixel_matrix(head_out[h], pc, vmax, outline="value") for h in range(H)])
        outs.arrange(RIGHT, buff=0.7).move_to([0, 2.25 - n * pc / 2, 0])  # their labels end at y = 2.85
        out_names = VGroup(*[VGroup(label(f"head {h + 1}", size=20, role="value"),
                                    label(f"{n} × {dh}", size=20, role="muted", mono=True))
                             .arrange(DOWN, buff=0.06).next_to(o, UP, buff=0.12) for h, o in enumerate(outs)])
        axes = VGroup(label(f"a row per token ({n})", size=20, role="muted"),
                      label(f"a column per number ({dh} a head)", size=20, role="muted"))
        axes.arrange(DOWN, buff=0.12, aligned_edge=RIGHT).next_to(outs, LEFT, buff=0.5)
        key = value_legend(vmax, size=18, title="colour: value of each entry").next_to(outs, RIGHT, buff=0.6)
        self.beat("outs", FadeIn(outs, lag_ratio=0.2), FadeIn(out_names), FadeIn(axes), FadeIn(key), run_time=1.5)

        # --- beat: concatenate
        row_y = outs.get_bottom()[1] - 0.65 - n * pc / 2  # the second row, under the first and its label
        joined = outs.copy().arrange(RIGHT, buff=0).move_to([-3.9, row_y, 0])
        # the concat array itself, cut at the head boundaries (it equals the moved blocks)
        cat = VGroup(*[pixel_matrix(concat[:, h * dh:(h + 1) * dh], pc, vmax, outline="value") for h in range(H)])
        cat.arrange(RIGHT, buff=0).move_to(joined)
        cat_name = label(f"concat: {n} × {d}", size=22).next_to(cat, UP, buff=0.15)
        cat_code = code_block(source_lines(PATH, "concat = head_out.transpose(1, 2)"), size=20)
        fit(cat_code, 13.2).next_to(joined, DOWN, buff=0.25).set_x(0)
        self.beat("concat", *[TransformFromCopy(o, j) for o, j in zip(outs, joined)], FadeIn(cat_code),
                  run_time=1.5, hold=0.1)
        self.remove(*joined)
        self.add(cat)
        self.play(FadeIn(cat_name), run_time=0.5)
        self.wait(1.0)

        # --- beat: output projection
        out = pixel_matrix(attn_out, pc, vmax).move_to([3.9, row_y, 0])
        arrow = Arrow(cat.get_right() + RIGHT * 0.15, out.get_left() + LEFT * 0.15, buff=0.05, stroke_width=3,
                      color=color("muted"))
        w_o = tex(r"\times\,W_O + b_O", 32).next_to(arrow, UP, buff=0.1)
        out_name = label(f"output: {n} × {d}", size=22, role="accent").next_to(out, UP, buff=0.15)
        proj_code = code_block(source_lines(PATH, "out = self.proj(concat)"), size=20)
        fit(proj_code, 13.2).move_to(cat_code)
        self.beat("proj", GrowArrow(arrow), Write(w_o), FadeIn(out), FadeIn(out_name), FadeOut(cat_code),
                  FadeIn(proj_code), run_time=2.0)

        # --- beat: same shape in and out
        self.clear_stage()
        table2 = shape_table([("B", "n", "d"), ("B", "h", "n", "dh"), ("B", "n", "d")],
                             [(1, *concat.shape), (1, H, *head_out.shape[1:]), (1, *attn_out.shape)])
        fit(table2, 12.5).move_to([0, 0.3, 0])
        same = VGroup(*[SurroundingRectangle(table2[k][1], color=color("accent"), buff=0.1, stroke_width=2.5)
                        for k in (0, len(table2) - 1)])
        self.beat("shapes" if self.says("shapes") else "shapes_alone", FadeIn(table2, lag_ratio=0.2), run_time=1.5, hold=0.5)
        self.play(Create(same), run_time=0.8)
        self.wait(2.0)
        self.finish()
