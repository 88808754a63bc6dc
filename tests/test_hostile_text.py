"""Reviews that once broke the text chapters: one or two tokens, 40 and 60 tokens, a byte-order mark,
a right-to-left override, bytes that are not UTF-8, one word said three times. Each is exported once through
``python -m model export --text -`` and the text chapters are dry-run on its assets."""
from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest

from model import store
from model.tokenize import clean_review, normalize_text, word_tokenize

from scripts.render import TEXT_CHAPTERS
from test_text_input import export_text

# --- the one normaliser ---------------------------------------------------------------------------


def test_clean_review_repairs_undecodable_bytes():
    assert clean_review(b"good \xff film") == "good \ufffd film"
    assert clean_review("good \udcff film") == "good \ufffd film"  # what argv holds for b"\xff"
    assert clean_review("caf\udcc3\udca9") == "café"  # escaped bytes that are UTF-8 together come back
    assert clean_review("a \ud800 b") == "a \ufffd b"  # a lone surrogate that is no escaped byte
    assert clean_review(b"\xc3\x28 \xed\xa0\x80") == "\ufffd( \ufffd\ufffd\ufffd"  # as Python decodes them


def test_clean_review_drops_what_draws_nothing_and_keeps_the_rest():
    assert clean_review("\ufeffGreat\u202e film\u200b!\u2066") == "Great film!"  # Cf: BOM, bidi, zero width
    assert clean_review("de\u00adlightful 👍\ufe0f") == "delightful 👍"  # soft hyphen, variation selector
    assert clean_review("great\x00 film\x07\x1b[31m") == "great  film  [31m"  # C0 controls: spaces
    assert clean_review("a\tb\nc\r\nd") == "a\tb\nc\r\nd"  # whitespace as written
    assert clean_review("an\x96IMDB\x97dash") == "an\x96IMDB\x97dash"  # C1: in IMDB and in the vocabulary
    assert clean_review("סרט נהדר 😀 é") == "סרט נהדר 😀 é"
    for text in ("\ufeff\udcff a\u202e", "plain", "\x00\ufe0f"):
        assert clean_review(clean_review(text)) == clean_review(text)
    everything = "".join(map(chr, range(0x3000))) + "".join(map(chr, range(0xD800, 0xE000))) + "\ufeff\U000e0001"
    cleaned = clean_review(everything)
    assert not [c for c in cleaned if unicodedata.category(c) in ("Cf", "Cs")]
    cleaned.encode("utf-8")


def test_the_text_path_keeps_the_words_of_real_reviews(imdb_dir):
    """``export --text`` on an IMDB review gives the words the IMDB export gives it (only the two
    reviews with a soft hyphen, which draws nothing, differ)."""
    import pyarrow.parquet as pq

    texts = pq.read_table(imdb_dir / "test.parquet", columns=["text"]).column("text").to_pylist()
    chosen = texts[:300] + [t for t in texts if not t.isascii()][:1500]
    assert any("\x96" in t for t in chosen) and any("<br" in t for t in chosen)
    changed = [t for t in chosen if word_tokenize(normalize_text(t)) != word_tokenize(t)]
    assert all("\u00ad" in t for t in changed)


# --- predict reads the same way -------------------------------------------------------------------

def test_predict_reads_bytes_on_stdin_and_warns_like_export(capsys, monkeypatch):
    from model.cli import main
    from model.predict import all_unknown_warning

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbfa wonderful \xff film")))
    assert main(["predict", "-"]) == 0
    out = capsys.readouterr().out
    assert "(probability" in out and "4 tokens" in out  # a, wonderful, \ufffd, film: the BOM is gone
    assert main(["predict", "zxqv blorf snargle wibbet"]) == 0
    assert all_unknown_warning(4) in capsys.readouterr().out.splitlines()


# --- scene helpers never build a Text that draws nothing ------------------------------------------

INVISIBLE = ["\ufeff", "\u202e", "\u200b\u200b", "\U000e0041", "\u202egood", "\udcff", "\ufe0f"]


