"""Chapter 8: a learned vector per position, added to each word's vector, makes order visible.

Reads ``attention.pkl`` (``P``, ``X``, ``XP``, ``Y_pos``, ``Y_pos_perm``, ``perm``, and ``changed_row``:
the word the export chose to follow in its two places) and the table length ``max_len`` from
``tokens.pkl``; the code on screen is read from model/transformer.py.
"""
from __future__ import annotations

import math

import numpy as np
from manim import DOWN, RIGHT, UP, Create, FadeIn, Line, SurroundingRectangle, VGroup, Write

from scenes.common import (ChapterScene, TokenRow, code_block, color, digits_for, fit, fmt, label, output_pair, row_box,
                           shorten, source_lines, tex, titled, vmatrix)

NARRATION = {
    "recap": "Self-attention alone reads a bag of words. The fix is to tell every word where it stands.",
    "p": "P holds one learned vector for every position: a row for the first place, a row for the second, "
         "and so on.",
    "p_one": "P holds one learned vector for every position. Our single word stands in the first place, "
             "so it needs only the first row.",
    "code": "In PyTorch that is a single line: an embedding table indexed by position instead of by word id. "
            "Training shapes it like every other weight.",
    "add": "Each word's vector gets its position's vector added. Same word, new place: a different row.",
    "add_one": "The word's vector gets the vector of its position added: X plus P.",
    "alone": "A single word has no other order to try, so here there is no second output to compare it with.",
    "same": "These words read the same in every order, so there is no second order to compare here.",
    "again": "Now run self-attention on both orders again, and link each word's two output rows.",
    "gap": "This time the linked rows differ: by at most {gap}, against values up to {top}. Small, but not zero.",
    "gap_large": "This time the linked rows differ, by as much as {gap} against values up to {top}.",
    "gap_some": "This time {n_differ} of the {n_rows} linked pairs of rows differ, by at most {gap}.",
    "gap_none": "Here the linked rows still agree to rounding: these positions change nothing we can see.",
    "differ": "Here is one word in its two places. Same word, different output: the position made the difference.",
    "order": "With positions added, word order finally counts.",
}
PATH = "model/transformer.py"


