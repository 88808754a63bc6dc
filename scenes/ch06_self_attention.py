"""Chapter 6: raw self-attention on the first words of the example, with no learned weights.

X (5 × d) → X·Xᵀ → ÷ √d → softmax by rows = W → Y = W·X. Every number comes from
``attention.pkl``.
"""
from __future__ import annotations

import math

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, GrowFromCenter, Indicate,
                   ReplacementTransform, SurroundingRectangle, TransformFromCopy, VGroup, Write)

from scenes.common import (ChapterScene, Heatmap, col_labels, color, digits_for, fit, fmt, label, row_box, shape_tag,
                           shorten, tex, titled, vmatrix)

NARRATION = {
    "x": "Here {which}. Each word is one row of X: its embedding vector.",
    "goal": "Self-attention gives every word a new vector: a weighted average of all the rows of X. "
            "The weights form a matrix, W.",
    "xxt": "Where do the weights come from? We compare every word with every word: "
           "X times its own transpose holds all the dot products.",
    "scale": "Then we divide by the square root of d, which keeps the scores in a moderate range "
             "however long the vectors are.",
    "pick": "Each row of scores now becomes a row of weights. Let us follow one row.",
    "exp": "Softmax: raise e to the power of each score, which makes every number positive.",
    "divide": "Add them up, and divide each one by that sum.",
    "sum1": "The weights are all positive, and together they add up to one.",
    "heatmap": "Doing this for every row gives W. Brighter squares are larger weights, and each row sums to one.",
    "self": "Here every word gives its largest weight to itself: a vector is most like itself, "
            "so its own dot product wins.",
    "even": "Yet every weight lies between {w_lo} and {w_hi}, close to an even share of {share}: "
            "the scores in each row were nearly equal.",
    "uneven": "These weights are less even: they run from {w_lo} to {w_hi}, against an even share of {share}.",
    "single": "With a single word there is a single weight, and it must be one: the word attends only to itself.",
    "y": "Finally Y is W times X: each output row is a weighted mix of the word vectors, with the same shape as X.",
    "learned": "Notice that nothing here was learned. W comes from X alone. The next chapters change that.",
}