def test_scene_text_helpers_always_draw_something():
    import numpy as np

    from scenes.common import Heatmap, TokenRow, ValueMatrix, label, paragraph, sit_on_baseline, token_grid

    for s in INVISIBLE:
        t = label(s, size=24)
        assert t.submobjects and t.width > 0 and t.height > 0, repr(s)
        assert not any(unicodedata.category(c) == "Cs" for c in t.original_text)
    assert label("\u202egood").original_text == "good"  # the override is dropped, the word is kept
    assert label("\ufeff").original_text == "U+FEFF"  # nothing else to draw: its code point
    row = TokenRow(INVISIBLE)
    assert all(t.submobjects for t in row.texts)
    grid = token_grid(INVISIBLE + ["great"])
    assert len(grid.lines) >= 1
    vm = ValueMatrix(np.zeros((len(INVISIBLE), 2)), max_rows=len(INVISIBLE), row_labels=INVISIBLE)
    assert all(t.submobjects for t in vm.row_label_mobs)
    hm = Heatmap(np.eye(2), INVISIBLE[:2])
    assert all(t.submobjects for t in [*hm.row_label_mobs, *hm.col_label_mobs])
    para = paragraph("\ufeffGreat film \u202eI loved it.", width=6)
    assert all(line.submobjects for line in para)
    blank = label(" ")
    assert sit_on_baseline(blank, 1.0) is blank  # a blank Text is left alone, not divided by its zero height


# --- every text chapter on hostile reviews ----------------------------------------------------------

LONG = " ".join(["supercalifragilisticexpialidociousness", "😀", "סרט", "فيلم"] + ["great", "awful"] * 28)
FORTY = ("The first half drags , but the last act is wonderful : sharp writing , a moving score and two "
         "leads who make every quiet scene count . I did not expect to care this much about them at all")
TEXTS: dict[str, str | bytes] = {
    "one_token": "Wonderful",
    "two_tokens": "Truly awful",
    "forty_tokens": FORTY,
    "sixty_tokens": LONG,  # one 38-letter word, an emoji and right-to-left words
    "bom": "\ufeffGreat film, I loved it.",
    "rlo": "Great film \u202eI loved it, really.",
    "invalid_utf8": b"good \xff film, \xc3\x28 bad \xed\xa0\x80 ending",
    "repeated": "Good good good",  # no reordering changes these words
}
ALL = list(TEXT_CHAPTERS)  # what render.sh --text renders
# What each text is run through: every chapter for the shortest review; for the others, the chapters where
# that text is an edge case (a dry run of all ten costs about 100 s a text, so not every pair is run):
# - two tokens: the smallest review with a permutation (7) and links between two tokens (9, 10);
# - 40 tokens: the most a token grid shows before it cuts with an ellipsis (3, 4);
# - 60 tokens: every chapter but 5, which, like 6 to 8, shows only the first five tokens (7 and 8 for the
#   38-letter first word, a row label of their two output matrices);
# - a byte-order mark, a right-to-left override, bytes that are not UTF-8: the chapters that failed on them
#   (the override only in chapter 3: once cleaned, the two texts take the same way through chapter 5).
#   The exporter cleans those characters away (test_hostile_text_assets_hold_clean_text);
#   test_scenes_survive_assets_that_still_hold_them runs the chapters on assets that still do;
# - a word said three times: no reordering changes the sentence, so 7 and 8 have nothing to compare.
RUNS = {
    "one_token": ALL,
    "two_tokens": ["Ch07Permutation", "Ch09QueryKeyValue", "Ch10MultiHead"],
    "forty_tokens": ["Ch03Tokens", "Ch04Padding"],
    "sixty_tokens": [c for c in ALL if c != "Ch05Embedding"],
    "bom": ["Ch03Tokens", "Ch05Embedding"],
    "rlo": ["Ch03Tokens"],
    "invalid_utf8": ["Ch03Tokens", "Ch04Padding", "Ch05Embedding", "Ch12Classification"],
    "repeated": ["Ch07Permutation", "Ch08Positions"],
}
assert set(RUNS) == set(TEXTS) and all(set(chapters) <= set(ALL) for chapters in RUNS.values())
CASES = [pytest.param(case, cls, id=f"{case}-{cls}") for case, chapters in RUNS.items() for cls in chapters]