class Ch08Positions(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        a = self.asset("attention")
        T = int(self.asset("tokens")["max_len"])
        tokens, tokens_perm, perm = list(a["tokens"]), list(a["tokens_perm"]), [int(p) for p in a["perm"]]
        X, P, XP = (np.asarray(a[k]) for k in ("X", "P", "XP"))
        Yp, Ypp = np.asarray(a["Y_pos"]), np.asarray(a["Y_pos_perm"])
        n, d = X.shape
        pos_names = [f"position {i}" for i in range(n)]
        self.title_card()
        self.set_heading("Tell each word where it stands")

        # --- beat: words with their positions
        row = TokenRow(tokens, font_size=34, max_width=11).move_to([0, 0.5, 0])
        nums = VGroup(*[label(str(i), size=26, role="position").next_to(row[i], DOWN, buff=0.2) for i in range(n)])
        self.beat("recap", FadeIn(row), FadeIn(nums, lag_ratio=0.2), run_time=1.5)

        # --- beat: P, one learned row per position
        self.clear_stage(run_time=0.5, caption=True)  # the row and its caption
        pm = vmatrix(P, max_rows=n, max_cols=5, row_labels=pos_names, label_role="position")
        rows = f"rows 0 to {n - 1}" if n > 1 else "row 0"
        pg = titled(pm, "P", (n, d), f"{rows} of a {T} × {d} table; first {len(pm.shown_cols)} "
                                     f"of {d} columns", role="position")
        pg.move_to([0, 0.2, 0])
        self.beat("p" if self.says("p") else "p_one", FadeIn(pg, shift=UP * 0.2), run_time=1.5)

        # --- beat: the line of PyTorch that makes it
        code = code_block(source_lines(PATH, "self.pos = nn.Embedding("), size=24)
        where = label(PATH, size=20, role="muted")
        cg = VGroup(code, where).arrange(DOWN, buff=0.1, aligned_edge=RIGHT)
        target = VGroup(pg.copy(), cg).arrange(DOWN, buff=0.3).move_to([0, 0, 0])
        self.play(pg.animate.move_to(target[0]), run_time=0.6)
        self.beat("code", FadeIn(cg, shift=UP * 0.2), run_time=1.2)

        # --- beat: X + P
        self.clear_stage(caption=True)
        xm = vmatrix(X, max_rows=n, max_cols=2, row_labels=tokens)
        pm2 = vmatrix(P, max_rows=n, max_cols=2, row_labels=[str(i) for i in range(n)], label_role="position")
        sm = vmatrix(XP, max_rows=n, max_cols=2, row_labels=tokens)
        parts = VGroup(titled(xm, "X", (n, d)), tex("+", 48), titled(pm2, "P", (n, d), role="position"), tex("=", 48),
                       titled(sm, "X + P", (n, d), role="accent"))
        parts.arrange(RIGHT, buff=0.3)
        for sign in (parts[1], parts[3]):
            sign.set_y(xm.get_y())
        add_code = code_block(source_lines(PATH, "x = self.drop(tok + pos)"), size=22)
        add_where = label(PATH, size=20, role="muted")
        ag = VGroup(add_where, add_code).arrange(DOWN, buff=0.1, aligned_edge=RIGHT)
        VGroup(parts, ag).arrange(DOWN, buff=0.4).move_to([0, 0.1, 0])
        fit(VGroup(parts, ag), 13.7, 5.7)
        self.beat("add" if self.says("add") else "add_one", FadeIn(parts, lag_ratio=0.2), FadeIn(ag), run_time=2.0)
        self.reordered = self.says("again")  # the export's reordering changes the sentence (model.claims)
        if not self.reordered:  # one word, or words that read the same in every order: nothing to compare
            # --- beat: no second order
            one = self.says("alone")
            why_not = "a single word has only one order" if one else "every order reads the same"
            note = fit(label(f"no second order to compare: {why_not}", size=26, role="accent"), 12.5)
            shown = VGroup(parts, ag)
            target = shown.copy()
            fit(VGroup(target, note).arrange(DOWN, buff=0.5), 13.7, 5.7).move_to([0, 0.1, 0])
            self.beat("alone" if one else "same", shown.animate.scale(target.width / shown.width)
                      .move_to(target), FadeIn(note, shift=UP * 0.2), run_time=1.2)
            self.finish()
            return

        # --- beat: both orders again
        self.clear_stage(caption=True)
        diffs = np.abs(Ypp - Yp[perm]).max(axis=1)  # per shuffled row: its largest difference
        # enough decimals that the largest difference shows in the digits (at least those the values need)
        dg = int(np.clip(1 - math.floor(math.log10(max(float(diffs.max()), 1e-12))),
                         digits_for(np.concatenate([Yp, Ypp])), 5))
        left, right, lg, rg = output_pair(Yp, Ypp, tokens, tokens_perm,
                                          (r"Y_{\text{pos}}", r"Y_{\text{pos, shuffled}}"), lambda cols: dg, y=-0.35)
        x0, x1 = left.brackets[1].get_right()[0] + 0.12, right.brackets[0].get_left()[0] - 0.12
        links = VGroup(*[Line([x0, left.rows[perm[k]].get_y(), 0], [x1, right.rows[k].get_y(), 0],
                              stroke_color=color("muted"), stroke_width=3) for k in range(n)])
        self.beat("again", FadeIn(lg), FadeIn(rg), Create(links, lag_ratio=0.2), run_time=2.0)

        # --- beat: the rows now differ
        gap_text = label(f"largest difference between linked rows: {fmt(diffs.max(), 'auto')}", size=24, role="text")
        fit(gap_text, 12.5).move_to([0, 2.3, 0])
        gap_key = next(k for k in ("gap", "gap_large", "gap_some", "gap_none") if self.says(k))
        self.beat(gap_key, FadeIn(gap_text, shift=DOWN * 0.2), run_time=1.0)
        if not self.says("differ"):  # no word that moved shows a changed row: nothing to follow
            self.diff_pair = None  # for the tests
            self.finish()
            return

        # --- beat: one word, two places
        i, k = a["changed_row"]
        self.diff_pair = (i, k)  # for the tests
        marks = VGroup(row_box(left, i), row_box(right, k))
        for t in (left.row_label_mobs[i], right.row_label_mobs[k]):
            marks.add(SurroundingRectangle(t, color=color("accent"), buff=0.05, stroke_width=2))
        self.play(Create(marks), links[k].animate.set_stroke(color("accent"), width=4), run_time=0.8)
        self.wait(1.5)
        self.clear_stage(caption=True)
        ncols = 6
        r1 = vmatrix(Yp[i], max_cols=ncols, row_labels=[f"position {i}"], label_role="position", digits=dg)
        r2 = vmatrix(Ypp[k], max_cols=ncols, row_labels=[f"position {k}"], label_role="position", digits=dg)
        r3 = vmatrix(Ypp[k] - Yp[i], max_cols=ncols, row_labels=["difference"], label_role="accent", digits=dg)
        rows = VGroup(r1, r2, r3).arrange(DOWN, buff=0.35, aligned_edge=RIGHT)
        word = label(f"output row of “{shorten(tokens[i])}”", size=28, role="accent")
        note = label(r1.note_text, size=20, role="muted")
        big = label(f"largest difference: {fmt(diffs[k], 'auto')}", size=24)
        card = VGroup(word, rows, note, big).arrange(DOWN, buff=0.35)
        fit(card, 13, 5.6).move_to([0, 0.1, 0])
        self.beat("differ", FadeIn(card, shift=UP * 0.2), run_time=1.5)

        # --- beat: order counts (model.claims keeps it only where some linked rows differ)
        rule = label("position embeddings make word order visible", size=32, role="accent")
        fit(rule, 12.5).next_to(card, DOWN, buff=0.4)
        self.beat("order", Write(rule), run_time=1.5)
        self.finish()
