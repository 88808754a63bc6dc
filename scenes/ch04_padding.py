"""Chapter 4: each word becomes its id; three reviews padded into one rectangular batch, with a mask.

Reads ``tokens``: ``words``/``word_ids``, ``unknown``, ``vocab_head`` (for the ids of
<pad> and <unk>), and the padded batch ``batch_ids``/``batch_mask``/``batch_lengths``.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, FadeIn, Rectangle, SurroundingRectangle, VGroup

from scenes.common import (ELLIPSIS, ChapterScene, TokenRow, color, fit, label, sentiment_color, shape_tag, shorten,
                           sit_on_baseline, wrap_rows)

NARRATION = {
    "ids": "The model works with numbers, so each word is replaced by its id from the vocabulary: "
           "{id_word} becomes {id_of}.",
    "ids_plain": "The model works with numbers, so each word is replaced by its id from the vocabulary.",
    "unk": "{unk_word} is not in the vocabulary, so it gets the id of <unk>, {unk_id}, as any unknown word would.",
    "unk_repeat": "{unk_word} is not in the vocabulary: it gets the id of <unk>, {unk_id}. A token that "
                  "comes back, like {repeated}, gets the same id.",
    "known": "Every word here is in the vocabulary. One that is not would get the id of <unk>, {unk_id}.",
    "known_repeat": "Every word here is in the vocabulary, and a token that comes back, like {repeated}, "
                    "gets the same id each time.",
    "batch": "We train on many reviews at once. Here are our {n_reviews} as rows of ids.",
    "batch_one": "We train on many reviews at once. This batch holds just our one review, as a row of ids.",
    "pad": "Every row must be exactly {T} positions wide, so the shorter rows are filled up with the "
           "<pad> id, {pad_id}.",
    "pad_one": "Every row must be exactly {T} positions wide, so this review's row is filled up with {n_pad}.",
    "pad_cut": "Every row must be exactly {T} positions wide. This review has {n_tokens}, so its row keeps "
               "the first {T} and needs no <pad>.",
    "pad_none": "Every row must be exactly {T} positions wide. Here every row is full already, "
                "so no <pad> is needed.",
    "mask": "A mask marks which positions hold a real word and which are padding, "
            "so the model can ignore the filler later.",
    "mask_full": "A mask marks which positions hold a real word: here all of them, as there is no padding.",
    "shape": "The batch is one rectangle of numbers, {B} by {T}: one row per review and one column "
             "per position. That is why every row must have the same length.",
}


def id_columns(words, ids, unk_id: int, font_size: float = 24, max_tokens: int = 40) -> VGroup:
    """One column per word: the word's box, a small arrow, its id. ``<unk>`` ids in their colour."""
    roles = ["unk" if i == unk_id else "token" for i in ids]
    row = TokenRow(words, font_size=font_size, max_tokens=max_tokens, max_width=1e9, roles=roles)
    cols = VGroup()
    for k, item in enumerate(row):
        if k < len(ids) and not (row.truncated and k == len(row) - 1):
            role = roles[k]
            num = label(str(ids[k]), size=font_size, role="unk" if role == "unk" else "accent", mono=True)
        else:
            num = label(ELLIPSIS, size=font_size, role="muted")
        arrow = Arrow(UP * 0.11, DOWN * 0.11, buff=0, stroke_width=2.5, max_tip_length_to_length_ratio=0.5,
                      color=color("muted"))
        col = VGroup(item, arrow, num).arrange(DOWN, buff=0.04)
        col.word_box, col.id_text = item, num
        cols.add(col)
    return cols


