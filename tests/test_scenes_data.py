"""Chapters 2-5 (dataset, tokens, padding, embedding) built from the committed assets.

Each scene is constructed under manim's ``dry_run`` (no frames, no files). To keep
this fast, ``play`` is replaced by :func:`_jump_play`: manim still compiles every
animation of every beat, and each then jumps to its end state (``begin``/``finish``),
so the mobjects on stage are exactly those the video ends each animation with.
After every ``play`` the recorder notes each Text on stage, so the tests can check
what a viewer sees: the words and numbers against the assets, font sizes against
the 18-point floor, and positions against the content box.
"""
from __future__ import annotations

import copy
import re
import sys

import numpy as np
import pytest
from manim import Text, tempconfig

from model import store
from scenes.chapters import scene_class
from scenes.common import ELLIPSIS, HEX, fmt, paragraph, reading_time

Ch02Dataset, Ch03Tokens, Ch04Padding, Ch05Embedding = map(scene_class, ("Ch02Dataset", "Ch03Tokens", "Ch04Padding",
                                                                        "Ch05Embedding"))
# chapter helpers these tests still check directly, reached through the registry's import
LABEL_NAMES = sys.modules[Ch02Dataset.__module__].LABEL_NAMES
visible, vocab_cut = sys.modules[Ch03Tokens.__module__].visible, sys.modules[Ch03Tokens.__module__].vocab_cut

MIN_FONT = 18.0
CONTENT = (-7.1 + 0.1, 7.1 - 0.1, -2.9 - 0.05, 2.9 + 0.05)  # x0, x1, y0, y1 (a little slack)


def _jump_play(self, *args, **kwargs):
    """Scene.play without frames: compile the animations, move each to its end, advance the clock."""
    self.compile_animation_data(*args, **kwargs)
    for anim in self.animations:
        anim._setup_scene(self)
        if anim.is_remover():  # FadeOut and the like: gone at the end
            self.remove(anim.mobject)
        elif not anim.is_introducer():  # FadeIn and the like: the mobject is its own end state
            anim.begin()
            anim.finish()
            anim.clean_up_from_scene(self)
    self.renderer.time += self.duration
    self._record()


def run(cls):
    """Build ``cls`` under dry_run; returns the scene with ``seen`` (every Text shown) and ``duration``."""

    class Recorded(cls):
        play = _jump_play

        def setup(self):
            super().setup()
            self.seen, self.frame_texts, self.captions_made = [], set(), []
            self.caption_texts, self.caption_of, self.timeline = [], {}, []

        def make_caption(self, text):
            cap = super().make_caption(text)
            self.captions_made.append(cap)  # keep it alive: a freed caption's id could be reused by a later Text
            self.frame_texts |= {id(m) for m in cap.get_family()}
            self.caption_texts.append(text)
            self.caption_of[id(cap)] = text
            return cap

        def set_heading(self, text):
            self.frame_texts.add(text)
            super().set_heading(text)

        def _record(self):
            # after each animation: the clock, the caption up, and what else is on stage (not the heading)
            captions = [self.caption_of[id(m)] for m in self.mobjects if id(m) in self.caption_of]
            stage = [m for m in self.mobjects if id(m) not in self.caption_of
                     and not (isinstance(m, Text) and m.original_text in self.frame_texts)
                     and any(x.has_points() for x in m.get_family())]  # not the empty mobject of a Wait
            self.timeline.append((self.renderer.time, captions[-1] if captions else None, stage))
            for mob in self.mobjects:
                for m in mob.get_family():
                    if not isinstance(m, Text) or id(m) in self.frame_texts or m.original_text in self.frame_texts:
                        continue
                    self.seen.append((m, m.original_text, float(m.font_size), m.get_left()[0], m.get_right()[0],
                                      m.get_bottom()[1], m.get_top()[1]))

    with tempconfig({"dry_run": True, "quality": "low_quality", "disable_caching": True,
                     "progress_bar": "none", "verbosity": "WARNING"}):
        scene = Recorded(skip_animations=True)
        scene.render()
    scene.duration = scene.renderer.time
    scene.texts = {t for _, t, *_ in scene.seen}
    return scene


_COMMITTED: dict = {}


def committed_run(cls):
    """``run(cls)`` on the committed assets, once per test session (for the tests that only look)."""
    import os

    assert "ATTENTION_ASSETS" not in os.environ
    if cls not in _COMMITTED:
        _COMMITTED[cls] = run(cls)
    return _COMMITTED[cls]