@pytest.fixture(scope="module")
def exported(tmp_path_factory, bpe_ready):
    """``exported(case)``: the assets folder of ``TEXTS[case]``, exported (from stdin) once per module run."""
    done: dict = {}

    def get(case: str):
        if case not in done:
            folder = tmp_path_factory.mktemp(f"assets-{case}")
            proc = export_text(TEXTS[case], folder, stdin=True)
            assert proc.returncode == 0, proc.stderr[-2000:]
            assert "Traceback" not in proc.stderr
            done[case] = (folder, proc)
        return done[case]

    return get


@pytest.mark.parametrize("case", list(TEXTS))
def test_hostile_text_assets_hold_clean_text(case, exported):
    folder, proc = exported(case)
    words = store.load("tokens", folder)["words"]
    raw = TEXTS[case]
    assert words == word_tokenize(clean_review(raw))
    shown = [*words, store.load("dataset", folder)["examples"][0]["text"], *store.load("block", folder)["tokens"],
             *store.load("tokens", folder)["bpe_pieces"]]
    assert not [s for s in shown if any(unicodedata.category(c) in ("Cf", "Cs") for c in s)]
    assert "warning" not in proc.stderr
    if case == "invalid_utf8":
        assert words[:3] == ["good", "\ufffd", "film"]
    if case in ("bom", "rlo"):
        assert words == word_tokenize(raw.replace("\ufeff", "").replace("\u202e", ""))
    expected = {"one_token": 1, "two_tokens": 2, "forty_tokens": 40, "sixty_tokens": 60}.get(case)
    assert expected is None or len(words) == expected