def batch_grid(ids: np.ndarray, lead: int, tail: int, font_size: float = 24, cell_w: float = 0.74,
               cell_h: float = 0.56) -> VGroup:
    """Cells for the leading and trailing columns of a (B, T) array, with a '… columns …' gap.

    ``grid.cells[r]`` holds row ``r``'s cells (leading, then trailing); ``grid.col_index`` the
    column numbers above; ``grid.gap`` the middle label. Zero/False cells are drawn as padding.
    """
    B, T = ids.shape
    lead, tail = min(lead, T), min(tail, max(0, T - lead))
    shown = list(range(lead)) + list(range(T - tail, T))
    widest = max(label(str(int(v)), size=font_size, mono=True).width for v in np.unique(ids[:, shown]))
    cell_w = max(cell_w, widest + 0.14)  # every number at full size
    gap_w = 1.9 if lead + tail < T else 0.0
    xs = [k * cell_w for k in range(lead)] + [lead * cell_w + gap_w + k * cell_w for k in range(tail)]
    grid = VGroup()
    grid.cells, grid.col_index = VGroup(), VGroup()
    for r in range(B):
        row = VGroup()
        for x, c in zip(xs, shown):
            v = ids[r, c]
            real = bool(v)
            text = str(int(v))
            rect = Rectangle(width=cell_w, height=cell_h, stroke_color=color("background"), stroke_width=2,
                             fill_color=color("panel") if real else color("background"), fill_opacity=1.0)
            rect.move_to([x, -r * cell_h, 0])
            role = "text" if real else "pad"
            num = label(text, size=font_size, role=role, mono=True).move_to(rect)
            cell = VGroup(rect, num)
            cell.column, cell.real = c, real
            row.add(cell)
        grid.cells.add(row)
    for x, c in zip(xs, shown):
        grid.col_index.add(label(str(c), size=20, role="muted", mono=True).move_to([x, cell_h * 0.85, 0]))
    grid.add(grid.cells, grid.col_index)
    if gap_w:
        gap = label(f"{ELLIPSIS} columns {ELLIPSIS}", size=20, role="muted")
        gap.move_to([(lead - 0.5) * cell_w + gap_w / 2, -(B - 1) * cell_h / 2, 0])
        grid.gap = gap
        grid.add(gap)
    grid.shown_columns, grid.cell_w = shown, cell_w
    return grid


def real_note(mask_row) -> str:
    """'16 real': the real positions in a row of the batch (a review longer than T keeps its first T)."""
    return f"{int(np.asarray(mask_row).astype(bool).sum())} real"


