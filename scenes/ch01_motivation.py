"""Chapter 1: why attention. Context and order change meaning; where transformers came from; what we build.

Every sentence, weight and probability comes from ``classify.pkl`` (the motivation
sentences run through the trained model) and ``training.pkl``; which sentence plays
which part, which word is the focus, which heads are shown and which word is followed
were chosen by the export (``classify.pkl``'s ``motivation``, from :mod:`model.choices`).
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Arrow, Create, FadeIn, FadeOut, GrowArrow, LaggedStart, RoundedRectangle,
                   SurroundingRectangle, Transform, VGroup, Write)

from scenes.common import (AttentionLinks, ChapterScene, Heatmap, TokenRow, bar, color, fit, fmt, label, paragraph,
                           stack_lines)
from scenes.common import ring as ringed

NARRATION = {  # lines with {fields}, and alternatives, are decided by model/claims/story.py
    "hook": "To judge a movie review, a model must work out what each word means right here, in this sentence.",
    "context": "Take the word {focus}: in the first sentence it comes {near_a}, in the second {near_b}. "
               "The same word, in other company.",
    "context_attn": "Attention lets each word weigh the others. In one head of our model, {focus} weighs "
                    "{best_a} most in the first sentence and {best_b} in the second.",
    "context_spread": "But the weights are spread out: none takes half, and the largest is only {ratio} times "
                      "an even share.",
    "context_peak": "And one word stands out: {peak_word} takes {peak} of the weight.",
    "order": "Order matters too. These two sentences hold exactly the same words; only the places of "
             "{moved} differ.",
    "order_attn": "The model also knows where each word stands. Follow {word}: every word gives it "
                  "more weight when it comes {hi} than when it comes {lo}.",
    "order_attn_mixed": "The model also knows where each word stands. Follow {word} from {from} place to "
                        "{to}: some words give it more weight, others less.",
    "order_attn_flat": "The model also knows where each word stands, but here it hardly shows: the weights "
                       "{word} draws barely change when it moves.",
    "order_spread": "Every weight in these maps lies between {w_lo} and {w_hi}, close to an even share of {even}.",
    "paper": "The idea behind all this came in 2017, in the paper Attention Is All You Need. "
             "It introduced the transformer.",
    "halves": "A transformer has an encoder that reads and a decoder that writes. "
              "GPT-style models grew out of the decoder half.",
    "ours": "In this video we build the encoder half: small enough to train on a CPU.",
    "goal": "It reads a real IMDB review and says positive or negative. "
            "Here is its verdict on one test review.",
    "goal_own": "It reads a movie review and says positive or negative. Here is its verdict on your review.",
    "next": "And here is its score on the whole test set. Let's open it up and build it, one piece at a time.",
    "next_part": "And here is its score on {n_test} test reviews. "
                 "Let's open it up and build it, one piece at a time.",
    "next_none": "Let's open it up and build it, one piece at a time.",
}


def spread(row: TokenRow, min_slot: float, buff: float = 0.1) -> TokenRow:
    """Re-space a token row so that every token gets at least ``min_slot`` of width (room for a number below)."""
    centre, x = row.get_center(), 0.0
    for tok in row:
        slot = max(tok.width, min_slot)
        tok.set_x(x + slot / 2)
        x += slot + buff
    return row.move_to(centre)


class Ch01Motivation(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        cls, train = self.asset("classify"), self.asset("training")
        sents, pick = cls["sentences"], cls["motivation"]  # the sentences, and what the export chose in them
        (ca, cb), focus, (oa, ob) = pick["context_pair"], pick["focus_word"], pick["order_pair"]
        self.title_card()

        # --- beat: hook, the two context sentences ------------------------------------------------
        self.set_heading("Context changes meaning")
        rows = [spread(TokenRow(sents[k]["tokens"], font_size=34, max_width=12.5), 0.75) for k in (ca, cb)]
        rows[0].move_to(UP * 1.45)
        rows[1].move_to(DOWN * 1.05)
        self.beat("hook", LaggedStart(*[FadeIn(r, shift=UP * 0.2) for r in rows], lag_ratio=0.4), run_time=2)

        # --- beat: the focus word in both ----------------------------------------------------------
        fidx = list(pick["focus_places"])
        self.beat("context", *[r.token(i)[0].animate.set_stroke(color("accent"), width=4).set_fill(opacity=1)
                               for r, i in zip(rows, fidx)],
                  *[r.token(i)[1].animate.set_color(color("accent")) for r, i in zip(rows, fidx)])

        # --- beat: where the focus word looks (block 1, one head) ----------------------------------
        head = int(pick["focus_head"])
        n_heads = np.asarray(sents[ca]["weights"]).shape[0]
        links, numbers = VGroup(), VGroup()
        for r, k, i, best in zip(rows, (ca, cb), fidx, pick["focus_strongest"]):
            w = np.asarray(sents[k]["weights"])[head, i]
            start = [r.token(i).get_top() + UP * 0.05]
            ends = [r.token(j).get_top() + UP * 0.05 for j in range(len(w))]
            left, right = np.where(np.arange(len(w)) < i, w, 0.0), np.where(np.arange(len(w)) > i, w, 0.0)
            links.add(AttentionLinks(start, ends, left[None, :], arc=0.9),   # arcs bulge upwards on both sides
                      AttentionLinks(start, ends, right[None, :], arc=-0.9))
            for j, v in enumerate(w):
                t = label(fmt(v), size=22, mono=True, role="accent" if j == best else "muted")
                t.next_to(r.token(j), DOWN, buff=0.18)
                numbers.add(t)
        note = label(f"block 1 · head {head + 1} of {n_heads} · attention weights from “{focus}”", size=24,
                     role="muted")
        fit(note, 12.5).move_to(DOWN * 2.6)
        self.beat("context_attn", FadeIn(links), FadeIn(numbers), FadeIn(note),
                  run_time=2)
        self.beat("context_spread" if self.says("context_spread") else "context_peak")
        self.clear_stage()

        # --- beat: order, the same words reordered -------------------------------------------------
        self.set_heading("Order changes meaning")
        ta, tb = list(sents[oa]["tokens"]), list(sents[ob]["tokens"])
        row_a = TokenRow(ta, font_size=32).move_to(UP * 2.25 + LEFT * 3.5)
        row_b = TokenRow(tb, font_size=32).move_to(UP * 2.25 + RIGHT * 3.5)
        fit(VGroup(row_a, row_b), 13)
        mapping = list(pick["order_mapping"])
        moved = [p for p in range(len(tb)) if mapping[p] != p]  # the words that changed place
        flying = VGroup(*[row_a.token(k).copy() for k in mapping])
        for p in moved:
            flying[p][1].set_color(color("accent"))
            row_b.token(p)[1].set_color(color("accent"))
        self.play(FadeIn(row_a), run_time=0.6)
        self.beat("order", *[Transform(flying[p], row_b.token(p)) for p in range(len(tb))],
                  *[row_a.token(mapping[p])[1].animate.set_color(color("accent")) for p in moved],
                  run_time=2.2)

        # --- beat: the two attention maps of one head, values written in -------------------------
        wa, wb = np.asarray(sents[oa]["weights"]), np.asarray(sents[ob]["weights"])
        oh = int(pick["order_head"])  # the head whose map changes most beyond a reshuffle of the same words
        # one colour scale for both maps, 0 to their largest weight (the key shows it): these weights are
        # all near 1/5, and on a 0-to-1 scale every square would be the same dark colour
        vmax = float(max(wa[oh].max(), wb[oh].max()))
        maps = VGroup(*[Heatmap(w[oh], list(t), cell=0.74, font_size=20, show_values=True, legend=(k == 1),
                                vmax=vmax)
                        for k, (w, t) in enumerate(((wa, ta), (wb, tb)))])
        maps.arrange(RIGHT, buff=1.0, aligned_edge=UP)
        maps[1].shift(UP * (maps[0].squares.get_top()[1] - maps[1].squares.get_top()[1]))
        fit(maps, 13, 5.2).move_to(UP * 0.25)
        # the first word of the first sentence that moved: its column in both maps
        ka, kb = pick["moved_word"]
        cols = [(maps[0], ka), (maps[1], kb)]
        rings = VGroup(*[ringed(VGroup(*[m.square(i, j) for i in range(len(ta))]), stroke_width=4) for m, j in cols])
        for m, j in cols:
            m.col_label_mobs[j].set_color(color("accent"))
        head_note = label(f"block 1 · head {oh + 1} of {wa.shape[0]} · same words, new places", size=22,
                          role="muted")
        head_note.next_to(maps, DOWN, buff=0.15)
        self.play(FadeOut(VGroup(row_a, row_b, flying)), run_time=0.5)
        self.beat(next(k for k in ("order_attn", "order_attn_mixed", "order_attn_flat") if self.says(k)),
                  FadeIn(maps), FadeIn(head_note), Create(rings), run_time=1.5)
        if self.says("order_spread"):
            self.beat("order_spread")
        self.clear_stage()

        # --- beat: the 2017 paper ------------------------------------------------------------------
        self.set_heading("Where transformers came from")
        paper_box = RoundedRectangle(corner_radius=0.15, width=6.4, height=1.5, stroke_color=color("accent"),
                                     fill_color=color("panel"), fill_opacity=1)
        paper = VGroup(label("Attention Is All You Need", size=34),
                       label("Vaswani et al., 2017", size=26, role="muted")).arrange(DOWN, buff=0.2)
        paper_box.move_to(UP * 2.05)
        paper.move_to(paper_box)
        self.beat("paper", FadeIn(paper_box), Write(paper), run_time=1.5)

        # --- beat: encoder and decoder; GPT from the decoder --------------------------------------
        towers = VGroup(*[self.tower(name, role) for name, role in (("Encoder", "key"), ("Decoder", "query"))])
        towers.arrange(RIGHT, buff=1.2).move_to(DOWN * 0.75)
        link = Arrow(towers[0][0].get_right(), towers[1][0].get_left(), buff=0.15, color=color("muted"))
        from_paper = VGroup(*[Arrow(paper_box.get_bottom(), t.get_top(), buff=0.15, color=color("muted"))
                              for t in towers])
        gpt = stack_lines("GPT-style models", "write text", size=24, role="query", buff=0.12)
        gpt.next_to(towers[1][0], RIGHT, buff=0.8)
        gpt_arrow = Arrow(towers[1][0].get_right(), gpt.get_left(), buff=0.1, color=color("query"))
        self.beat("halves", *[GrowArrow(a) for a in from_paper], FadeIn(towers), GrowArrow(link), FadeIn(gpt),
                  GrowArrow(gpt_arrow), run_time=2)

        # --- beat: we build the encoder ------------------------------------------------------------
        ours = stack_lines("this video:", "read a review,", "say positive", "or negative", size=24, role="key",
                           buff=0.12)
        ring = SurroundingRectangle(towers[0], buff=0.15, corner_radius=0.15, color=color("accent"))
        ours.next_to(ring, LEFT, buff=0.7).set_y(towers[0][0].get_y())
        start = np.array([ring.get_left()[0], ours.get_y(), 0.0])
        ours_arrow = Arrow(start, ours.get_right(), buff=0.1, color=color("key"))
        self.beat("ours", Create(ring), FadeIn(ours), GrowArrow(ours_arrow), run_time=1.5)
        self.clear_stage()

        # --- beat: the goal, on a real review ------------------------------------------------------
        self.set_heading("What we build")
        ex = cls["examples"][0]
        ds_ex = self.asset("dataset")["examples"][0]  # the same review as classify's examples[0]
        review = paragraph(ds_ex["text"], chars=24, max_lines=6, font_size=24, role="token")
        own = not self.says("goal")  # a review the user typed: no test index, no label
        review_tag = label("your review" if own else f"IMDB test review #{ds_ex['index']}", size=22, role="muted")
        review_tag.next_to(review, UP, buff=0.25, aligned_edge=LEFT)
        review = VGroup(review_tag, review, SurroundingRectangle(VGroup(review_tag, review), buff=0.2,
                                                                 corner_radius=0.12, color=color("grid")))
        review.to_edge(LEFT, buff=0.5).set_y(0.7)
        model_box = VGroup(RoundedRectangle(corner_radius=0.2, width=2.6, height=1.6, stroke_color=color("accent"),
                                            fill_color=color("panel"), fill_opacity=1),
                           stack_lines("transformer", "encoder", size=28, buff=0.12))
        model_box[1].move_to(model_box[0])
        model_box.move_to(UP * 0.7 + RIGHT * 0.3)
        p = float(np.asarray(ex["probs"])[1])
        verdict_role = "positive" if int(ex["pred"]) == 1 else "negative"
        verdict = VGroup(label(verdict_role, size=36, role=verdict_role),
                         bar(p, width=3.0, role=verdict_role),
                         label(f"P(positive) = {fmt(p, digits=3)}", size=24, mono=True),
                         label("no label" if int(ex["label"]) < 0 else
                               f"true label: {('negative', 'positive')[int(ex['label'])]}", size=22, role="muted"))
        verdict.arrange(DOWN, buff=0.2)
        verdict.move_to(RIGHT * 4.7 + UP * 0.7)
        arrows = VGroup(Arrow(review.get_right(), model_box.get_left(), buff=0.2, color=color("muted")),
                        Arrow(model_box.get_right(), verdict.get_left(), buff=0.2, color=color("muted")))
        self.beat("goal_own" if own else "goal", FadeIn(review), GrowArrow(arrows[0]), FadeIn(model_box), GrowArrow(arrows[1]),
                  FadeIn(verdict), run_time=2.5)

        # --- beat: the score on the whole test set -------------------------------------------------
        if self.says("next_none"):  # the checkpoint was never scored on the test set
            self.beat("next_none")
            self.finish()
            return
        acc, n_test = float(train["test_accuracy"]), int(train["n_test"])
        score = VGroup(label(f"{acc * 100:.1f} %", size=48, role="accent"),
                       label(f"of {'all ' * self.says('next')}{n_test:,} test reviews classified correctly", size=28))
        score.arrange(RIGHT, buff=0.4)
        fit(score, 12.5).move_to(DOWN * 2.1)
        self.beat("next" if self.says("next") else "next_part", FadeIn(score, shift=UP * 0.2), run_time=1.2)
        self.finish()

    # --- pieces ------------------------------------------------------------------------------------
    @staticmethod
    def tower(name: str, role: str) -> VGroup:
        """A stack of three layer bars in a frame, named below."""
        layers = VGroup(*[RoundedRectangle(corner_radius=0.08, width=2.0, height=0.4, stroke_color=color(role),
                                           fill_color=color(role), fill_opacity=0.25) for _ in range(3)])
        layers.arrange(UP, buff=0.14)
        frame = RoundedRectangle(corner_radius=0.15, width=2.5, height=layers.height + 0.4,
                                 stroke_color=color("grid")).move_to(layers)
        name_t = label(name, size=28, role=role).next_to(frame, DOWN, buff=0.15)
        return VGroup(frame, layers, name_t)