def captions_over_an_empty_stage(scene) -> list:
    """(time, caption) after each animation at which a caption is up and nothing else but the heading is."""
    return [(round(t, 2), cap) for t, cap, stage in scene.timeline if cap and not stage]


def check_layout(scene, lo: float = 30.0, hi: float = 90.0):
    """Every text at least 18 points and inside the content box; the chapter within its length budget."""
    assert len(scene.seen) > 20, "the recorder saw almost nothing: is play still patched?"
    small = {(t, round(size, 1)) for _, t, size, *_ in scene.seen if t.strip() and size < MIN_FONT - 0.05}
    assert not small, f"text smaller than {MIN_FONT}: {sorted(small)[:8]}"
    x0, x1, y0, y1 = CONTENT
    out = {t for _, t, _, left, right, bottom, top, in scene.seen
           if t.strip() and (left < x0 or right > x1 or bottom < y0 or top > y1)}
    assert not out, f"text outside the content box: {sorted(out)[:8]}"
    assert lo <= scene.duration <= hi, f"{type(scene).__name__} lasts {scene.duration:.1f} s"


@pytest.mark.parametrize("cls", [Ch02Dataset, Ch03Tokens, Ch04Padding, Ch05Embedding])
def test_narration_fits_two_caption_lines(cls):
    """A third caption line would shrink the caption below the 18-point floor (filled with the committed
    assets' fields; tests/test_claims_data.py fills them with long words); numbers come only through fields."""
    import textwrap

    from model import claims
    from scenes.common.speech import QUOTE_CHARS, fill

    longest = {"opening": "“" + "m" * QUOTE_CHARS + "…”"}  # the longest quote review_fields gives
    fields = claims.said(cls.__name__, store.load).fields
    for key, line in cls.NARRATION.items():
        filled = fill(line, {**fields, **longest})
        assert len(textwrap.wrap(filled, width=78)) <= 2, f"{cls.__name__}.NARRATION[{key!r}] needs 3 lines"
        spoken = re.sub(r"{\w+}", "", line.replace("GPT-2", ""))  # a name, not a number; field names
        assert not any(ch.isdigit() for ch in spoken), f"{cls.__name__}.NARRATION[{key!r}] types a number"


def texts_of(group) -> list[str]:
    return [m.original_text for m in group.get_family() if isinstance(m, Text)]


@pytest.fixture(scope="module")
def assets():
    return {name: store.load(name) for name in ("dataset", "tokens", "embedding", "training")}


@pytest.fixture()
def variant(tmp_path, monkeypatch, assets):
    """Write a modified copy of the assets to a temporary folder and point the scenes at it."""

    def make(**changes):
        data = copy.deepcopy(assets)
        for name, fn in changes.items():
            fn(data[name])
        store.write_assets(tmp_path, data, {"config": {}, "seed": 0})
        monkeypatch.setenv("ATTENTION_ASSETS", str(tmp_path))
        return data

    return make


# --- Ch02 ------------------------------------------------------------------------------------------

def test_ch02_counts_histogram_and_cards(assets):
    ds = assets["dataset"]
    scene = run(Ch02Dataset)
    check_layout(scene)
    train, test = scene.split_bars[:2]
    assert texts_of(train.segs) == [f"{n:,}" for n in ds["train_counts"]]
    assert texts_of(test.segs) == [f"{n:,}" for n in ds["test_counts"]]
    assert train.total.original_text == f"{ds['n_train']:,}" and test.total.original_text == f"{ds['n_test']:,}"
    if ds["n_unsup"]:
        assert scene.split_bars[2].total.original_text == f"{ds['n_unsup']:,}"
    # bar widths are proportional to the counts
    widths = [seg[0].width for bar in scene.split_bars for seg in bar.segs]
    counts = list(ds["train_counts"]) + list(ds["test_counts"]) + ([ds["n_unsup"]] if ds["n_unsup"] else [])
    assert np.allclose(np.array(widths) / max(widths), np.array(counts) / max(counts), atol=1e-3)
    # histogram bars: one per bin, heights proportional to the counts
    hist_counts = np.asarray(ds["length_hist"]["counts"], dtype=float)
    heights = np.array([b.height for b in scene.hist.bars])
    assert len(heights) == len(hist_counts)
    assert np.allclose(heights / heights.max(), hist_counts / hist_counts.max(), atol=2e-3)
    assert f"median {ds['median_tokens']:,.0f} tokens" in scene.texts
    # cards: the real text (or its start and an ellipsis) and the real label, in its colour
    for card, ex in zip(scene.cards, ds["examples"]):
        shown = " ".join(texts_of(card.body))
        if shown.endswith(ELLIPSIS):
            assert ex["text"].startswith(shown[:-1].rstrip())
        else:
            assert shown == " ".join(ex["text"].split())
        assert card.chip_text.original_text == LABEL_NAMES[ex["label"]]
        assert card[0].get_stroke_color().to_hex().lower() == HEX["positive" if ex["label"] else "negative"].lower()