class Ch06SelfAttention(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        a = self.asset("attention")
        tokens = list(a["tokens"])
        X = np.asarray(a["X"])
        n, d = X.shape
        root = math.sqrt(d)
        sr = a["softmax_row"]
        r = int(sr["row"])
        self.title_card()
        self.set_heading("Self-attention, with no learned weights yet")

        # --- beat: X, one row per word
        xm = vmatrix(X, max_rows=n, max_cols=4, row_labels=tokens)
        x_block = titled(xm, "X", (1, n, d), xm.note_text)
        x_block.move_to([-3.4, 0.1, 0])
        self.beat("x", FadeIn(x_block, shift=UP * 0.2))

        # --- beat: Y = W X is a weighted average of the rows
        f1 = tex(r"Y = W\,X", size=52)
        f2 = tex(r"y_i = w_{i1}\,x_1 + w_{i2}\,x_2 + \dots + w_{i" + str(n) + r"}\,x_{" + str(n) + "}", size=38)
        f3 = label("weights ≥ 0, each row of W sums to 1", size=24, role="muted")
        goal = VGroup(f1, f2, f3).arrange(DOWN, buff=0.4)
        fit(goal, 6.2).move_to([3.6, 0.3, 0])
        self.beat("goal", Write(f1), FadeIn(f2, shift=UP * 0.2), FadeIn(f3), run_time=2)

        # --- beat: X · Xᵀ, all the dot products
        self.play(FadeOut(goal), FadeOut(x_block), run_time=0.6)
        XXt = np.asarray(a["XXt"])
        sm = vmatrix(XXt, max_rows=n, max_cols=n, row_labels=tokens)
        sm_cols = col_labels(sm, tokens)
        s_group = VGroup(sm, sm_cols).move_to([1.6, -0.2, 0])
        s_name = tex(r"X\,X^\top", size=44).move_to([-4.3, 1.2, 0])
        s_shape = shape_tag(f"({n}", f"{d}) · ({d}", f"{n}) → {n}", n, size=22).next_to(s_name, DOWN, buff=0.3)
        fit(s_shape, 4.4)
        self.beat("xxt", FadeIn(s_group), Write(s_name), FadeIn(s_shape), run_time=1.8)

        # --- beat: divide by √d
        scaled = np.asarray(a["scaled"])
        sc = vmatrix(scaled, max_rows=n, max_cols=n, row_labels=tokens)
        sc.move_to(sm, aligned_edge=LEFT).align_to(sm, UP)
        sc_name = tex(r"\frac{X\,X^\top}{\sqrt{d}}", size=44).move_to(s_name, aligned_edge=DOWN)
        sc_root = tex(r"\sqrt{" + str(d) + "} = " + fmt(root, "clean"), size=36, role="muted")
        sc_root.next_to(s_shape, DOWN, buff=0.35)
        self.beat("scale", ReplacementTransform(sm, sc), ReplacementTransform(s_name, sc_name), FadeIn(sc_root),
                  run_time=1.8)

        # --- beat: pick one row
        box = row_box(sc, r)
        self.beat("pick", GrowFromCenter(box), Indicate(sc.row_label_mobs[r], color=color("accent")), run_time=1.2)

        # --- beat: exponentials
        self.play(FadeOut(VGroup(sm_cols, sc_name, s_shape, sc_root)), FadeOut(sc.brackets),
                  FadeOut(sc.row_label_mobs), FadeOut(VGroup(*[sc.rows[i] for i in range(n) if i != r])),
                  run_time=0.6)
        table, cells = self.softmax_table(tokens, sr)
        self.play(FadeOut(box), ReplacementTransform(sc.rows[r], cells["scores"]), FadeIn(table), run_time=1.2)
        self.beat("exp", *[TransformFromCopy(s, e) for s, e in zip(cells["scores"], cells["exps"])],
                  FadeIn(cells["exp_label"]), run_time=1.5)

        # --- beat: their sum, and the quotients
        self.beat("divide", FadeIn(cells["sum"], shift=LEFT * 0.2),
                  *[TransformFromCopy(e, w) for e, w in zip(cells["exps"], cells["weights"])],
                  FadeIn(cells["w_label"]), run_time=1.8)
        self.beat("sum1", FadeIn(cells["total"], shift=UP * 0.2), run_time=1.0)

        # --- beat: the whole W as a heatmap
        self.clear_stage()
        W = np.asarray(a["W"])
        hm = Heatmap(W, tokens, cell=0.74, show_values=True, font_size=20)
        fit(hm, 9, 5.75).move_to([2.2, 0, 0])
        w_text = VGroup(tex(r"W = \mathrm{softmax}\!\left(\frac{X\,X^\top}{\sqrt{d}}\right)", 36),
                        shape_tag(n, n, size=22), label("each row sums to 1", size=22, role="muted"))
        w_text.arrange(DOWN, buff=0.3).move_to([-4.4, 0.2, 0])
        hi = SurroundingRectangle(VGroup(*[hm.square(r, j) for j in range(n)]), color=color("accent"),
                                  buff=0.03, stroke_width=3)
        self.beat("heatmap", FadeIn(hm), FadeIn(w_text), run_time=1.5, hold=1.5)
        self.play(Create(hi), run_time=0.6)
        self.wait(1.5)
        if self.says("self"):  # every word weighs itself most (model.claims decides)
            diag = VGroup(*[SurroundingRectangle(hm.square(i, i), color=color("accent"), buff=0.02, stroke_width=3)
                            for i in range(n)])
            self.beat("self", FadeOut(hi), Create(diag), run_time=1.0)
        key = next(k for k in ("even", "uneven", "single") if self.says(k))
        f = self.said.fields
        spread = VGroup(*[label(t, size=24, role="accent") for t in (
            [f"all {n * n} weights lie between {f['w_lo']} and {f['w_hi']}", f"an even share is 1/{n} = {f['share']}"]
            if n > 1 else ["one word: its one weight is 1"])]).arrange(DOWN, buff=0.15)
        fit(spread, 5.0).next_to(w_text, DOWN, buff=0.45)
        self.beat(key, FadeIn(spread, shift=UP * 0.2), run_time=1.0)

        # --- beat: Y = W X
        self.clear_stage()
        Y = np.asarray(a["Y"])
        hw = Heatmap(W, tokens, cell=0.5, legend=False, axis_titles=None)
        wg = titled(hw, "W", (n, n))
        xg = titled(vmatrix(X, max_rows=n, max_cols=3), "X", (n, d))
        yg = titled(vmatrix(Y, max_rows=n, max_cols=3), "Y", (n, d), role="accent")
        dot, eq = tex(r"\cdot", 48), tex("=", 48)
        prod = VGroup(wg, dot, xg, eq, yg).arrange(RIGHT, buff=0.35)
        for g in (xg, yg):  # line the matrix bodies up with the heatmap's squares
            g.shift(UP * (hw.squares.get_center()[1] - g[1].get_center()[1]))
        dot.set_y(hw.squares.get_center()[1])
        eq.set_y(hw.squares.get_center()[1])
        top = max(g[0].get_y() for g in (wg, xg, yg))
        for g in (wg, xg, yg):  # the three names on one line
            g[0].set_y(top)
        fit(prod, 13.4, 4.9).move_to([0, 0.45, 0])
        self.beat("y", FadeIn(prod, lag_ratio=0.15), run_time=2, hold=1.0)
        # one row: the row of W that was worked out above, and the output row it makes
        w_row = SurroundingRectangle(VGroup(*[hw.square(r, j) for j in range(n)]), color=color("accent"),
                                     buff=0.03, stroke_width=3)
        y_row = row_box(yg[1], r)
        self.play(Create(w_row), Create(y_row), run_time=0.8)
        self.wait(2.0)

        # --- beat: nothing learned
        note = label("no learned weights: W comes from X alone", size=26, role="accent")
        note.next_to(prod, DOWN, buff=0.35)
        fit(note, 12.5)
        self.beat("learned", FadeIn(note, shift=UP * 0.2), run_time=1.0)
        self.finish()

    def softmax_table(self, tokens, sr):
        """The worked softmax of one row: scores, exponentials, their sum, the quotients, and their sum."""
        scores, exps, weights = (np.asarray(sr[k], dtype=float) for k in ("scores", "exps", "weights"))
        r = int(sr["row"])
        n = len(scores)
        cw, rh, size = 1.55, 0.62, 22
        x0 = -3.2

        def num(v, digits, role="text"):
            return label(fmt(v, digits=digits), size=size, mono=True, role=role)

        # one number of decimals per row, enough for its largest entry's 2-3 significant figures
        ds, de, dw = (digits_for(a) for a in (scores, exps, weights))

        heads = VGroup(*[label(shorten(tokens[j], 10), size=size, role="token") for j in range(n)])
        for j, t in enumerate(heads):
            fit(t, cw - 0.1).move_to([x0 + j * cw, 1.5, 0])
        title = label(f"row of “{shorten(tokens[r])}”: how much it attends to each word", size=24, role="accent")
        title.move_to([0, 2.35, 0])
        fit(title, 13)
        rows_y = [0.8, 0.8 - rh * 1.7, 0.8 - rh * 3.4]
        s_lab = tex("s_j", 34).move_to([x0 - 2.1, rows_y[0], 0])
        e_lab = tex("e^{s_j}", 34).move_to([x0 - 2.1, rows_y[1], 0])
        w_lab = tex(r"w_j = \frac{e^{s_j}}{\sum_k e^{s_k}}", 34, role="accent").move_to([x0 - 2.1, rows_y[2], 0])
        fit(w_lab, 2.6).move_to([x0 - 2.1, rows_y[2], 0])
        score_cells = VGroup(*[num(v, ds).move_to([x0 + j * cw, rows_y[0], 0]) for j, v in enumerate(scores)])
        exp_cells = VGroup(*[num(v, de).move_to([x0 + j * cw, rows_y[1], 0]) for j, v in enumerate(exps)])
        w_cells = VGroup(*[num(v, dw, "accent").move_to([x0 + j * cw, rows_y[2], 0]) for j, v in enumerate(weights)])
        for g in (score_cells, exp_cells, w_cells):
            for t in g:
                fit(t, cw - 0.08)
        right = x0 + (n - 1) * cw + cw / 2 + 0.35
        s_sum = VGroup(tex(r"\sum_k e^{s_k} =", 32), num(sr["sum"], de)).arrange(RIGHT, buff=0.15)
        s_sum.next_to([right, rows_y[1], 0], RIGHT, buff=0)
        total = VGroup(tex(r"\sum_j w_j =", 32, role="accent"),
                       label(fmt(float(np.sum(weights)), digits=dw), size=26, mono=True, role="accent"))
        total.arrange(RIGHT, buff=0.15).next_to([right, rows_y[2], 0], RIGHT, buff=0)
        for g in (s_sum, total):
            fit(g, 7.1 - g.get_left()[0] - 0.1)
        table = VGroup(title, heads, s_lab)
        cells = {"scores": score_cells, "exps": exp_cells, "weights": w_cells, "exp_label": e_lab,
                 "w_label": w_lab, "sum": s_sum, "total": total}
        return table, cells