class Ch04Padding(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        tok = self.asset("tokens")
        words, ids = tok["words"], tok["word_ids"]
        special = {w: i for i, w, _ in tok["vocab_head"]}
        pad_id, unk_id = special["<pad>"], special["<unk>"]
        batch_ids = np.asarray(tok["batch_ids"])
        batch_mask = np.asarray(tok["batch_mask"])
        B, T = batch_ids.shape
        self.title_card()

        # --- beat: every word becomes its id
        self.set_heading("Each word becomes its id")
        cols = wrap_rows(id_columns(words, ids, unk_id), 12.8, buff=0.3, line_buff=0.22)  # room between ids
        fit(cols, 12.8, 5.1).move_to([0, 0.3, 0])
        self.beat("ids" if self.says("ids") else "ids_plain", FadeIn(cols, lag_ratio=0.04), run_time=2.5)
        self.id_columns = cols

        # --- beat: unknown words and repeated words
        unk_cols = [c for c in cols if c.id_text.text == str(unk_id)]
        marks = VGroup(*[SurroundingRectangle(c, buff=0.06, stroke_color=color("unk")) for c in unk_cols])
        repeated = self.said.facts["repeated"]  # the first word on show that comes back (model/claims/data.py)
        shown_words = words[:len(cols)] if len(words) <= len(cols) else words[:len(cols) - 1]  # not the "…"
        if repeated is not None:  # the first word that comes back: the same id both times
            marks.add(*[SurroundingRectangle(c, buff=0.06, stroke_color=color("accent"))
                        for c, w in zip(cols, shown_words) if w == repeated])
        if tok["unknown"]:
            unknown = list(dict.fromkeys([self.said.facts["unk_word"], *tok["unknown"]]))  # the one the line names
            shown = ", ".join([shorten(w, 10) for w in unknown[:3]] + ([ELLIPSIS] if len(unknown) > 3 else []))
            note = VGroup(label(f"not in the vocabulary: {shown}  →  <unk> = {unk_id}", size=24, role="unk"))
        else:
            note = VGroup(label(f"no unknown word here; one would get <unk> = {unk_id}", size=24, role="unk"))
        if repeated is not None:
            note.add(label(f"“{shorten(repeated, 10)}” is {ids[words.index(repeated)]} every time", size=24,
                           role="accent"))
        note.arrange(RIGHT, buff=0.8)
        fit(note, 12.8).next_to(cols, DOWN, buff=0.45)
        note.set_y(max(note.get_y(), -2.6))
        unk_key = next(k for k in ("unk", "unk_repeat", "known", "known_repeat") if self.says(k))
        self.beat(unk_key, FadeIn(marks), FadeIn(note))
        self.clear_stage(caption=True)

        # --- beat: the batch of example reviews (or the one review given), as ids
        padded = bool((~batch_mask.astype(bool)).any())
        cut = any(n > T for n in tok["batch_lengths"])
        fitted = {(True, False): "padded to", (False, True): "cut to", (True, True): "padded or cut to"}.get(
            (padded, cut), "of")
        self.set_heading(f"A batch: {B} review{'s' * (B != 1)}, {'each ' * (B != 1)}{fitted} T = {T} positions")
        names = VGroup(*[label(f"review {r + 1}", size=24).set_color(sentiment_color(y))
                         for r, y in enumerate(tok["batch_labels"])])
        lengths = VGroup(*[label(real_note(m), size=24, role="muted") for m in batch_mask])
        sides, tail = names.width + lengths.width + 0.5, 3
        for lead in (7, 6, 5, 4):  # fewer leading columns when the ids are long, so the numbers keep their size
            grid = batch_grid(batch_ids, lead, tail)
            if grid.width + sides <= 13.2:
                break
        for r in range(B):
            names[r].next_to(grid.cells[r], LEFT, buff=0.25)
            lengths[r].next_to(grid.cells[r], RIGHT, buff=0.25)
            for t in (names[r], lengths[r]):
                sit_on_baseline(t, grid.cells[r][0][1].get_bottom()[1])
        ids_title = label("ids", size=24, role="accent").next_to(grid.col_index, UP, buff=0.12).align_to(grid, LEFT)
        block = VGroup(names, grid, lengths, ids_title)
        fit(block, 13.2).move_to([0, 2.75 - block.height / 2, 0])
        frame_parts = VGroup(ids_title, grid.col_index, names, lengths, *([grid.gap] if hasattr(grid, "gap") else []))
        self.beat("batch" if self.says("batch") else "batch_one", FadeIn(frame_parts),
                  FadeIn(grid.cells, lag_ratio=0.02), run_time=2.0)
        self.batch_grid = grid

        # --- beat: the padded tail
        pads = VGroup(*[cell for row in grid.cells for cell in row if not cell.real])
        pad_note = label(f"<pad> = {pad_id}", size=24, role="pad").next_to(grid, DOWN, buff=0.2)
        pad_note.align_to(pads if len(pads) else grid, RIGHT)
        cut_notes = VGroup(*[label(f"review {r + 1} has {n:,} tokens: its row keeps the first {T}", size=22,
                                   role="muted") for r, n in enumerate(tok["batch_lengths"]) if n > T])
        if len(cut_notes):
            cut_notes.arrange(DOWN, buff=0.1, aligned_edge=LEFT).next_to(grid, DOWN, buff=0.2).align_to(grid, LEFT)
        pad_key = next(k for k in ("pad", "pad_one", "pad_cut", "pad_none") if self.says(k))
        if pad_key in ("pad", "pad_one"):
            self.beat(pad_key, *[c[1].animate.set_color(color("accent")) for c in pads],
                      FadeIn(pad_note), *([FadeIn(cut_notes)] if len(cut_notes) else []))
            self.play(*[c[1].animate.set_color(color("pad")) for c in pads], run_time=0.4)
        else:  # every row is full: no <pad> to point at
            self.beat(pad_key, *([FadeIn(cut_notes)] if len(cut_notes) else []))

        # --- beat: the mask
        mgrid = batch_grid(batch_mask.astype(int), lead, tail, cell_w=grid.cell_w)  # the same columns as the ids
        mgrid.remove(mgrid.col_index)
        mgrid.scale(grid.cells[0][0][0].width / mgrid.cells[0][0][0].width)
        mgrid.next_to(VGroup(pad_note, *cut_notes), DOWN, buff=0.35)
        mgrid.shift(RIGHT * (grid.cells.get_left()[0] - mgrid.cells.get_left()[0]))
        mtitle = label("mask: 1 = real word, 0 = padding", size=24, role="text").next_to(mgrid, UP, buff=0.12)
        mtitle.align_to(mgrid, LEFT)
        mnames = VGroup(*[names[r].copy().set_y(mgrid.cells[r].get_y()) for r in range(B)])
        VGroup(mgrid, mtitle, mnames).shift(DOWN * 0.1)
        self.beat("mask" if self.says("mask") else "mask_full", FadeIn(mtitle), FadeIn(mnames),
                  FadeIn(mgrid, lag_ratio=0.02), run_time=2.0)
        self.mask_grid = mgrid
        self.clear_stage(caption=True)

        # --- beat: one rectangular tensor, B × T
        strips = VGroup()
        width = 9.6
        for r in range(B):
            row = VGroup()
            m = batch_mask[r]
            starts = [0] + [k for k in range(1, T) if m[k] != m[k - 1]] + [T]
            for a, b in zip(starts[:-1], starts[1:]):
                seg = Rectangle(width=width * (b - a) / T, height=0.42, stroke_width=0,
                                fill_color=color("token" if m[a] else "pad"), fill_opacity=0.85 if m[a] else 0.35)
                seg.move_to([width * ((a + b) / 2 / T - 0.5), -r * 0.6, 0])
                row.add(seg)
            strips.add(row)
        frame = SurroundingRectangle(strips, buff=0.08, stroke_color=color("muted"), stroke_width=2)
        row_names = VGroup(*[names[r].copy().scale(24 / names[r].font_size).next_to(frame, LEFT, buff=0.25)
                             .set_y(strips[r].get_y()) for r in range(B)])
        tag = shape_tag(*batch_ids.shape, size=36, role="accent")
        tag_note = label("B × T: one rectangular tensor of ids", size=24, role="muted")
        head = VGroup(tag, tag_note).arrange(RIGHT, buff=0.4).next_to(frame, UP, buff=0.4)
        axis = VGroup(label("0", size=20, role="muted", mono=True).next_to(frame, DOWN, buff=0.1).align_to(frame, LEFT),
                      label(str(T - 1), size=20, role="muted", mono=True).next_to(frame, DOWN, buff=0.1)
                      .align_to(frame, RIGHT),
                      label("position", size=20, role="muted").next_to(frame, DOWN, buff=0.1))
        keys = VGroup(*[VGroup(Rectangle(width=0.3, height=0.3, stroke_width=0, fill_color=color(role),
                                         fill_opacity=op), label(text, size=22, role="muted")).arrange(RIGHT, buff=0.15)
                        for text, role, op in (("real word (mask 1)", "token", 0.85),
                                               ("padding (mask 0)", "pad", 0.35))])
        keys.arrange(RIGHT, buff=0.8).next_to(axis, DOWN, buff=0.3)
        reals = VGroup(*[label(real_note(m), size=24, role="muted").next_to(frame, RIGHT, buff=0.25)
                         .set_y(strips[r].get_y()) for r, m in enumerate(batch_mask)])
        VGroup(head, frame, strips, axis, keys, row_names, reals).move_to([0, 0.1, 0])
        self.beat("shape", FadeIn(head), FadeIn(frame), FadeIn(strips, lag_ratio=0.2), FadeIn(axis), FadeIn(keys),
                  FadeIn(row_names), FadeIn(reals),
                  run_time=2.0)
        self.shape_tag = tag
        self.finish()
