"""Chapter 3: a review becomes word tokens; the vocabulary; GPT-2's subword pieces for contrast.

Reads ``tokens`` (words, vocabulary, BPE) and ``dataset`` (the example's text).
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, ReplacementTransform, SurroundingRectangle, VGroup

from scenes.common import (ELLIPSIS, ChapterScene, TokenRow, color, fit, label, paragraph, shorten, sit_on_baseline,
                           token_grid)

NARRATION = {
    "review": "Here is one real review from the test set. It begins: {opening}",
    "review_given": "Here is the review we were given. It begins: {opening}",
    "words": "Our model cannot read letters, so we cut the text into pieces: lower-case words, "
             "and marks such as {mark}, each a token of its own.",
    "words_apos": "Our model cannot read letters, so we cut the text into lower-case words: {mark} is a token "
                  "of its own, but {apos} stays one word.",
    "words_apos_only": "Our model cannot read letters, so we cut the text into lower-case words; "
                       "one like {apos} stays whole.",
    "words_plain": "Our model cannot read letters, so we cut the text into lower-case words, one token each.",
    "words_marks": "Our model cannot read letters, so we cut the text into tokens. Here there are no words, "
                   "only marks such as {mark}, one token each.",
    "vocab": "Counting every word in the training reviews gives the vocabulary, most frequent first. "
             "A word's place in that list is its id: {top_word} is {top_id}.",
    "vocab_plain": "Counting every word in the training reviews gives the vocabulary; each word in it has an id.",
    "special": "Ids {pad_id} and {unk_id} are reserved: <pad> fills up short reviews, and <unk> stands for "
               "any word the vocabulary does not have.",
    "size": "Of the {n_unique} distinct words in training, we keep the {kept} most frequent. "
            "Any other word is read as <unk>.",
    "size_all": "Every word seen in training has an id; only a word never seen is read as <unk>.",
    "bpe_more": "GPT-2 reads subword pieces from a fixed list instead, keeping capitals and spaces: "
                "here {n_pieces}, more than our {n_words}.",
    "bpe_fewer": "GPT-2 reads subword pieces from a fixed list instead, keeping capitals and spaces: "
                 "here {n_pieces}, fewer than our {n_words}.",
    "bpe_same": "GPT-2 reads subword pieces from a fixed list instead, keeping capitals and spaces: "
                "here {n_pieces}, as many as our {n_words}.",
    "split": "GPT-2 cuts {split_word} into {split_parts}. Our classifier keeps the whole word instead: "
             "it is id {split_id}.",
    "split_unk": "GPT-2 cuts {split_word} into {split_parts}. Our vocabulary does not have that word at all: "
                 "it is read as <unk>.",
    "split_vocab": "GPT-2 cuts even common words, like {split_word}, into {split_parts}. "
                   "Our classifier keeps whole words.",
    "split_none": "Our classifier keeps whole words, one token each.",
}


# --- helpers ------------------------------------------------------------------------------------

def visible(piece: str) -> str:
    """A BPE piece with its spaces and line breaks made visible: ' great' -> '␣great'."""
    return piece.replace(" ", "␣").replace("\n", "↵")


def vocab_table(entries, font_size: float = 22, row_h: float = 0.4) -> VGroup:
    """Rows of ``(id, word, count)`` in three aligned columns, under a header. ``table[k + 1].word``."""
    def cells(i, word, count):
        role = "pad" if word == "<pad>" else "unk" if word == "<unk>" else "token"
        special = role != "token"
        return (label(str(i), size=font_size, role="muted", mono=True),
                label(shorten(word, 16), size=font_size, role=role),
                label("reserved" if special else f"{count:,}", size=font_size, role="pad" if special else "text",
                      mono=not special))

    rows = [cells(*e) for e in entries]
    head = (label("id", size=font_size, role="muted"), label("word", size=font_size, role="muted"),
            label("count", size=font_size, role="muted"))
    w = [max(r[c].width for r in rows + [head]) for c in range(3)]
    cols = (0.0, w[0] + 0.3, w[0] + w[1] + 0.9 + w[2])  # left of id, left of word, right of count
    table = VGroup()
    for k, row in enumerate([head] + rows):
        base = -k * row_h - (0.08 if k else 0)
        for c, t in enumerate(row):
            t.move_to([cols[c], 0, 0], aligned_edge=RIGHT if c == 2 else LEFT)
            sit_on_baseline(t, base)
        group = VGroup(*row)
        group.word = entries[k - 1][1] if k else None
        table.add(group)
    return table


def split_column(title: str, pairs, total: int) -> VGroup:
    """``word → [piece][piece]`` rows under a title, arrows in one column, words on the pieces' line."""
    rows = VGroup()
    for word, parts in pairs:
        pieces = TokenRow([visible(x) for x in parts], font_size=22, roles=["key"] * len(parts), max_width=6,
                          max_tokens=6)  # a long rare word breaks into many pieces: show the first five
        w, arrow = label(shorten(word, 14), size=24, role="token"), label("→", size=24, role="muted")
        row = VGroup(w, arrow, pieces).arrange(RIGHT, buff=0.25)
        base = pieces.boxes[0].get_y() - label("H", size=22).height / 2
        sit_on_baseline(w, base)
        arrow.set_y(pieces.boxes[0].get_y())
        rows.add(row)
    rows.arrange(DOWN, buff=0.28)
    for r in rows:
        r.shift(RIGHT * (rows.get_x() - r[1].get_x()))
    head = label(title + (f" ({len(pairs)} of {total})" if total > len(pairs) else ""), size=22, role="muted")
    return VGroup(head, rows).arrange(DOWN, buff=0.35)


