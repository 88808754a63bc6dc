"""The chapters draw what the export chose: each stored choice (model/choices.py, kept in the assets)
is what the chapter shows, and a chapter follows its asset's choice rather than choosing again.

The rules themselves are tested in test_choices.py. Chapters are reached through the registry's
``scene_class`` only (test_layout_rules.py forbids importing a chapter module).
"""
from __future__ import annotations

import pytest
from scene_runs import chapter_fixture, run_chapter

from model import store
from scenes.chapters import CHAPTERS, scene_class
from scenes.common import fmt, shorten

ch01 = chapter_fixture("ch01", "Ch01Motivation")
ch07 = chapter_fixture("ch07", "Ch07Permutation")
ch08 = chapter_fixture("ch08", "Ch08Positions")
ch09 = chapter_fixture("ch09", "Ch09QueryKeyValue")
ch10 = chapter_fixture("ch10", "Ch10MultiHead")


def test_scene_class_is_the_way_in():
    for c in CHAPTERS:
        got = scene_class(c.cls)
        assert got.__name__ == c.cls and got.__module__ == f"scenes.{c.stem}"
    with pytest.raises(KeyError):
        scene_class("Ch99Missing")


def test_ch01_shows_the_stored_heads_and_focus(ch01):
    cls = store.load("classify")
    pick, sents = cls["motivation"], cls["sentences"]
    h = len(sents[0]["weights"])
    assert (f"block 1 · head {pick['focus_head'] + 1} of {h} · attention weights from “{pick['focus_word']}”"
            in ch01.texts)
    assert f"block 1 · head {pick['order_head'] + 1} of {h} · same words, new places" in ch01.texts


def test_ch07_links_and_follows_the_stored_rows(ch07):
    att = store.load("attention")
    assert ch07.matched == att["matched_rows"]
    i, k = att["followed_row"]
    assert (f"“{shorten(att['tokens'][i])}”: word {i + 1} in order, word {k + 1} when shuffled: the same output row"
            in ch07.texts)


def test_ch08_follows_the_stored_word(ch08):
    assert ch08.diff_pair == tuple(store.load("attention")["changed_row"])


def test_ch09_shows_the_stored_head_and_links(ch09):
    blk = store.load("block")
    assert ch09.head_shown == blk["head_shown"] and ch09.links_shown == blk["links_shown"]


def test_ch10_compares_the_stored_heads_with_their_stored_links(ch10):
    blk = store.load("block")
    assert ch10.heads_compared == blk["heads_compared"]
    for h in blk["heads_compared"]:  # each boxed link is named in the callouts
        i, j, w = blk["head_links"][h]
        for shown in (f"head {h + 1}:", f"“{shorten(blk['tokens'][i])}”", f"“{shorten(blk['tokens'][j])}”", fmt(w)):
            assert shown in ch10.texts, shown


def test_a_chapter_draws_the_choice_its_asset_holds(tmp_path, monkeypatch):
    """Store another word to follow in attention.pkl: Ch07 follows that one (it does not choose again)."""
    names = store.read_manifest()["assets"]
    assets = {name: store.load(name) for name in names}
    att = assets["attention"] = dict(assets["attention"])
    i, k = att["matched_rows"][1], 1  # a word that moved, though not furthest
    assert (i, k) != tuple(att["followed_row"]) and i != k
    att["followed_row"] = (i, k)
    store.write_assets(tmp_path / "assets", assets, {"seed": 0})
    monkeypatch.setenv("ATTENTION_ASSETS", str(tmp_path / "assets"))
    scene = run_chapter("ch07_permutation", "Ch07Permutation", tmp_path / "media")
    assert (f"“{shorten(att['tokens'][i])}”: word {i + 1} in order, word {k + 1} when shuffled: the same output row"
            in scene.texts)


def test_ch08_never_follows_a_word_that_kept_its_place(tmp_path, monkeypatch):
    """Store the middle word of the reversal (it keeps its place) as Ch08's word: the chapter does not
    show it "in its two places"; it ends after the gaps."""
    names = store.read_manifest()["assets"]
    assets = {name: store.load(name) for name in names}
    att = assets["attention"] = dict(assets["attention"])
    mid = len(att["tokens"]) // 2
    assert att["perm"][mid] == mid
    att["changed_row"] = (mid, mid)
    store.write_assets(tmp_path / "assets", assets, {"seed": 0})
    monkeypatch.setenv("ATTENTION_ASSETS", str(tmp_path / "assets"))
    scene = run_chapter("ch08_positions", "Ch08Positions", tmp_path / "media")
    assert scene.diff_pair is None and "differ" in scene.said.off
    assert scene.NARRATION["differ"] not in scene.captions


NAMES_AND_CONSTANTS = ("in 2017", "GPT-2", "ln 2", "mask is 1 everywhere")  # digits that are no fact of the data


def test_no_template_types_a_number_of_the_data():
    """Numbers about the data reach a line only through its fields: a digit typed into a template is one
    of the few names and constants that hold for every review (the paper's year, GPT-2, ln 2)."""
    import re

    from scripts.voice import chapter_lines

    typed = []
    for c in CHAPTERS:
        for key, line in chapter_lines(c.stem).items():
            text = re.sub(r"\{\w+\}", "", line)
            for name in NAMES_AND_CONSTANTS:
                text = text.replace(name, "")
            if re.search(r"\d", text):
                typed.append(f"{c.cls}[{key}]: {line}")
    assert not typed, f"numbers typed into narration: {typed}"