def test_ch02_long_review_is_cut_with_ellipsis(variant):
    data = variant(dataset=lambda d: d["examples"][0].update(text=" ".join([d["examples"][0]["text"]] * 12)))
    scene = run(Ch02Dataset)
    check_layout(scene)
    body = texts_of(scene.cards[0].body)
    assert body[-1].endswith(ELLIPSIS) and len(body) <= 7
    assert data["dataset"]["examples"][0]["text"].startswith(" ".join(body)[:-1].rstrip())


def test_paragraph_wraps_and_cuts():
    text = "one two three four five six seven eight nine ten " * 10
    lines = paragraph(text, width=3.0, font_size=24, max_lines=3)
    assert len(lines) == 3 and lines.truncated and lines[-1].original_text.endswith(ELLIPSIS)
    assert all(line.width <= 3.0 + 1e-6 for line in lines)
    assert not paragraph("short text", width=3.0).truncated


# --- Ch03 ------------------------------------------------------------------------------------------

def test_ch03_tokens_vocabulary_and_bpe(assets):
    tok = assets["tokens"]
    scene = committed_run(Ch03Tokens)
    check_layout(scene)
    words, pieces = tok["words"], tok["bpe_pieces"]
    shown = list(scene.tokens_shown.tokens)
    assert shown == (words if len(words) <= 40 else words[:39] + [ELLIPSIS])
    assert f"↓  {len(words)} word tokens" in scene.texts
    assert f"BPE pieces: {len(pieces)}" in scene.texts and f"our words: {len(words)}" in scene.texts
    assert list(scene.pieces_shown.tokens)[:5] == [visible(p) for p in pieces[:5]]
    assert f"GPT-2's byte-pair pieces: a list of {tok['bpe_vocab_size']:,}" in scene.frame_texts  # the heading
    # vocabulary: every (id, word, count) of head and tail is on screen, <pad>/<unk> as reserved
    for i, word, count in list(tok["vocab_head"]) + list(tok["vocab_tail"]):
        assert str(i) in scene.texts
        assert f"{count:,}" in scene.texts or word in ("<pad>", "<unk>")
        assert word in scene.texts  # whole, not cut: the rarest kept words run up to 16 letters
    assert f"{tok['n_unique_train_words']:,} distinct words in the training reviews" in scene.texts
    assert f"{tok['vocab_size']:,} ids, <pad> and <unk> included" in scene.texts
    # the words BPE cuts, with their pieces
    for word, parts in list(tok["bpe_split_words"])[:5]:
        assert word in scene.texts and all(visible(p) in scene.texts for p in parts)


def test_ch03_vocabulary_line_names_the_cut_the_table_shows(assets):
    """The committed vocabulary is cut by its size: its rarest kept words are seen more often than the
    minimum count, so the line under the table says how many were kept and how often the rarest is seen."""
    tok = assets["tokens"]
    scene = committed_run(Ch03Tokens)
    kept = tok["vocab_size"] - sum(w in ("<pad>", "<unk>") for _, w, _ in tok["vocab_head"])
    rarest = tok["vocab_tail"][-1][2]
    assert rarest > tok["min_count"] and kept < tok["n_unique_train_words"]
    assert f"keep the {kept:,} most frequent words; the rarest kept is seen {rarest:,} times" in scene.texts
    assert not [t for t in scene.texts if f"at least {tok['min_count']} times" in t]
    assert all(f"{c:,}" in scene.texts for _, _, c in tok["vocab_tail"])  # the table above shows those counts


