"""Chapter 7: shuffle the words, and raw self-attention hands back the same rows, shuffled.

Reads ``attention.pkl``: ``tokens``, ``perm``, ``tokens_perm``, ``Y`` and ``Y_perm``, and what the
export chose in them: ``matched_rows`` (which rows are equal, found from the numbers themselves, not
assumed from ``perm``) and ``followed_row`` (the word that moved furthest).
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, UP, Create, FadeIn, FadeOut, Line, SurroundingRectangle, VGroup, Write

from scenes.common import ChapterScene, TokenRow, color, digits_for, fit, fmt, label, output_pair, row_box, shorten, tex

NARRATION = {
    "words": "Take the same words as before.",
    "words_one": "Take the same review as before. It is a single word.",
    "shuffle": "Now shuffle them. The sentence reads differently, or stops making sense at all.",
    "alone": "A single word cannot be reordered: it has only one order, so there is nothing to shuffle here.",
    "same": "These words read the same in every order, so shuffling them changes nothing we could compare.",
    "run": "Run the very same self-attention on the shuffled rows, and compare its output with the first one.",
    "match": "Every output row comes back unchanged. It has only moved, exactly the way its word moved.",
    "follow": "Follow one word. It stands somewhere else in the shuffled sentence, yet its output row is the same.",
    "gap": "The linked rows agree to the last few decimals: only rounding separates them.",
    "gap_none": "The linked rows agree in every digit the computer keeps: not even rounding separates them.",
    "gap_more": "Compare the linked rows: they differ by up to {gap}, more than rounding alone would explain.",
    "why": "Why? A weight depends only on the two word vectors it compares, not on where they stand. "
           "And a sum gives the same result in any order.",
    "why_unshown": "With different words to shuffle, their output rows would only move: a weight compares two "
                   "word vectors, not places, and a sum ignores order.",
    "blind": "So self-attention on its own does not see word order. To it, a sentence is a bag of words.",
}


def telling_digits(Y: np.ndarray, n_cols: int, least: int, most: int = 5) -> int:
    """Fewest decimals (from ``least``) at which the shown part of every row of ``Y`` prints differently.

    Raw attention can make all rows alike; with too few decimals two different rows would
    print the same digits, and a viewer could not check which row went where.
    """
    shown = np.asarray(Y, dtype=float)[:, :n_cols]
    for k in range(least, most + 1):
        if len({tuple(r) for r in np.round(shown, k)}) == len(shown):
            return k
    return most


class Ch07Permutation(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        a = self.asset("attention")
        tokens, tokens_perm, perm = list(a["tokens"]), list(a["tokens_perm"]), [int(p) for p in a["perm"]]
        Y, Yp = np.asarray(a["Y"]), np.asarray(a["Y_perm"])
        n, d = Y.shape
        self.title_card()
        self.set_heading("Shuffle the words: what changes?")

        # --- beat: the words
        row1 = TokenRow(tokens, font_size=34, max_width=11)
        row1.move_to([0, 1.3, 0])
        self.beat("words" if self.says("words") else "words_one", FadeIn(row1, shift=UP * 0.2), run_time=1.0)
        self.reordered = self.says("shuffle")  # the export's reordering changes the sentence (model.claims)
        if not self.reordered:  # one word, or words that read the same in every order: show less
            self.nothing_to_shuffle(row1)
            return

        # --- beat: shuffled, with each word's path
        row2 = TokenRow(tokens_perm, font_size=34, max_width=11, role="accent")
        row2.move_to([0, -1.0, 0])
        paths = VGroup(*[
            Line(row1[perm[k]].get_bottom() + DOWN * 0.08, row2[k].get_top() + UP * 0.08,
                 stroke_color=color("muted"), stroke_width=2.5)
            for k in range(n)])
        self.beat("shuffle", Create(paths, lag_ratio=0.15), FadeIn(row2, shift=DOWN * 0.2), run_time=2.0)

        # --- beat: the two outputs
        sentence = VGroup(row1, row2, paths)
        self.play(sentence.animate.scale(0.55).move_to([0, 2.1, 0]), run_time=0.8)
        left, right, lg, rg = output_pair(Y, Yp, tokens, tokens_perm, ("Y", r"Y_{\text{shuffled}}"),
                                          lambda cols: telling_digits(Y, cols, digits_for(Y)), y=-0.55)
        self.beat("run", FadeIn(lg), FadeIn(rg), run_time=1.5)

        # --- beat: lines between equal rows
        match = list(a["matched_rows"])
        x0, x1 = left.brackets[1].get_right()[0] + 0.12, right.brackets[0].get_left()[0] - 0.12
        links = VGroup(*[
            Line([x0, left.rows[i].get_y(), 0], [x1, right.rows[k].get_y(), 0],
                 stroke_color=color("accent"), stroke_width=3)
            for k, i in enumerate(match)])
        self.row_links, self.matched, self.outputs = links, match, (left, right)  # for the tests
        if self.says("match"):
            self.beat("match", Create(links, lag_ratio=0.25), run_time=2.0)
        else:  # the rows are not equal to rounding: the links are drawn, the claim is not made
            self.play(Create(links, lag_ratio=0.25), run_time=2.0)

        # --- beat: follow the word that moved furthest
        i, k = a["followed_row"]
        boxes = VGroup(row_box(left, i), row_box(right, k))
        for t in (left.row_label_mobs[i], right.row_label_mobs[k]):
            boxes.add(SurroundingRectangle(t, color=color("accent"), buff=0.05, stroke_width=2))
        links_dim = [ln.animate.set_stroke(opacity=0.25) for j, ln in enumerate(links) if j != k]
        where = label(f"“{shorten(tokens[i])}”: word {i + 1} in order, word {k + 1} when shuffled: "
                      "the same output row", size=24, role="accent")
        fit(where, 12.5).move_to([0, 2.4, 0])
        if self.says("follow"):
            self.beat("follow", FadeOut(sentence), Create(boxes), *links_dim, FadeIn(where), run_time=1.5)
        else:
            self.play(FadeOut(sentence), run_time=0.5)

        # --- beat: how equal
        gap = float(np.max(np.abs(Yp - Y[match])))
        gap_text = label(f"largest difference between linked rows, over all {d} columns: {fmt(gap, 'auto')}",
                         size=22, role="muted")
        fit(gap_text, 12.5).move_to([0, 1.85, 0])
        self.beat(next(k for k in ("gap", "gap_none", "gap_more") if self.says(k)), FadeIn(gap_text, shift=DOWN * 0.2),
                  run_time=1.0)

        # --- beat: why
        self.clear_stage(caption=True)
        self.why_and_rule("why")

    def nothing_to_shuffle(self, row1) -> None:
        """The review cannot be reordered (one word, or words that read the same in any order)."""
        # --- beat: nothing to shuffle
        one = self.says("alone")
        why_not = "a single word has only one order" if one else "every order reads the same"
        note = label(f"nothing to shuffle: {why_not}", size=28, role="accent")
        fit(note, 12.5).next_to(row1, DOWN, buff=0.8)
        self.beat("alone" if one else "same", FadeIn(note, shift=UP * 0.2), run_time=1.2)
        self.clear_stage(caption=True)
        self.why_and_rule("why_unshown")

    def why_and_rule(self, key: str) -> None:
        """The two formulas that explain the result, then the rule (the chapter's end)."""
        w_eq = tex(r"w_{ij} = \mathrm{softmax}_j\!\left(\frac{x_i \cdot x_j}{\sqrt{d}}\right)", 44)
        w_note = label("uses only the two vectors, not where they stand", size=24, role="muted")
        y_eq = tex(r"y_i = \sum_j w_{ij}\, x_j", 44)
        y_note = label("a sum is the same in any order", size=24, role="muted")
        why = VGroup(VGroup(w_eq, w_note).arrange(DOWN, buff=0.2), VGroup(y_eq, y_note).arrange(DOWN, buff=0.2))
        why.arrange(DOWN, buff=0.6).move_to([0, 0.6, 0])
        self.beat(key, FadeIn(why[0], shift=UP * 0.2), FadeIn(why[1], shift=UP * 0.2), run_time=2.0)

        # --- beat: word order is invisible
        rule = label("self-attention alone ignores word order", size=34, role="accent")
        fit(rule, 12.5).next_to(why, DOWN, buff=0.6)
        self.beat("blind", Write(rule), run_time=1.5)
        self.finish()