def vocab_cut(tok: dict) -> str:
    """What decided which words got an id, as the data shows it.

    The vocabulary keeps the most frequent words, at most ``vocab_size`` ids and only words seen at
    least ``min_count`` times. When its rarest word is seen more often than that, the minimum count
    cut nothing: the size cap did, and the line says so. The count is named only when it binds.
    """
    specials = sum(1 for _, w, _ in tok["vocab_head"] if w in ("<pad>", "<unk>"))
    kept = int(tok["vocab_size"]) - specials
    rarest = int(tok["vocab_tail"][-1][2])
    times = f"{rarest:,} time{'s' * (rarest != 1)}"
    if kept >= int(tok["n_unique_train_words"]):
        return f"keep all {kept:,} words; the rarest is seen {times}"
    if rarest <= int(tok["min_count"]):
        return f"keep the {kept:,} most frequent words, each seen at least {tok['min_count']} times"
    return f"keep the {kept:,} most frequent words; the rarest kept is seen {times}"


# --- the chapter ------------------------------------------------------------------------------

class Ch03Tokens(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        tok = self.asset("tokens")
        example = self.asset("dataset")["examples"][0]
        words, pieces = tok["words"], tok["bpe_pieces"]
        self.title_card()

        # --- beat: the review as text
        given = self.says("review_given")  # render.sh --text: a review we were given, not a test review
        self.set_heading("The review we were given" if given else "One review from the test set")
        card = paragraph(example["text"], width=12.0, font_size=24, max_lines=4)
        frame = SurroundingRectangle(card, buff=0.3, corner_radius=0.15, stroke_color=color("grid"),
                                     fill_color=color("panel"), fill_opacity=0.9)
        review = VGroup(frame, card).move_to([0, 0.3, 0])
        self.beat("review_given" if given else "review", FadeIn(review, shift=UP * 0.2))

        # --- beat: word tokens
        top = review.copy().move_to([0, 2.9 - review.height / 2, 0])
        n_words = label(f"↓  {len(words)} word token{'s' * (len(words) != 1)}", size=26, role="accent")
        n_words.next_to(top, DOWN, buff=0.25)
        grid = token_grid(words, font_size=24)
        room_top = n_words.get_bottom()[1] - 0.3
        fit(grid, 12.6, room_top + 2.85).move_to([0, (room_top - 2.85) / 2, 0])
        self.play(review.animate.move_to(top), run_time=0.7)
        words_key = next(k for k in ("words", "words_apos", "words_apos_only", "words_plain", "words_marks")
                         if self.says(k))
        self.beat(words_key, FadeIn(n_words), FadeIn(grid, lag_ratio=0.03), run_time=1.5)
        self.tokens_shown = grid
        self.clear_stage(caption=True)

        # --- beat: the vocabulary, most frequent first
        self.set_heading("The vocabulary: most frequent word first")
        head, tail = tok["vocab_head"], tok["vocab_tail"]
        half = (len(head) + 1) // 2
        t1, t2, t3 = vocab_table(head[:half]), vocab_table(head[half:]), vocab_table(tail)
        dots = label(ELLIPSIS, size=36, role="muted")
        tables = VGroup(t1, t2, dots, t3).arrange(RIGHT, buff=0.45, aligned_edge=UP)
        dots.match_y(t3)
        fit(tables, 13.0).move_to([0, 2.45 - tables.height / 2, 0])
        common = label("most frequent", size=22, role="muted").next_to(VGroup(t1, t2), UP, buff=0.12)
        rare = label("rarest kept", size=22, role="muted").next_to(t3, UP, buff=0.12)
        self.beat("vocab" if self.says("vocab") else "vocab_plain", FadeIn(tables, lag_ratio=0.1), FadeIn(common),
                  FadeIn(rare), run_time=2.0)

        # --- beat: <pad> and <unk>
        specials = [row for row in t1[1:] if row.word in ("<pad>", "<unk>")]
        boxes = VGroup(*[SurroundingRectangle(r, buff=0.06, stroke_color=color("accent")) for r in specials])
        notes = VGroup(*[label(f"{r.word} = {r[0].text}: " + ("fills the end of short reviews" if r.word == "<pad>"
                                                              else "any word not in the vocabulary"),
                               size=24, role="pad" if r.word == "<pad>" else "unk") for r in specials])
        notes.arrange(DOWN, buff=0.2, aligned_edge=LEFT).move_to([0, -2.2, 0])
        if self.says("special"):
            self.beat("special", FadeIn(boxes), FadeIn(notes))
        else:  # no reserved ids to point at
            notes = VGroup()

        # --- beat: how big the vocabulary is
        funnel = VGroup(
            label(f"{tok['n_unique_train_words']:,} distinct words in the training reviews", size=24),
            label(vocab_cut(tok), size=22, role="muted"),
            label(f"{tok['vocab_size']:,} ids, <pad> and <unk> included", size=24, role="accent"),
        ).arrange(DOWN, buff=0.12).move_to([0, -2.25, 0])
        self.beat("size" if self.says("size") else "size_all", FadeOut(notes), FadeIn(funnel, shift=UP * 0.2))
        self.clear_stage(caption=True)

        # --- beat: the same review in GPT-2's BPE pieces
        self.set_heading(f"GPT-2's byte-pair pieces: a list of {tok['bpe_vocab_size']:,}")
        counts = VGroup(label(f"our words: {len(words)}", size=28, role="token"),
                        label(f"BPE pieces: {len(pieces)}", size=28, role="key")).arrange(RIGHT, buff=1.2)
        for t in counts:
            sit_on_baseline(t, 2.35)
        word_grid = fit(token_grid(words, font_size=24), 12.6, 4.2).move_to([0, -0.1, 0])
        bpe_grid = token_grid([visible(p) for p in pieces], font_size=24, roles=["key"] * len(pieces))
        fit(bpe_grid, 12.6, 4.2).move_to([0, -0.1, 0])
        legend = label("␣ marks a space that belongs to the piece", size=22, role="muted").move_to([0, -2.65, 0])
        self.play(FadeIn(word_grid), FadeIn(counts[0]), run_time=0.6)
        bpe = next(k for k in ("bpe_more", "bpe_fewer", "bpe_same") if self.says(k))
        self.beat(bpe, ReplacementTransform(word_grid, bpe_grid), FadeIn(counts[1]), FadeIn(legend), run_time=2.0)
        self.pieces_shown = bpe_grid
        self.clear_stage(caption=True)

        # --- beat: words that BPE cuts into pieces
        self.set_heading("Words that GPT-2 cuts into pieces")
        columns = VGroup()
        n_examples = len(tok["batch_lengths"])
        ours = f"from our {n_examples} example reviews" if n_examples != 1 else "from this review"
        for title, pairs in ((ours, tok["bpe_split_words"]),
                             ("frequent words of our vocabulary", tok.get("bpe_split_vocab", []))):
            if pairs:
                columns.add(split_column(title, pairs[:5], len(pairs)))
        if not len(columns):
            columns.add(label("Every word here is a single BPE piece.", size=26))
        columns.arrange(RIGHT, buff=1.0, aligned_edge=UP)
        fit(columns, 13.2, 5.4).move_to([0, 0, 0])
        split = next(k for k in ("split", "split_unk", "split_vocab", "split_none") if self.says(k))
        self.beat(split, FadeIn(columns, lag_ratio=0.15))
        self.split_shown = columns
        self.finish()
