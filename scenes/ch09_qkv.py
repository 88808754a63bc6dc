"""Chapter 9: learned queries, keys and values; one head's scores, weights and outputs; its heatmap.

Reads ``block.pkl``. The head shown (``head_shown``: the head of the strongest link) and the links
pointed out (``links_shown``) were picked from ``links`` by the export, never named here.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Arrow, Create, FadeIn, FadeOut, GrowArrow, ReplacementTransform,
                   SurroundingRectangle, VGroup, Write)

from scenes.common import (ELLIPSIS, ChapterScene, ValueMatrix, col_labels, color, fit, fmt, head_strips, label,
                           link_path, place_like, ring, shape_tag, shared_digits, shorten, stride_note, tex, text_line,
                           titled, token_grid, token_heatmap, vmatrix)

REVIEW_CAP = 30  # tokens drawn as boxes beside the heatmap; the heatmap itself shows all of them
DRAWN_NOTE = "weight drawn from all the others"  # the on-screen line beside the "draw" caption

NARRATION = {
    "x": "Back to our review: the model reads {n_tokens}. Each enters as its word vector plus its position vector.",
    "maps": "Rather than compare these vectors directly, the model sends them through three learned maps: "
            "a query, a key and a value for every token.",
    "roles": "The query asks what a token is looking for, the key says what it offers, "
             "and the value is what it hands over.",
    "head": "The model splits these columns among its {heads}. We follow one head now, and meet them all "
            "in the next chapter.",
    "head_one": "The model has a single head, which takes all of these columns. We follow it now.",
    "scores": "Every query is compared with every key by a dot product, divided by the square root of the "
              "head's width.",
    "softmax": "A softmax turns each row of scores into weights that add up to one.",
    "values": "Each token's output is the weighted average of the value vectors.",
    "heatmap": "Here are this head's weights for every token the model reads. Each row is a token asking; "
               "each column, a token answering.",
    "links": "The brightest square off the diagonal is this head's strongest link: {q} to {k}, {link_vs_even}.",
    "draw": "Summed over the other tokens, the most weight goes to {drawn}; "
            "the first gets {drawn_vs_even} times an even spread.",
    "draw_one": "Every token here is the same word, {drawn}, so all of the weight goes to it.",
    "alone": "This review is a single token, so there is no link between two different tokens: "
             "all of its weight rests on itself.",
    "learned": "None of these weights was written by hand: they come from the three maps, which training tuned.",
}


class Ch09QueryKeyValue(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        b = self.asset("block")
        tokens = [str(t) for t in b["tokens"]]
        x_in, Q, K, V = (np.asarray(b[k]) for k in ("x_in", "Q", "K", "V"))
        n, d = x_in.shape
        H, dh = int(b["n_heads"]), int(b["d_head"])
        shown_links = [tuple(ln) for ln in b["links_shown"]]  # empty for one token, which has no link
        h0 = int(b["head_shown"])  # the head of the first of them (no link: the first head)
        self.head_shown, self.links_shown = h0, shown_links  # for the tests
        S, Wt, Yh = np.asarray(b["scores"])[h0], np.asarray(b["weights"])[h0], np.asarray(b["head_out"])[h0]
        self.title_card()
        self.set_heading("Learned queries, keys and values")

        # --- beat: X for the whole review
        xm = vmatrix(x_in, max_rows=6, max_cols=2, row_labels=tokens)
        xg = titled(xm, "X", (n, d), xm.note_parts)
        w_note = VGroup(tex(r"W_Q,\; W_K,\; W_V", 30, "muted"),
                        label(f"learned, {fmt(np.asarray(b['Wq']).shape, 'shape')} each", size=20,
                              role="muted"))
        w_note.arrange(DOWN, buff=0.1)
        VGroup(xg, w_note).arrange(DOWN, buff=0.2).move_to([-4.6, 0, 0])
        self.beat("x", FadeIn(xg, shift=UP * 0.2), run_time=1.2)

        # --- beat: three learned maps (one number format, so the three matrices line up)
        qkv_digits = shared_digits(Q, K, V)
        rows = VGroup()
        for name, M, role, wname in (("Q", Q, "query", "W_Q"), ("K", K, "key", "W_K"), ("V", V, "value", "W_V")):
            f = tex(name + r" = X\," + wname + " + b_" + name, 34, role)
            rows.add(VGroup(f, vmatrix(M, max_rows=2, max_cols=3, digits=qkv_digits), shape_tag(*M.shape, size=22)))
        fw = max(r[0].width for r in rows)
        for k, r in enumerate(rows):  # formulas right-aligned, matrices in one column
            r[1].move_to([fw + 0.3 + r[1].width / 2, -k * 1.75, 0])
            r[0].next_to(r[1], LEFT, buff=0.3)
            r[2].next_to(r[1], RIGHT, buff=0.3)
        rows.move_to([2.5, 0.1, 0])
        fit(rows, 8.2)
        arrows = VGroup(*[Arrow(xm.brackets[1].get_right() + RIGHT * 0.1, r[0].get_left() + LEFT * 0.1, buff=0.05,
                                stroke_width=3, color=color(role), max_tip_length_to_length_ratio=0.12)
                          for r, role in zip(rows, ("query", "key", "value"))])
        self.beat("maps", *[GrowArrow(a) for a in arrows], FadeIn(rows, lag_ratio=0.2), FadeIn(w_note),
                  run_time=2.2)

        # --- beat: what each one is for
        roles = VGroup(*[label(text, size=20, role=role).next_to(r[0], DOWN, buff=0.15)
                         for text, role, r in zip(("what it looks for", "what it offers", "what it hands over"),
                                                  ("query", "key", "value"), rows)])
        self.beat("roles", FadeIn(roles, shift=UP * 0.1, lag_ratio=0.3), run_time=1.2)

        # --- beat: one head, one share of the columns
        self.clear_stage()
        m = min(n, 6)
        head = label(f"head {h0 + 1} of {H}", size=30, role="accent")
        cols = label(f"its share: {dh} of the {d} columns of Q, K and V", size=22, role="muted")
        side = VGroup(head, cols).arrange(DOWN, buff=0.2, aligned_edge=LEFT).move_to([-3.6, 2.2, 0])
        fit(side, 6.5)
        strips = head_strips([Q[0], K[0], V[0]], ("Q", "K", "V"), ("query", "key", "value"), H, h0)
        strip_note = label(f"one row of each: the token “{shorten(tokens[0])}”, all {d} columns", size=20,
                           role="muted")
        VGroup(strips, strip_note).arrange(DOWN, buff=0.3).move_to([0, -0.5, 0])
        self.beat("head" if self.says("head") else "head_one", FadeIn(side), FadeIn(strips, lag_ratio=0.1), FadeIn(strip_note), run_time=1.5)
        self.play(FadeOut(strips), FadeOut(strip_note), run_time=0.5)

        # --- beat: scores = Q Kᵀ / √dk (S, W and Y_h take one place in turn: one number format)
        s_digits = shared_digits(S, Wt, Yh)
        sm = vmatrix(S, max_rows=m, max_cols=m, row_labels=tokens, label_role="query", digits=s_digits)
        sm_cols = col_labels(sm, tokens, role="key")
        s_group = VGroup(sm, sm_cols)
        note = label(sm.note_text, size=20, role="muted").next_to(sm, DOWN, buff=0.2)
        right = VGroup(s_group, note)
        fit(right, 8.5, 4.5).move_to([2.6, 0, 0]).align_to([0, 1.7, 0], UP)
        f_s = tex(r"S = \frac{Q_h\,K_h^\top}{\sqrt{d_k}}", 42).move_to([-4.2, 0.4, 0])
        f_root = tex(r"\sqrt{d_k} = \sqrt{" + str(dh) + "} = " + fmt(np.sqrt(dh), "clean"), 32, "muted")
        f_root.next_to(f_s, DOWN, buff=0.35)
        f_shape = shape_tag(*S.shape, size=22).next_to(f_root, DOWN, buff=0.3)
        self.beat("scores", FadeIn(right), Write(f_s), FadeIn(f_root), FadeIn(f_shape), run_time=1.8)

        # --- beat: softmax by rows
        wm = ValueMatrix(Wt, max_rows=m, max_cols=m, row_labels=tokens, label_role="query", vmax=1.0,
                         digits=s_digits)
        self.score_layouts = [(sm.copy(), sm_cols), (place_like(wm, sm), sm_cols)]  # for the tests
        sums = sorted({fmt(v) for v in Wt.sum(axis=1)})
        f_w = tex(r"W = \mathrm{softmax}(S)", 40).move_to(f_s)
        w_sum = VGroup(label(f"each full row of {n}", size=22, role="muted"),
                       label(f"sums to {' to '.join(sums)}", size=22, role="muted")).arrange(DOWN, buff=0.08)
        fit(w_sum, 4.2).move_to(f_root)
        self.beat("softmax", ReplacementTransform(sm, wm), ReplacementTransform(f_s, f_w),
                  ReplacementTransform(f_root, w_sum), run_time=1.5)

        # --- beat: Y = W V
        ym = vmatrix(Yh, max_rows=m, max_cols=4, row_labels=tokens, label_role="query", digits=s_digits)
        y_note = label(ym.note_text, size=20, role="muted")
        yg = VGroup(ym, y_note).arrange(DOWN, buff=0.2)
        fit(yg, 8.5, 4.5).move_to(right).align_to([0, 1.7, 0], UP)
        f_y = tex(r"Y_h = W\,V_h", 40, "value").move_to(f_w)
        y_shape = shape_tag(*Yh.shape, size=22).move_to(f_shape)
        self.play(FadeOut(VGroup(wm, sm_cols, note, w_sum)), run_time=0.5)
        self.beat("values", FadeIn(yg), ReplacementTransform(f_w, f_y), ReplacementTransform(f_shape, y_shape),
                  run_time=1.5)

        # --- beat: the heatmap of the whole review, this head
        self.clear_stage()
        probe = VGroup(*[label(shorten(t, 10), size=18) for t in tokens])
        lab_w = max(p.width for p in probe)
        cell = min(0.45, (5.75 - lab_w - 0.15) / n)
        hm = token_heatmap(Wt, tokens, cell=cell, vmax=None)  # colours from 0 to this head's largest weight
        # axis names in the empty corner above the query labels and left of the key labels
        qry_t = label("query ↓", size=20, role="query")
        qry_t.next_to(hm.squares, UP, buff=0.1).align_to(hm.row_label_mobs, RIGHT).shift(LEFT * (cell + 0.1))
        key_t = label("key →", size=20, role="key").next_to(qry_t, UP, buff=0.12).align_to(qry_t, RIGHT)
        hm_all = VGroup(hm, key_t, qry_t)
        fit(hm_all, 7.0, 5.8).move_to([-3.3, 0, 0]).align_to([0, 2.9, 0], UP)
        title = label(f"head {h0 + 1} of {H}, " + (f"all {n} tokens" if n > 1 else f"its {n} token"), size=22,
                      role="accent")
        extra = stride_note(hm)
        info = VGroup(title, *([label(f"({extra})", size=18, role="muted")] if extra else []))
        x0 = hm_all.get_right()[0] + 0.5
        room = 6.95 - x0
        info.arrange(RIGHT, buff=0.2, aligned_edge=DOWN)
        fit(info, room).move_to([x0, 2.6, 0], aligned_edge=LEFT)
        self.heatmap = hm  # for the tests
        self.beat("heatmap", FadeIn(hm_all), FadeIn(info), run_time=1.8)

        # the review as token boxes: up to REVIEW_CAP tokens, then a visible ellipsis (links past it get no arc)
        shown = tokens if n <= REVIEW_CAP else tokens[:REVIEW_CAP - 1] + [ELLIPSIS]
        review = token_grid(shown, font_size=20, max_width=room, buff=0.1, line_buff=0.3, balance=False,
                            centred=False)  # left-aligned lines, room between them for the links
        reach = n if n <= REVIEW_CAP else REVIEW_CAP - 1
        fit(review, room, 4.0).next_to(info, DOWN, buff=0.35).align_to(info, LEFT)
        self.review = review  # for the tests
        if not shown_links:
            # --- beat: a single token has no link to another token; its one weight is on itself
            if n == 1:
                note = text_line(label(f"“{shorten(tokens[0])}”", size=22, role="query"), label("→ itself", size=22),
                                 label(f"weight {fmt(Wt[0, 0])}", size=22), buff=0.15)
                fit(note, room).next_to(review, DOWN, buff=0.25).align_to(review, LEFT)
                self.play(FadeIn(review), run_time=0.8)
                self.beat("alone", FadeIn(note), run_time=1.0)
            self.finish()
            return

        # --- beat: the strongest links
        marks, arcs, notes = VGroup(), VGroup(), VGroup()
        self.link_paths = []  # for the tests
        drawn = [ln for ln in shown_links if max(ln[1], ln[2]) < reach]
        for h, i, j, w in shown_links:
            marks.add(ring(hm.square(i, j), buff=0.02))
            if max(i, j) < reach:
                a, c = review.token(i), review.token(j)
                k = drawn.index((h, i, j, w))
                path = link_path(review, i, j, lane=k, lanes=len(drawn)).set_stroke(color("accent"), width=2 + 6 * w)
                self.link_paths.append(path)
                arcs.add(path, SurroundingRectangle(a, color=color("query"), buff=0.03, stroke_width=2),
                         SurroundingRectangle(c, color=color("key"), buff=0.03, stroke_width=2))
            notes.add(text_line(label(f"“{shorten(tokens[i])}”", size=22, role="query"), label("→", size=22),
                                label(f"“{shorten(tokens[j])}”", size=22, role="key"),
                                label(f"weight {fmt(w)}", size=22), buff=0.15))
        notes.arrange(DOWN, buff=0.12, aligned_edge=LEFT).next_to(review, DOWN, buff=0.25).align_to(review, LEFT)
        fit(notes, room)
        # the words that draw the most weight from all the others, with their column sums (model.claims
        # chose them); they take the notes' place in the next beat, on two lines or, short of room, one
        items = [label(f"“{shorten(tokens[j])}” {fmt(g)}", size=22, role="key")
                 for j, g in zip(self.said.facts["drawn"], self.said.facts["drawn_sums"])]
        drawn = VGroup(label(DRAWN_NOTE + ":", size=20, role="muted"),
                       text_line(*items, buff=0.3)).arrange(DOWN, buff=0.1, aligned_edge=LEFT)
        fit(drawn, room).next_to(review, DOWN, buff=0.25).align_to(review, LEFT)
        if drawn.get_bottom()[1] < -2.85:  # keep it above the caption
            drawn = text_line(label(DRAWN_NOTE + ":", size=20, role="muted"), *items, buff=0.2)
            fit(drawn, room).next_to(review, DOWN, buff=0.25).align_to(review, LEFT)
        self.play(FadeIn(review), run_time=0.8)
        self.beat("links", Create(marks), Create(arcs), FadeIn(notes), run_time=2.0)

        # --- beat: the column of the word drawing the most weight
        top = self.said.facts["drawn"][0]
        cols = ring(VGroup(hm.square(0, top), hm.square(n - 1, top)), role="key", buff=0.02)  # its column
        self.drawn = drawn  # for the tests
        self.beat("draw" if self.says("draw") else "draw_one", FadeOut(notes), FadeIn(drawn), Create(cols),
                  run_time=1.2)

        # --- beat: learned
        self.beat("learned", run_time=0.5)
        self.finish()