def test_vocab_cut_names_the_minimum_count_only_when_it_binds(assets):
    tok = copy.deepcopy(assets["tokens"])
    m, kept = tok["min_count"], tok["vocab_size"] - 2
    tok["vocab_tail"] = [(i, w, m) for i, w, _ in tok["vocab_tail"]]  # the list ends at the minimum count
    assert vocab_cut(tok) == f"keep the {kept:,} most frequent words, each seen at least {m} times"
    tok["vocab_tail"] = [(i, w, 1) for i, w, _ in tok["vocab_tail"]]
    tok["n_unique_train_words"] = kept  # nothing was left out
    assert vocab_cut(tok) == f"keep all {kept:,} words; the rarest is seen 1 time"


def test_ch03_long_review_wraps_and_truncates(variant):
    data = variant(tokens=lambda t: t.update(words=t["words"] * 4, word_ids=t["word_ids"] * 4,
                                             bpe_pieces=t["bpe_pieces"] * 4, bpe_ids=t["bpe_ids"] * 4))
    scene = run(Ch03Tokens)
    check_layout(scene)
    grid = scene.tokens_shown
    assert grid.truncated and len(grid.tokens) == 40 and grid.tokens[-1] == ELLIPSIS
    assert len(grid.lines) > 1
    assert f"↓  {len(data['tokens']['words'])} word tokens" in scene.texts


# --- Ch04 ------------------------------------------------------------------------------------------

def test_ch04_ids_batch_mask_and_shape(assets):
    tok = assets["tokens"]
    scene = committed_run(Ch04Padding)
    check_layout(scene)
    unk_id = next(i for i, w, _ in tok["vocab_head"] if w == "<unk>")
    n = min(len(tok["words"]), 40)
    assert [c.id_text.original_text for c in scene.id_columns][:n] == [str(i) for i in tok["word_ids"][:n]]
    for col, i in zip(scene.id_columns, tok["word_ids"]):
        want = HEX["unk"] if i == unk_id else HEX["accent"]
        assert col.id_text.get_color().to_hex().lower() == want.lower()
    ids, mask = np.asarray(tok["batch_ids"]), np.asarray(tok["batch_mask"])
    grid, mgrid = scene.batch_grid, scene.mask_grid
    cols = grid.shown_columns
    assert cols[0] == 0 and cols[-1] == ids.shape[1] - 1  # leading columns and the padded tail
    for r in range(ids.shape[0]):
        assert [c[1].original_text for c in grid.cells[r]] == [str(int(v)) for v in ids[r, cols]]
        assert [c[1].original_text for c in mgrid.cells[r]] == [str(int(v)) for v in mask[r, cols]]
    assert "… columns …" in scene.texts
    assert scene.shape_tag.original_text == " × ".join(str(s) for s in ids.shape)
    assert all(f"{n} real" in scene.texts for n in tok["batch_lengths"])


def _one_review(t):
    """The batch of ``render.sh --text``: only the first review."""
    for k in ("batch_ids", "batch_mask"):
        t[k] = np.asarray(t[k])[:1]
    for k in ("batch_lengths", "batch_labels"):
        t[k] = list(t[k])[:1]


def test_ch04_a_batch_of_one_review_is_called_one_review(variant):
    data = variant(tokens=_one_review)
    T = np.asarray(data["tokens"]["batch_ids"]).shape[1]
    scene = run(Ch04Padding)
    check_layout(scene)
    said = scene.caption_texts
    assert scene.line("batch_one") in said and scene.line("pad_one") in said
    assert not scene.says("batch") and not scene.says("pad")  # "our example reviews", "the shorter rows"
    assert f"filled up with {T - data['tokens']['batch_lengths'][0]} <pad> ids" in scene.line("pad_one")
    assert f"A batch: 1 review, padded to T = {T} positions" in scene.frame_texts
    assert f"{data['tokens']['batch_lengths'][0]} real" in scene.texts