def test_export_warns_when_every_word_is_unknown(tmp_path, bpe_ready):
    from model.predict import all_unknown_warning

    proc = export_text("zxqv blorf snargle wibbet", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning")]
    assert lines == [all_unknown_warning(4)]  # predict's line, once, on stderr


@pytest.mark.slow
@pytest.mark.parametrize("case,cls", CASES)
def test_text_chapters_run_on_hostile_reviews(case, cls, exported, tmp_path_factory, monkeypatch):
    """The chapter runs, keeps its text at 18 pt or more and inside the frame, and builds no Text that
    draws nothing."""
    from manim import Text
    from scene_runs import run_chapter, text_problems

    from scenes.chapters import CHAPTERS
    from scenes.common import ELLIPSIS

    folder, _ = exported(case)
    monkeypatch.setenv("ATTENTION_ASSETS", str(folder))
    stem = {c.cls: c.stem for c in CHAPTERS}[cls]
    scene = run_chapter(stem, cls, tmp_path_factory.mktemp("media"))
    small, outside = text_problems(scene)
    assert not small, f"text below font size 18: {small[:5]}"
    assert not outside, f"outside the content area: {outside[:5]}"
    empty = [m.original_text for m in scene.family if isinstance(m, Text) and m.original_text.strip()
             and not m.submobjects]
    assert not empty, f"Texts that draw nothing: {empty[:5]}"
    narration = {k: scene.line(k) for k in scene.NARRATION if scene.says(k)}  # the lines true of this review
    assert set(scene.captions) <= set(narration.values())
    if case == "sixty_tokens" and cls in ("Ch03Tokens", "Ch04Padding", "Ch06SelfAttention", "Ch09QueryKeyValue",
                                          "Ch10MultiHead", "Ch12Classification"):
        assert any(ELLIPSIS in t for t in scene.texts), "a shortened token or review must say so on screen"
    n = len(store.load("block", folder)["tokens"])
    said = {k for k, line in narration.items() if line in scene.captions}
    if cls == "Ch03Tokens":  # the review was given, not drawn from the test set
        assert "review_given" in said and "review" not in said
        assert not [t for t in scene.texts if "example reviews" in t]
    if cls == "Ch04Padding":  # one review in the batch: never "our example reviews" or "short rows"
        B = len(store.load("tokens", folder)["batch_lengths"])
        assert B == 1 and {"batch_one", "pad_one"} <= said and not {"batch", "pad"} & said
        assert any(h.startswith("A batch: 1 review, padded to T = ") for h in scene.headings)
        unk_keys = {"unk", "unk_repeat", "known", "known_repeat"} & said
        assert len(unk_keys) == 1 and (case != "one_token" or not unk_keys & {"unk_repeat", "known_repeat"})
    if cls == "Ch05Embedding":  # one token: one row, not "the rows for the first tokens"
        one = len(store.load("embedding", folder)["tokens"]) == 1
        assert ({"rows_one", "shape_one"} <= said) == one and bool({"rows", "shape"} & said) != one
    if cls in ("Ch07Permutation", "Ch08Positions"):
        att = store.load("attention", folder)
        reordered = list(att["tokens_perm"]) != list(att["tokens"])
        assert scene.reordered == reordered
        assert reordered == (case not in ("one_token", "repeated"))  # what the export's choose_perm does
        compare = {"Ch07Permutation": {"shuffle", "run", "match", "follow", "gap", "why"},
                   "Ch08Positions": {"again", "gap", "differ", "order"}}[cls]
        assert bool(compare & said) == reordered  # lines about the reordered words only when they moved
        if not reordered:
            assert ("alone" if len(att["tokens"]) == 1 else "same") in said
            assert not [t for t in scene.texts if "shuffled" in t]
        if cls == "Ch07Permutation":
            assert ("words_one" in said) == (len(att["tokens"]) == 1) != ("words" in said)
        if cls == "Ch08Positions" and len(att["tokens"]) == 1:
            assert {"p_one", "add_one"} <= said and not {"p", "add"} & said
    if cls == "Ch09QueryKeyValue":
        links = scene.links_shown
        assert all(i != j for _, i, j, _ in links)  # never a token linked to itself
        assert ("alone" in said) == (n == 1) == (not links)
        assert ("links" in said) == (n > 1)
    if cls == "Ch10MultiHead":
        assert ({"heads_alone", "shapes_alone"} <= said) == (n == 1)
        assert bool({"compare", "pair_links", "shapes"} & said) == (n > 1)


def _with_raw_characters(clean: Path, out: Path) -> Path:
    """A copy of the assets in ``clean`` whose review still holds a byte-order mark, a right-to-left
    override and an undecodable byte (a lone surrogate), where the exporter once left them."""
    manifest = store.read_manifest(clean)
    assets = {name: store.load(name, clean) for name in manifest["assets"]}
    raw = {0: "\ufeff", 2: "\u202e", 3: "\udcff"}  # token index -> what it becomes
    tok, emb, cls, ds = assets["tokens"], assets["embedding"], assets["classify"], assets["dataset"]
    for words in (tok["words"], tok["examples"][0]["words"], emb["tokens"], cls["examples"][0]["tokens"]):
        for k, c in raw.items():
            words[k] = c
    tok["bpe_pieces"][0] = "\ufeff" + tok["bpe_pieces"][0]
    ds["examples"][0]["text"] = "\ufeff" + ds["examples"][0]["text"].replace(" ", " \u202e\udcff ", 1)
    meta = {k: v for k, v in manifest.items() if k not in ("schema_version", "assets", "files")}
    store.write_assets(out, assets, meta)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("cls", ["Ch03Tokens", "Ch05Embedding", "Ch12Classification"])
def test_scenes_survive_assets_that_still_hold_them(cls, exported, tmp_path_factory, monkeypatch):
    """The scene helpers alone keep such assets drawable: no error, no Text that draws nothing."""
    from manim import Text
    from scene_runs import run_chapter, text_problems

    from scenes.chapters import CHAPTERS

    folder = tmp_path_factory.getbasetemp() / "raw-characters"
    if not (folder / "manifest.json").is_file():
        _with_raw_characters(exported("bom")[0], folder)
    monkeypatch.setenv("ATTENTION_ASSETS", str(folder))
    assert store.load("tokens", folder)["words"][0] == "\ufeff"
    stem = {c.cls: c.stem for c in CHAPTERS}[cls]
    scene = run_chapter(stem, cls, tmp_path_factory.mktemp("media"))
    assert text_problems(scene) == ([], [])
    texts = [m.original_text for m in scene.family if isinstance(m, Text)]
    assert not [t for t in texts if any(unicodedata.category(c) == "Cs" for c in t)]
    empty = [m.original_text for m in scene.family if isinstance(m, Text) and m.original_text.strip()
             and not m.submobjects]
    assert not empty, f"Texts that draw nothing: {empty[:5]}"
    if cls == "Ch03Tokens":
        assert {"U+FEFF", "U+202E", "\ufffd"} <= scene.texts  # the invisible tokens, named; the bad byte, marked
