"""Chapter 12: from token vectors to a verdict. Masked mean pooling, the linear head, softmax.

Numbers come from ``classify.pkl`` (pooled vectors, the head's weights, logits and
probabilities of the example reviews, and the padding check), ``tokens.pkl`` (the
example's padding mask) and ``dataset.pkl`` (the examples' text). The examples are three
test reviews, or the one review given to ``export --text``; a review longer than T is read
up to T tokens and has no padding. Which lines are said is decided in model/claims/story.py.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, ORIGIN, RIGHT, UP, FadeIn, GrowFromEdge, LaggedStart, MathTex, Rectangle,
                   RoundedRectangle, SurroundingRectangle, VGroup, Write)

from scenes.common import ChapterScene, TokenRow, ValueMatrix, bar, color, cut_lines, fit, fmt, label

NARRATION = {  # lines with {fields}, and alternatives, are decided by model/claims/story.py
    "rows": "After the blocks, every position holds a vector. But the review is padded, "
            "and the mask says which positions are real tokens.",
    "rows_full": "After the blocks, every position holds a vector. This review fills all {T} of them, "
                 "so the mask is 1 everywhere: no padding.",
    "rows_cut": "After the blocks, every position holds a vector. This review has {n_total} tokens; the model "
                "reads the first {T}, so there is no padding.",
    "pool": "To get one vector for the whole review, we average the vectors of the real tokens only.",
    "pad_check": "Padding must not change the answer. The masked average is the same with or without padding; "
                 "a plain average over all rows is not.",
    "pad_check_none": "With no padding there is nothing for the mask to leave out: all three averages agree.",
    "head": "A linear head turns the pooled vector into two scores, one per class: "
            "a dot product with each row of its weights, plus a bias.",
    "softmax": "Softmax turns the two scores into probabilities that add up to one.",
    "examples": "{here} from the test set, with the model's probability of positive.",
    "examples_own": "Here is your review, with the model's probability of positive. It has no label to check.",
    "examples_mixed": "Here are our {n_reviews}, with the model's probability of positive.",
    "wrong": "It is not always right. This review is one the model gets wrong.",
}
SHOWN = 5  # leading entries of each d-vector on screen
CLASSES = ("negative", "positive")
COLS = {"text": -6.5, "true": 0.2, "prob": 1.5, "mark": 6.0}  # left edges (text, prob) and centres of the cards


class Ch12Classification(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        cls, tok, ds = self.asset("classify"), self.asset("tokens"), self.asset("dataset")
        ex = cls["examples"][0]
        pad = cls["pad_check"]
        d = int(np.asarray(ex["pooled"]).shape[0])
        mask = np.asarray(tok["batch_mask"][0])
        n, T = int(mask.sum()), int(mask.shape[0])
        self.title_card()

        # --- beat: the padded rows and the mask ----------------------------------------------------
        self.set_heading("Masked mean pooling")
        k, pads = min(n, 9), min(3, T - n)  # the first real tokens, and the first padding positions (if any)
        pad_word = {int(i): w for i, w, _ in tok["vocab_head"]}.get(int(tok["batch_ids"][0][n]) if pads else 0)
        more_real, more_pad = (["…"] if n > k else []), (["…"] if T - n > pads else [])
        shown = list(ex["tokens"][:k]) + more_real + [pad_word] * pads + more_pad
        row = TokenRow(shown, font_size=26, max_tokens=len(shown), max_width=12.0).move_to(UP * 2.2)
        mask_vals = [int(mask[i]) for i in range(k)] + more_real + [int(mask[n + j]) for j in range(pads)] + more_pad
        mask_row = VGroup(*[label(str(v), size=24, mono=True, role="accent" if v == 1 else "pad")
                            for v in mask_vals])
        for m, t in zip(mask_row, row):
            m.next_to(t, DOWN, buff=0.2).set_x(t.get_x())
        for m in mask_row:  # dots sit on the digits' baseline
            if m.original_text == "…":
                m.align_to(mask_row[0], DOWN)
        mask_tag = label("mask", size=22, role="muted").next_to(mask_row, LEFT, buff=0.3)
        strip = VGroup(row, mask_row, mask_tag)  # the tag left of the row must stay in the frame too
        strip.shift(RIGHT * (-strip.get_center()[0]))
        fit(strip, 13.2)
        total = int(self.said.facts["n_total"])
        counts = label(f"n = {n} real token{'s' * (n != 1)}, then {T - n} padding position{'s' * (T - n != 1)}: "
                       f"T = {T}" if n < T else f"n = {n} real tokens fill all T = {T} positions: no padding"
                       if total <= T else f"the first {T} of its {total:,} tokens fill all T = {T} positions",
                       size=24, role="muted")
        counts.next_to(mask_row, DOWN, buff=0.3).set_x(0)
        self.beat(next(k for k in ("rows", "rows_full", "rows_cut") if self.says(k)), FadeIn(row), FadeIn(mask_row), FadeIn(mask_tag), FadeIn(counts), run_time=1.5)

        # --- beat: the masked mean -----------------------------------------------------------------
        formula = label("pooled = (sum of the vectors where mask = 1) / n", size=26)
        formula.next_to(counts, DOWN, buff=0.35).set_x(0)
        self.beat("pool", Write(formula), run_time=1.5)

        # --- beat: the padding check, three pooled vectors -----------------------------------------
        vmax = max(float(np.abs(np.asarray(v)[:SHOWN]).max()) for v in pad.values())
        ref = np.asarray(pad["pooled_no_pad"])
        specs = [("pooled_no_pad", "masked mean, review alone"), ("pooled_padded", "masked mean, padded to T"),
                 ("pooled_unmasked", "plain mean over all T rows")]
        checks = VGroup()
        for j, (key, name) in enumerate(specs):
            vec = np.asarray(pad[key])
            diff = float(np.abs(vec - ref).max())
            same = j > 0 and np.allclose(vec, ref, atol=1e-5)
            verdict = ("" if j == 0 else "identical" if diff == 0 else f"differs by ≤ {diff:.0e}" if same
                       else f"differs by up to {fmt(diff)}")
            checks.add(self.vec_row(name, vec, vmax, verdict, "positive" if same else "negative"))
        checks.arrange(DOWN, buff=0.22)
        for c in checks:  # line the matrices up under each other
            c.shift(RIGHT * (checks[0][1].get_x() - c[1].get_x()))
        fit(checks, 13).next_to(formula, DOWN, buff=0.35).set_x(0)
        note = label(f"first {SHOWN} of d = {d} entries", size=20, role="muted").next_to(checks, DOWN, buff=0.1)
        note.align_to(checks, RIGHT)
        said = [k for k in ("pad_check", "pad_check_none") if self.says(k)]
        if said:  # else the check failed (the model's masking is broken): it is not shown as passed
            self.beat(said[0], LaggedStart(*[FadeIn(c, shift=DOWN * 0.1) for c in checks], lag_ratio=0.5),
                      FadeIn(note), run_time=2.5)
        self.clear_stage()

        # --- beat: the linear head -----------------------------------------------------------------
        self.set_heading("The classifier head")
        W, b_head = np.asarray(cls["W_head"]), np.asarray(cls["b_head"])
        pooled, logits = np.asarray(ex["pooled"]), np.asarray(ex["logits"])
        cw = 1.0
        pv = ValueMatrix(pooled[None, :], max_rows=1, max_cols=SHOWN, font_size=20, cell_width=cw)
        wm = ValueMatrix(W, max_rows=2, max_cols=SHOWN, font_size=20, cell_width=cw, row_labels=list(CLASSES))
        wm.next_to(pv, DOWN, buff=0.45)
        pv.shift(RIGHT * (wm.cells[0].get_x() - pv.cells[0].get_x()))  # columns line up for the dot products
        pv_tag = label(f"pooled  1 × {d}", size=22, role="accent").next_to(pv, LEFT, buff=0.3)
        w_tag = label(f"W_head  {W.shape[0]} × {W.shape[1]}", size=22, role="accent")
        w_tag.next_to(wm, DOWN, buff=0.15).align_to(wm, LEFT)
        sums = VGroup()
        for c in range(2):
            sign = "−" if float(b_head[c]) < 0 else "+"
            s = label(f"· pooled {sign} {fmt(abs(float(b_head[c])))} = {fmt(logits[c])}", size=24,
                      mono=True)
            s.next_to(wm.brackets, RIGHT, buff=0.3).set_y(wm.row(c).get_y())
            sums.add(s)
        b_tag = label(f"b_head: {b_head.shape[0]} numbers, logits: {logits.shape[0]} scores", size=20, role="muted")
        b_tag.next_to(sums, DOWN, buff=0.3).align_to(sums, LEFT)
        head = VGroup(pv, wm, pv_tag, w_tag, sums, b_tag)
        fit(head, 13).move_to(UP * 1.2)
        self.beat("head", FadeIn(pv), FadeIn(pv_tag), FadeIn(wm), FadeIn(w_tag), FadeIn(sums), FadeIn(b_tag),
                  run_time=2)

        # --- beat: softmax -------------------------------------------------------------------------
        probs = np.asarray(ex["probs"])
        z0, z1 = fmt(logits[0]), fmt(logits[1])
        soft = MathTex(r"P(\text{positive}) = \frac{e^{" + z1 + "}}{e^{" + z0 + "} + e^{" + z1 + "}} = "
                       + fmt(probs[1], digits=3), font_size=40, color=color("text"))
        soft.move_to(DOWN * 0.75)
        bars = VGroup()
        for c, name in enumerate(CLASSES):
            bx = bar(probs[c], width=5.0, role=name).move_to(DOWN * (1.85 + 0.5 * c), aligned_edge=LEFT).set_x(0.2)
            nm = label(name, size=24, role=name).next_to(bx, LEFT, buff=0.3)
            val = label(fmt(probs[c], digits=3), size=24, mono=True).next_to(bx, RIGHT, buff=0.3)
            bars.add(VGroup(nm, bx, val))
        self.beat("softmax", Write(soft), *[GrowFromEdge(g[1][1], LEFT) for g in bars],
                  *[FadeIn(VGroup(g[0], g[1][0], g[2])) for g in bars], run_time=2)
        self.clear_stage()

        # --- beat: the three example reviews -------------------------------------------------------
        self.set_heading("The example reviews")
        cards = VGroup(*[self.card(e, ds_e) for e, ds_e in zip(cls["examples"], ds["examples"])])
        cards.arrange(DOWN, buff=0.18)
        header = self.card_header(self.said.facts["source"])
        table = VGroup(header, cards).arrange(DOWN, buff=0.15)
        fit(table, 13.6, 5.7).move_to(DOWN * 0.05)
        self.beat(next(k for k in ("examples", "examples_own", "examples_mixed") if self.says(k)), FadeIn(header), LaggedStart(*[FadeIn(c, shift=UP * 0.15) for c in cards], lag_ratio=0.4),
                  run_time=2.5)

        # --- beat: the one it gets wrong -----------------------------------------------------------
        wrong = list(self.said.facts["wrong"])  # the reviews it gets wrong (None: a review with no label)
        if self.says("wrong"):
            frame = SurroundingRectangle(cards[wrong[0]], buff=0.08, corner_radius=0.12, color=color("accent"),
                                         stroke_width=5)
            veils = VGroup(*[Rectangle(width=c.width + 0.1, height=c.height + 0.1, stroke_width=0,
                                       fill_color=color("background"), fill_opacity=0.7).move_to(c)
                             for i, c in enumerate(cards) if i != wrong[0]])  # dim the others
            self.beat("wrong", Write(frame), FadeIn(veils), run_time=1.5)
        self.finish()

    # --- pieces ------------------------------------------------------------------------------------
    @staticmethod
    def vec_row(name: str, vec: np.ndarray, vmax: float, verdict: str, role: str) -> VGroup:
        """``name  [v0 … v4 …]  verdict``, the matrix at a fixed place so that rows line up."""
        m = ValueMatrix(vec[None, :], max_rows=1, max_cols=SHOWN, font_size=20, vmax=vmax, cell_width=0.95)
        m.move_to(RIGHT * 0.2)
        t = label(name, size=22).next_to(m, LEFT, buff=0.3)
        v = label(verdict, size=22, role=role).next_to(m, RIGHT, buff=0.3)
        return VGroup(t, m, v)

    @staticmethod
    def card(e: dict, ds_e: dict) -> VGroup:
        """One example review in fixed columns: text, true label, P(positive) as a bar and number, right or wrong."""
        lines = VGroup(*[label(s, size=22, role="token") for s in cut_lines(ds_e["text"], 40, 4)])
        lines.arrange(DOWN, buff=0.1, aligned_edge=LEFT)
        lines.move_to(ORIGIN, aligned_edge=LEFT).set_x(COLS["text"] + lines.width / 2)
        y = int(e["label"])
        true = label(CLASSES[y] if y >= 0 else "no label", size=24, role=CLASSES[y] if y >= 0 else "muted")
        true.set_x(COLS["true"])
        p = float(np.asarray(e["probs"])[1])
        pbar = bar(p, width=2.2, role=CLASSES[int(e["pred"])])
        pbar.move_to(ORIGIN, aligned_edge=LEFT).set_x(COLS["prob"] + pbar.width / 2)
        value = label(fmt(p, digits=3), size=24, mono=True).next_to(pbar, RIGHT, buff=0.2)
        verdict = {True: ("right", "positive"), False: ("wrong", "negative"), None: ("?", "muted")}[e["correct"]]
        mark = label(verdict[0], size=24, role=verdict[1]).set_x(COLS["mark"])
        body = VGroup(lines, true, pbar, value, mark)
        for m in body[1:]:
            m.set_y(lines.get_y())
        box = RoundedRectangle(corner_radius=0.12, width=13.6, height=body.height + 0.3,
                               stroke_color=color("grid"), fill_color=color("panel"), fill_opacity=0.6)
        box.move_to(body).set_x(0)
        return VGroup(box, body)

    @staticmethod
    def card_header(source: str) -> VGroup:
        heads = [(f"review ({source})", "text"), ("true label", "true"), ("model's P(positive)", "prob"),
                 ("verdict", "mark")]
        out = VGroup()
        for text, col in heads:
            t = label(text, size=22, role="muted")
            if col in ("text", "prob"):
                t.move_to(ORIGIN, aligned_edge=LEFT).set_x(COLS[col] + t.width / 2)
            else:
                t.set_x(COLS[col])
            out.add(t)
        return out