def test_ch04_a_review_longer_than_T_is_cut_not_padded(variant):
    def long_one(t):
        _one_review(t)
        T = t["batch_ids"].shape[1]
        t["batch_ids"], t["batch_mask"] = np.full((1, T), 7, dtype=np.int64), np.ones((1, T), dtype=bool)
        t["batch_lengths"] = [T + 88]
    data = variant(tokens=long_one)
    T = data["tokens"]["batch_ids"].shape[1]
    scene = run(Ch04Padding)
    check_layout(scene)
    said = scene.caption_texts
    assert scene.line("pad_cut") in said and not any(scene.says(k) for k in ("pad", "pad_one", "pad_none"))
    assert f"has {T + 88:,} tokens" in scene.line("pad_cut")
    assert f"A batch: 1 review, cut to T = {T} positions" in scene.frame_texts
    assert f"{T} real" in scene.texts and f"review 1 has {T + 88:,} tokens: its row keeps the first {T}" in scene.texts
    assert not [t for t in scene.texts if t.startswith("<pad> =")]  # no <pad> to point at


def test_ch04_marks_unknown_words(variant):
    def add_unknown(t):
        t["word_ids"] = [1] + list(t["word_ids"][1:])
        t["unknown"] = [t["words"][0]]
    data = variant(tokens=add_unknown)
    scene = run(Ch04Padding)
    col = scene.id_columns[0]
    assert col.id_text.original_text == "1" and col.id_text.get_color().to_hex().lower() == HEX["unk"].lower()
    assert any(t.startswith("not in the vocabulary: " + data["tokens"]["words"][0]) for t in scene.texts)


# --- Ch05 ------------------------------------------------------------------------------------------

def test_ch05_rows_shapes_and_neighbours(assets):
    emb = assets["embedding"]
    scene = committed_run(Ch05Embedding)
    check_layout(scene)
    E = np.asarray(emb["E_rows"])
    vm = scene.value_matrix
    assert np.array_equal(vm.array, E.astype(float))
    assert texts_of(vm.row_label_mobs) == list(emb["tokens"])
    assert [c[1].original_text for c in vm.rows[0]] == [fmt(v, digits=2) for v in
                                                         E[0, :len(vm.shown_cols)]]
    assert vm.note_text == f"first {len(vm.shown_cols)} of {emb['d_model']} columns"
    assert scene.size_tag.original_text == f"{emb['vocab_size']:,} × {emb['d_model']}"
    assert scene.out_tag.original_text == f"1 × {len(emb['tokens'])} × {emb['d_model']}"
    assert set(scene.sketch.slots) >= set(int(i) for i in emb["ids"])
    # how much of the model the table is: vocab_size × d against the checkpoint's parameter count
    V, d, n_params = emb["vocab_size"], emb["d_model"], assets["training"]["n_params"]
    assert [t.original_text for t in scene.share] == [
        f"{V:,} × {d} = {V * d:,}", "numbers in the embedding matrix E",
        f"{round(100 * V * d / n_params)} % of all {n_params:,} parameters of the model"]
    for col, (word, pairs) in zip(scene.neighbours, emb["neighbours"]):
        got = texts_of(col.rows)
        for other, cos in pairs[:5]:
            assert other[:9] in " ".join(got) and f"{cos:.3f}" in got  # 3 digits: the cosines are all near 1
    trained_heading = "Nearest words in the trained embedding"
    assert (trained_heading in scene.frame_texts) == bool(emb["trained"])


def test_ch05_block_beat_shows_the_block_while_its_line_is_up():
    """"Stacked, they form one block": the block and its 1 × n × d tag are on stage for as long as the
    line is, and stay there, settled, for a few seconds."""
    scene = committed_run(Ch05Embedding)
    line = scene.line("shape")
    up = [(t, {id(m) for top in stage for m in top.get_family()}) for t, cap, stage in scene.timeline
          if cap == line]
    assert up, "the line is never shown"
    assert all(id(scene.out_tag) in ids and id(scene.block_drawn) in ids for _, ids in up)
    assert up[-1][0] - up[0][0] >= 3.0  # from the end of the beat's animations to the end of its pause
    assert up[-1][0] - up[0][0] + 2.0 >= reading_time(line)


@pytest.mark.parametrize("cls", [Ch03Tokens, Ch04Padding, Ch05Embedding])
def test_no_caption_over_an_empty_stage(cls):
    """When a beat clears the stage, its caption goes with it: no line narrates a picture that is gone."""
    assert not captions_over_an_empty_stage(committed_run(cls))


def test_ch05_says_when_untrained(variant):
    variant(embedding=lambda e: e.update(trained=False))
    scene = run(Ch05Embedding)
    assert "untrained embedding: these rows are random" in scene.texts
    assert "Nearest words: untrained embedding" in scene.frame_texts
