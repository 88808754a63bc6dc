"""How the narrator says a caption: the one place that spells out every symbol, number and abbreviation.

Captions are written to be read (``X·Xᵀ``, ``√d``, ``<unk>``, ``1 × 16 × 32``, ``IMDB``); the voice
(espeak-ng's phonemizer under Piper) reads them badly: it drops ``<`` and ``_`` silently, says "letter
1D40" for ``ᵀ``, "right arrow" for ``→`` and reads IMDB as one word. :func:`spoken` rewrites a line the
way it should be said, from the tables below; :func:`for_voice` then removes whatever the voice still
cannot say (emoji, other scripts, control characters), for lines that quote a user's review.

Standard library only, and linear in the length of the text.
"""
from __future__ import annotations

import html
import re
import string
import unicodedata

# --- the tables: how each symbol, token and abbreviation is said ----------------------------------

SAY: dict[str, str] = {
    "·": "times", "⋅": "times", "×": "times", "÷": "divided by", "/√": "divided by the square root of",
    "√": "the square root of", "Σ": "the sum of", "∑": "the sum of",
    "ᵀ": "transpose", "²": "squared", "³": "cubed", "⁻¹": "inverse",
    "→": "to", "->": "to", "⇒": "so", "=": "equals", "≈": "is about", "≠": "is not equal to",
    "<": "less than", ">": "greater than", "≤": "less than or equal to", "≥": "greater than or equal to",
    "+": "plus", "−": "minus", "±": "plus or minus", "^": "to the power of", "∞": "infinity",
    "&": "and", "%": "percent", "°": "degrees", "@": "at", "#": "number", "~": "about",
    "α": "alpha", "β": "beta", "θ": "theta", "λ": "lambda", "μ": "mu", "π": "pi", "σ": "sigma",
    # said as a pause, or as nothing:
    "—": ",", "–": ",", "--": ",", "…": ".", "(": ",", ")": ",", "[": ",", "]": ",", "{": ",", "}": ",",
    '"': "", "`": "", "_": " ", "/": " ", "\\": " ", "|": " ", "*": " ",
}
TOKENS = {"pad": "pad", "unk": "unknown", "mask": "mask", "cls": "class", "sep": "separator",
          "bos": "start", "eos": "end"}  # <pad>, <unk>, ...: any other <word> is said as the word
HTML_TAGS = {"br": ". ", "p": ". ", "hr": ". ", "div": ". ", "i": " ", "b": " ", "u": " ", "em": " ",
             "strong": " ", "span": " ", "a": " "}  # review remnants: a pause or nothing, as is any </word>
WORDS = {"imdb": "I M D B", "gpt": "G P T", "cpu": "C P U", "gpu": "G P U", "bpe": "B P E",  # misread
         "relu": "relu", "pytorch": "pie torch", "ln": "the natural log of",  # words; in any case
         "e.g.": "for example", "i.e.": "that is", "vs.": "versus", "vs": "versus"}
# Read as another character first: curly quotes, and the Windows-1252 punctuation that IMDB reviews hold
# as C1 controls (\x96 is an en dash there).
FOLD = {"‘": "'", "’": "'", "ʼ": "'", "′": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
        "\x91": "'", "\x92": "'", "\x93": '"', "\x94": '"', "\x96": "–", "\x97": "—", "\x85": "…"}

ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = ("", " thousand", " million", " billion", " trillion", " quadrillion")
ORDINAL = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
           "nine": "ninth", "twelve": "twelfth"}

# SPEAKABLE: ASCII letters and digits, the space, ". , ; : ! ? ' -", and the Latin-script letters of
# Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional (é, ñ, ü, ß, ø, ł, ...).
PUNCTUATION = ".,;:!?'-"
SPEAKABLE: frozenset[str] = frozenset(
    string.ascii_letters + string.digits + " " + PUNCTUATION
    + "".join(c for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)] if (c := chr(cp)).isalpha()
              and unicodedata.name(c, "").startswith("LATIN ")))


# --- numbers: one converter for every number --------------------------------------------------------

