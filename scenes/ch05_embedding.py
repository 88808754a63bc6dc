"""Chapter 5: the embedding matrix; looking up ids picks its rows; nearest words in the trained embedding.

Reads ``embedding``: ``vocab_size``, ``d_model``, the example's first tokens with their ``ids``
and rows ``E_rows``, ``trained``, and ``neighbours`` (cosine similarity); and ``n_params`` from
``training``, to say how much of the model the table is.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, DR, LEFT, RIGHT, UL, UP, UR, Arrow, Create, FadeIn, FadeOut, Polygon, Rectangle,
                   SurroundingRectangle, VGroup)

from scenes.common import (ChapterScene, TokenRow, ValueMatrix, color, fit, fmt, label, shape_tag, shorten,
                           sit_on_baseline)

NARRATION = {
    "matrix": "The model's first layer is a big table, the embedding matrix: one row of {d} numbers for each "
              "of the {V} ids in the vocabulary.",
    "lookup": "Reading a review means looking up its ids: each id picks out its own row.",
    "rows": "These are the real rows for the first {n_tokens} of our review. "
            "Each token is now a list of {d} numbers.",
    "rows_one": "This is the real row for the only token of our review. It is now a list of {d} numbers.",
    "shape": "Stacked, they form one block: one review by {n_tokens} by {d} numbers.",
    "shape_one": "It is still one block: one review by one token by {d} numbers.",
    "weights": "Small as each row is, the table is most of the model: {pct} of its {n_params} learned "
               "numbers sit in these rows.",
    "weights_part": "The table holds {pct} of the model's {n_params} learned numbers; the layers after it "
                    "hold the rest.",
    "neighbours": "Training moves the rows around. Nearest to {word} are {near1} and {near2}: every cosine "
                  "here is {cos_min} or more, close to one.",
    "neighbours_loose": "Training moves the rows around. Nearest to {word} are {near1} and {near2}, with "
                        "cosines of {cos1} and {cos2}.",
    "untrained": "These rows are untrained, still random, so the nearest words here are a matter of chance.",
}


def matrix_sketch(vocab_size: int, d: int, ids, width: float = 2.6) -> VGroup:
    """The embedding matrix as a column of row slots: rows 0 and 1, the looked-up ids in order, the last row.

    Only some rows are drawn; a '⋮' stands for the rows in between. ``sketch.slots[id]`` is a row's rectangle.
    """
    wanted = sorted(set(int(i) for i in ids))
    shown = sorted(set([0, 1] + wanted + [vocab_size - 1]))
    slot_h, gap_h = 0.34, 0.27
    rows, y = VGroup(), 0.0
    slots = {}
    prev = None
    for i in shown:
        if prev is not None and i != prev + 1:  # rows left out
            rows.add(label("⋮", size=20, role="muted").move_to([width / 2, y - gap_h / 2, 0]))
            y -= gap_h
        rect = Rectangle(width=width, height=slot_h, stroke_color=color("grid"), stroke_width=1.5,
                         fill_color=color("panel"), fill_opacity=1.0).move_to([width / 2, y - slot_h / 2, 0])
        num = label(f"{i:,}", size=22, role="muted", mono=True).next_to(rect, LEFT, buff=0.15)
        rows.add(VGroup(rect, num))
        slots[i] = rect
        y -= slot_h
        prev = i
    frame = SurroundingRectangle(VGroup(*slots.values()), buff=0.06, stroke_color=color("muted"), stroke_width=2)
    name = label("E", size=34, role="accent").next_to(frame, UP, buff=0.15)
    sketch = VGroup(rows, frame, name)
    sketch.slots, sketch.name = slots, name
    return sketch


def neighbour_column(word: str, pairs, k: int = 5, size: float = 22) -> VGroup:
    """A word and its nearest words, each with its cosine (3 digits: the cosines can differ only there)."""
    head = label(shorten(word, 12), size=size + 4, role="accent")
    names = [label(shorten(other, 12), size=size, role="token") for other, _ in pairs[:k]]
    values = [label(fmt(cos, digits=3), size=size, role="muted", mono=True) for _, cos in pairs[:k]]
    x_val = max(t.width for t in names) + 0.3 + max(t.width for t in values)  # right edge of the numbers
    head.move_to([0, 0, 0], aligned_edge=LEFT)
    sit_on_baseline(head, 0.0)  # every column's head and rows on the same baselines, whatever the letters
    rows = VGroup()
    for r, (name, value) in enumerate(zip(names, values)):
        base = -0.62 - r * 0.46
        name.move_to([0, 0, 0], aligned_edge=LEFT)
        value.move_to([x_val, 0, 0], aligned_edge=RIGHT)
        sit_on_baseline(name, base)
        sit_on_baseline(value, base)
        rows.add(VGroup(name, value))
    col = VGroup(head, rows)
    col.rows = rows
    return col


def stacked_block(front_of, depth=(0.45, 0.32)) -> VGroup:
    """A box drawn around ``front_of`` as its front face, with a top and a side going back by ``depth``.

    ``block.top`` and ``block.side`` are the two faces (for labels beside them).
    """
    front = SurroundingRectangle(front_of, buff=0.06, stroke_color=color("accent"), stroke_width=2.5)
    off = np.array([depth[0], depth[1], 0.0])
    ul, ur, dr = front.get_corner(UL), front.get_corner(UR), front.get_corner(DR)
    style = dict(stroke_color=color("accent"), stroke_width=2.5, fill_color=color("accent"), fill_opacity=0.18)
    top = Polygon(ul, ur, ur + off, ul + off, **style)
    side = Polygon(ur, dr, dr + off, ur + off, **style)
    block = VGroup(front, top, side)
    block.top, block.side = top, side
    return block


class Ch05Embedding(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        emb = self.asset("embedding")
        tokens, ids = list(emb["tokens"]), [int(i) for i in emb["ids"]]
        E_rows = np.asarray(emb["E_rows"])
        V, d = int(emb["vocab_size"]), int(emb["d_model"])
        n = len(tokens)
        self.title_card()

        # --- beat: the embedding matrix, vocab_size × d
        self.set_heading("The embedding matrix E")
        sketch = matrix_sketch(V, d, ids)
        fit(sketch, 4.6, 4.9)
        sketch.move_to([-4.3, 2.75 - sketch.height / 2, 0])
        cols_note = label(f"{d} columns (d)", size=22, role="muted").next_to(sketch.name, RIGHT, buff=0.3)
        tag = shape_tag(f"{V:,}", d, size=28, role="accent").next_to(sketch, DOWN, buff=0.15)
        rows_note = label("one row per id", size=22, role="muted").next_to(tag, RIGHT, buff=0.3)
        VGroup(tag, rows_note).next_to(sketch, DOWN, buff=0.2).align_to(sketch, LEFT)
        self.beat("matrix", FadeIn(sketch), FadeIn(tag), FadeIn(cols_note), FadeIn(rows_note))
        self.sketch, self.size_tag = sketch, tag

        # --- beat: ids pick rows
        row = TokenRow(tokens, font_size=26, max_width=6.0)
        row.arrange(DOWN, buff=0.22, aligned_edge=RIGHT).move_to([0.6, 0.35, 0])
        id_texts = VGroup()
        arrows = VGroup()
        for k, (box, i) in enumerate(zip(row, ids)):
            t = label(str(i), size=24, role="accent", mono=True).next_to(box, RIGHT, buff=0.25)
            id_texts.add(t)
            slot = sketch.slots[i]
            arrows.add(Arrow(box.get_left(), slot.get_right(), buff=0.12, stroke_width=2.5,
                             max_tip_length_to_length_ratio=0.08, color=color("muted")))
        lit = VGroup(*[sketch.slots[i].copy().set_fill(color("accent"), 0.35).set_stroke(color("accent"), 2)
                       for i in dict.fromkeys(ids)])
        self.beat("lookup", FadeIn(row), FadeIn(id_texts), FadeIn(arrows), FadeIn(lit), run_time=2.0)

        # --- beat: the real rows
        vm = ValueMatrix(E_rows, max_rows=n, max_cols=5, digits=2, row_labels=tokens, font_size=22)
        note = vm.note(size=22)
        block = VGroup(vm, note.next_to(vm, DOWN, buff=0.2))
        fit(block, 7.0, 3.6).move_to([3.2, 0.55, 0])
        self.beat("rows" if self.says("rows") else "rows_one", FadeOut(VGroup(row, id_texts, arrows)), FadeIn(block),
                  run_time=1.5)
        self.value_matrix = vm

        # --- beat: the shape of the result: the rows stacked are one block, reviews × tokens × d
        self.play(FadeOut(VGroup(sketch, tag, cols_note, rows_note, lit)), block.animate.move_to([-0.9, 0.0, 0]),
                  run_time=0.8)
        slab = stacked_block(VGroup(vm.cells, vm.ellipses, vm.brackets))
        n_note = label(f"{n} token{'s' * (n != 1)}", size=22, role="muted").next_to(slab.side, RIGHT, buff=0.2)
        d_note = label(f"d = {d} numbers each", size=22, role="muted").next_to(slab.top, UP, buff=0.15)
        out_tag = shape_tag(1, n, d, size=36, role="accent")
        out_note = label("(reviews × tokens × d)", size=22, role="muted")
        out = VGroup(out_tag, out_note).arrange(RIGHT, buff=0.3)
        out.next_to(VGroup(block, slab), DOWN, buff=0.4).set_x(0)
        self.beat("shape" if self.says("shape") else "shape_one", Create(slab), FadeIn(n_note), FadeIn(d_note),
                  FadeIn(out), run_time=2.0, hold=3.5)  # the block stays, settled, long enough to read its shape
        self.out_tag, self.block_drawn = out_tag, slab
        self.clear_stage(caption=True)

        # --- beat: how much of the model the table is (vocab_size × d against the checkpoint's count)
        weights = next((k for k in ("weights", "weights_part") if self.says(k)), None)
        if weights:  # not when the checkpoint kept no parameter count
            self.weights_share(V, d, weights)
        neighbours = next((k for k in ("neighbours", "neighbours_loose", "untrained") if self.says(k)), None)
        if neighbours:  # not when none of the words to compare is in the vocabulary
            self.nearest_words(emb, neighbours)
        self.finish()

    def weights_share(self, V: int, d: int, key: str) -> None:
        """The embedding's numbers against every parameter of the model."""
        self.set_heading("Where the model's weights are")
        n_params = int(self.asset("training")["n_params"])
        share = VGroup(label(f"{V:,} × {d} = {V * d:,}", size=44, role="accent", mono=True),
                       label("numbers in the embedding matrix E", size=28),
                       label(f"{100 * V * d / n_params:.0f} % of all {n_params:,} parameters of the model",
                             size=28, role="muted")).arrange(DOWN, buff=0.35).move_to([0, 0.2, 0])
        self.beat(key, FadeIn(share, shift=UP * 0.2))
        self.share = share
        self.clear_stage(caption=True)

    def nearest_words(self, emb: dict, key: str) -> None:
        """Nearest words by cosine similarity, in the trained embedding (or a warning that it is random)."""
        trained = bool(emb["trained"])
        self.set_heading("Nearest words in the trained embedding" if trained else "Nearest words: untrained embedding")
        cols = VGroup(*[neighbour_column(w, pairs) for w, pairs in emb["neighbours"][:4]])
        x = 0.0
        for col in cols:  # side by side, moved sideways only, so the baselines stay level
            col.shift(RIGHT * (x - col.get_left()[0]))
            x = col.get_right()[0] + 0.55
        legend = label("cosine similarity: 1 = same direction, 0 = unrelated", size=22, role="muted")
        body = VGroup(cols, legend.next_to(cols, DOWN, buff=0.5))
        if not trained:
            warn = label("untrained embedding: these rows are random", size=26, role="negative")
            body.add(warn.next_to(cols, UP, buff=0.35))
        fit(body, 13.0, 5.6).move_to([0, 0, 0])
        self.beat(key, FadeIn(body, lag_ratio=0.1), run_time=2.0)
        self.neighbours = cols