def number_words(n: int) -> str:
    """``n`` (0 to 10**18 - 1) in words: 8567 -> "eight thousand five hundred sixty-seven"."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + (f"-{ONES[n % 10]}" if n % 10 else "")
    if n < 1000:
        return f"{ONES[n // 100]} hundred" + (f" {number_words(n % 100)}" if n % 100 else "")
    groups = []
    for scale in SCALES:
        n, group = divmod(n, 1000)
        if group:
            groups.append(number_words(group) + scale)
    return " ".join(reversed(groups))


def say_digits(digits: str) -> str:
    """An ASCII digit string as a whole number, or digit by digit when 19 digits or longer."""
    if len(digits) > 18:
        return " ".join(ONES[int(d)] for d in digits)
    return number_words(int(digits))


def ordinal(words: str) -> str:
    """"twenty-one" -> "twenty-first"."""
    head, last = re.match(r"(.*?)([a-z]+)$", words).groups()
    return head + ORDINAL.get(last, last[:-1] + "ieth" if last.endswith("y") else last + "th")


def _number(m: re.Match) -> str:
    sign, whole, fraction, suffix = m.groups()
    words = say_digits(whole.replace(",", ""))
    for part in fraction.split(".")[1:]:  # 0.997 -> point nine nine seven; 1.8.0 -> point eight point zero
        words += " point " + " ".join(ONES[int(d)] for d in part)
    if suffix:
        words = ordinal(words)
    return f" {'minus ' if sign else ''}{words} "


# --- the rewriting rules, in the order they run -----------------------------------------------------

def _alternation(keys) -> str:
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


def _scripts() -> tuple[dict[str, str], dict[str, str]]:
    """Super- and subscript characters (², ᵀ, ⁿ, ₁, ᵢ ...) and the plain character each stands for."""
    sup, sub = {}, {}
    for cp in range(0xA0, 0x10000):
        c = chr(cp)
        tag, base = unicodedata.decomposition(c).split(" ")[0], unicodedata.normalize("NFKC", c)
        if tag in ("<super>", "<sub>") and unicodedata.category(c) != "Lo" and re.fullmatch(r"[\w+=()−]", base):
            (sup if tag == "<super>" else sub)[c] = base
    return sup, sub


SUPER, SUB = _scripts()
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*) ?/?>")  # <unk>, <br />, </i>; not a < b > c
_SUPER = re.compile(f"[{re.escape(''.join(SUPER))}]+")
_SUB = re.compile(f"[{re.escape(''.join(SUB))}]+")
_UNDERSCORE = re.compile(r"(?<=\w)_(?=\w)")
_WORDS = re.compile(rf"(?<![\w.])({_alternation(WORDS)})(s?)(?!\w)(-?)", re.IGNORECASE)  # GPT-2: G P T 2
_SHAPE = re.compile(r"× ?(?=\d|[A-Za-z](?![A-Za-z]))")  # 1 × 16, T × d: "by"; 1.6× faster: "times"
_RANGE = re.compile(r"(?<=\d)[-–](?=\d)")  # 10-20: "to"
_RATING = re.compile(r"(?<=\d) ?/ ?(?=\d)")  # 10/10: "out of"
_DASH = re.compile(r"(?<!\S)-+(?= |$)(?! \d)")  # a hyphen standing alone is a dash; 5 - 3 is minus
_NUMBER = re.compile(r"(?:(?<![\w)])([-−]) ?)?(?<!\d)(\d{1,3}(?:,\d{3})+(?!\d)|\d+)((?:\.\d+)*)"
                     r"((?:st|nd|rd|th)(?![A-Za-z]))?", re.ASCII)  # -1,234.5, 0.997, 2017, 21st
_GREEK = "[\u0370-\u03ff\u1f00-\u1fff]"  # a Greek letter is a symbol only when no Greek word holds it
_SYMBOL = re.compile(_alternation(k for k in SAY if not re.match(_GREEK, k)) + f"|(?<!{_GREEK})(?:"
                     + _alternation(k for k in SAY if re.match(_GREEK, k)) + f")(?!{_GREEK})")
_FOLD_TABLE = str.maketrans(FOLD)
_PAUSES = re.compile(r" ?[.,;:!?](?: ?[.,;:!?])*")
_LOOSE = re.compile(r"-+(?= |$)|(?<= )-+|^-+| (?='s(?![A-Za-z]))")  # x- two; G P T two 's; a hyphen by an emoji


def _tag(m: re.Match) -> str:
    slash, name = m.group(1), m.group(2).lower()
    if slash or name in HTML_TAGS:
        return HTML_TAGS.get(name, " ")
    return f" {TOKENS.get(name, name)} "


def _superscript(m: re.Match) -> str:
    run = m.group()
    return f" {SAY[run]} " if run in SAY else " to the power of " + "".join(SUPER[c] for c in run) + " "


def _word(m: re.Match) -> str:
    return WORDS[m.group(1).lower()] + ("'s" if m.group(2) else "") + (" " if m.group(3) else "")


def _pause(m: re.Match) -> str:
    marks = m.group().replace(" ", "")
    return next((c for c in marks if c in ".!?"), marks[0]) + " "


def _tidy(text: str) -> str:
    """One space between words, no loose hyphen, one mark per pause, none leading, only . ! ? ending."""
    text = _PAUSES.sub(_pause, _LOOSE.sub("", " ".join(text.split())))
    return " ".join(text.split()).lstrip(PUNCTUATION + " ").rstrip(",;:'- ")


def spoken(text: str) -> str:
    """The caption line ``text`` as the narrator says it.

    Parameters
    ----------
    text : str
        A caption line, as shown on screen.

    Returns
    -------
    str
        The line with every symbol of :data:`SAY`, special token (``<unk>`` -> "unknown"),
        super- and subscript, code name (``d_model`` -> "d model"), abbreviation of :data:`WORDS` and
        number written out as words. Characters it has no rule for are left as they are
        (:func:`for_voice` removes them).

    Examples
    --------
    >>> spoken("Y = W·X, a 1 × 16 × 32 block, 1.6× faster")
    'Y equals W times X, a one by sixteen by thirty-two block, one point six times faster'
    """
    text = " ".join(html.unescape(text).translate(_FOLD_TABLE).split())
    text = _TAG.sub(_tag, text)
    text = _SUB.sub(lambda m: " " + "".join(SUB[c] for c in m.group()) + " ", _SUPER.sub(_superscript, text))
    text = _WORDS.sub(_word, _UNDERSCORE.sub(" ", text))
    text = _SHAPE.sub(" by ", text)
    text = _RATING.sub(" out of ", _RANGE.sub(" to ", text))
    text = _NUMBER.sub(_number, _DASH.sub(",", text))
    text = _SYMBOL.sub(lambda m: f" {SAY[m.group()]} ", text)
    return _tidy(text)


# --- what the voice cannot say ---------------------------------------------------------------------

class _VoiceTable(dict):
    """``str.translate`` table, filled as characters come: kept, folded to Latin letters, or dropped."""

    def __missing__(self, cp: int) -> str:
        c = chr(cp)
        folded = unicodedata.normalize("NFKC", c)  # fullwidth letters, ligatures such as ﬁ
        if c in SPEAKABLE:
            said = c
        elif c.isspace():
            said = " "
        elif unicodedata.category(c) in ("Mn", "Me", "Cf"):
            said = ""  # combining marks, zero widths, soft hyphens, bidi controls: inside a word
        elif c.isalpha() and folded.isalpha() and all(f in SPEAKABLE for f in folded):
            said = folded
        else:
            said = " "  # emoji, symbols, controls, letters of other scripts: a word break
        self[cp] = said
        return said


_VOICE_TABLE = _VoiceTable()


def for_voice(text: str) -> str:
    """The line as it is handed to the voice: :func:`spoken`, then whatever the voice cannot say removed.

    Parameters
    ----------
    text : str
        A caption line, which may quote a user's review (any Unicode, any length).

    Returns
    -------
    str
        Only :data:`SPEAKABLE` characters. Emoji, control characters and symbols without a rule become a
        word break; format characters (zero widths, bidi controls, soft hyphens) and combining marks
        that compose with nothing go; letters of non-Latin scripts go; fullwidth letters and ligatures
        become their Latin letters; whitespace runs become one space. Linear in ``len(text)``.
    """
    said = spoken(unicodedata.normalize("NFC", text)).translate(_VOICE_TABLE)
    return _tidy(said)


def unspeakable(text: str) -> set[str]:
    """The characters of ``text`` outside :data:`SPEAKABLE`."""
    return set(text) - SPEAKABLE
