"""Turning review text into tokens and ids.

Two tokenizers appear in the video:

* **words** (what the classifier reads): lower-cased, punctuation split off,
  each word looked up in a vocabulary ordered by frequency;
* **BPE subwords** (for contrast): GPT-2's ``r50k_base`` encoding from tiktoken.

Ids 0 and 1 are reserved: ``<pad>`` = 0, so a padded row ends in zeros, and
``<unk>`` = 1 for every word the vocabulary does not know.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

import numpy as np

from .data import clean_text
from .errors import UserError

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1

# A word is a run of letters/digits, optionally with one apostrophe part ("don't",
# "film's"); any other visible character (punctuation, emoji) is a token of its own.
_TOKEN = re.compile(r"\w+(?:'\w+)?|[^\w\s]", re.UNICODE)
# C0 control characters (NUL included) become spaces before tokenizing. The C1 controls stay:
# IMDB's reviews hold them as mis-decoded dashes and quotes (\x96, \x97), and the vocabulary knows them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")  # the only characters _unseen needs to look at


def _unseen(match: re.Match) -> str:
    """What :func:`clean_review` keeps of one character outside ASCII.

    A format character (category Cf: byte-order mark, bidi overrides and marks, zero-width
    spaces and joiners, soft hyphen, tags) or a variation selector draws nothing on its own
    and is dropped (an empty string); any other character is kept.
    """
    c = match.group()
    if unicodedata.category(c) == "Cf" or "\ufe00" <= c <= "\ufe0f" or "\U000e0100" <= c <= "\U000e01ef":
        return ""
    return c


_ESCAPED = re.compile("[\udc80-\udcff]+")  # bytes that did not decode, kept by Python as lone surrogates
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_review(text: str | bytes) -> str:
    r"""A review from outside (argument, standard input) as text every part of the project can handle.

    The one normaliser of user text: ``predict`` and ``export --text`` (so also
    ``render.sh --text``) pass what they read through it before anything else.

    Parameters
    ----------
    text
        The review as ``str`` (possibly holding the lone surrogates with which Python keeps
        undecodable bytes of ``argv`` or standard input) or as raw ``bytes``.

    Returns
    -------
    str
        Valid Unicode: bytes that are not UTF-8 become U+FFFD; every other lone surrogate
        becomes U+FFFD; format characters (category Cf, such as U+FEFF or U+202E) and
        variation selectors are dropped; C0 controls other than tab and line breaks (NUL,
        ESC, ...) and DEL become spaces. Everything else, whitespace and the C1 controls of
        IMDB's mis-decoded reviews included, is kept as written, so the word tokens of an
        ordinary review are unchanged.

    Examples
    --------
    >>> clean_review(b"good \xff film") == "good \ufffd film"
    True
    >>> clean_review("\ufeffgreat\u202e film\x00!")
    'great film !'
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    text = _ESCAPED.sub(lambda m: m.group().encode("utf-8", "surrogateescape").decode("utf-8", "replace"), text)
    text = _SURROGATE.sub("\ufffd", text)
    return _CONTROL.sub(" ", _NOT_ASCII.sub(_unseen, text))


def normalize_text(text: str | bytes) -> str:
    """A review as the tokenizer sees it, before lower-casing: cleaned by :func:`clean_review`,
    no markup breaks, whitespace runs as single spaces."""
    return " ".join(clean_text(clean_review(text)).split())


def word_tokenize(text: str) -> list[str]:
    """Split a review into lower-case word and punctuation tokens.

    >>> word_tokenize("Loved it!<br />Didn't expect THAT.")
    ['loved', 'it', '!', "didn't", 'expect', 'that', '.']
    """
    text = _CONTROL.sub(" ", clean_text(text)).lower()
    return _TOKEN.findall(text)


class Vocab:
    """A word vocabulary: ``itos`` (id -> string) and ``stoi`` (string -> id)."""

    def __init__(self, itos: list[str], counts: list[int] | None = None):
        if itos[:2] != [PAD, UNK]:
            raise ValueError("a vocabulary must start with <pad>, <unk>")
        self.itos = list(itos)
        self.stoi = {s: i for i, s in enumerate(self.itos)}
        self.counts = list(counts) if counts is not None else None

    @classmethod
    def build(cls, token_lists: Iterable[list[str]], min_count: int = 5, max_size: int = 20_000) -> "Vocab":
        """Most frequent words first; ties broken alphabetically so the order is reproducible."""
        counter: Counter[str] = Counter()
        for tokens in token_lists:
            counter.update(tokens)
        kept = [(w, c) for w, c in counter.items() if c >= min_count]
        kept.sort(key=lambda wc: (-wc[1], wc[0]))
        kept = kept[: max(0, max_size - 2)]
        return cls([PAD, UNK] + [w for w, _ in kept], [0, 0] + [c for _, c in kept])

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, tokens: list[str]) -> list[int]:
        return [self.stoi.get(t, UNK_ID) for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.itos[i] if 0 <= i < len(self.itos) else UNK for i in ids]


def pad_batch(id_lists: list[list[int]], length: int) -> tuple[np.ndarray, np.ndarray]:
    """Pad (with ``PAD_ID`` at the end) or truncate each list to ``length``.

    Returns
    -------
    ids : int64 array, shape (B, T)
    mask : bool array, shape (B, T), True where a real token stands
    """
    ids = np.full((len(id_lists), length), PAD_ID, dtype=np.int64)
    mask = np.zeros((len(id_lists), length), dtype=bool)
    for row, seq in enumerate(id_lists):
        seq = list(seq)[:length]
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = True
    return ids, mask


NO_WORDS = "the text has no words to read (it is empty, or only whitespace, HTML tags or control characters)"
_TAG = re.compile(r"<[^<>]*>")  # an HTML tag such as <p>, </b> or <a href="...">


def has_words(text: str) -> bool:
    """True when ``text`` holds something to read once HTML tags and control characters are gone.

    A text of markup only, such as ``<p><b></b></p>``, would still tokenize into ``<``, ``p``
    and ``>``; it is refused rather than classified. Tags inside real text are kept as tokens.
    """
    return bool(word_tokenize(_TAG.sub(" ", text)))


def encode_text(text: str, vocab: Vocab, max_len: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Tokens, padded ids (1, T) and mask (1, T) for one review, refusing texts with no words."""
    tokens = word_tokenize(text)
    if not has_words(text):
        raise UserError(NO_WORDS)
    ids, mask = pad_batch([vocab.encode(tokens)], max_len)
    return tokens, ids, mask


BPE_ENCODING = "r50k_base"  # GPT-2's byte-pair vocabulary, 50,257 tokens


BPE_URL = "https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken"  # tiktoken's own source


def _prime_tiktoken_cache() -> None:
    """Offline use: copy ``$TIKTOKEN_RANKS_DIR/r50k_base.tiktoken`` into tiktoken's cache.

    tiktoken looks for a rank file under the SHA-1 of its download URL inside
    ``$TIKTOKEN_CACHE_DIR``, and checks its sha256 on every load, so a damaged
    copy is still refused.
    """
    import hashlib
    import os
    import shutil
    import tempfile
    from pathlib import Path

    ranks_dir = os.environ.get("TIKTOKEN_RANKS_DIR")
    if not ranks_dir:
        return
    source = Path(ranks_dir) / f"{BPE_ENCODING}.tiktoken"
    if not source.is_file():
        raise UserError(f"TIKTOKEN_RANKS_DIR={ranks_dir} has no {source.name}")
    cache = Path(os.environ.setdefault(
        "TIKTOKEN_CACHE_DIR", str(Path(tempfile.gettempdir()) / "attention-explained-tiktoken")))
    target = cache / hashlib.sha1(BPE_URL.encode()).hexdigest()
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)


def bpe_encoding():
    """tiktoken's ``r50k_base`` encoding, with a clear error when its rank file cannot be had."""
    import tiktoken

    _prime_tiktoken_cache()
    try:
        return tiktoken.get_encoding(BPE_ENCODING)
    except Exception as exc:
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise UserError(
            f"tiktoken could not load '{BPE_ENCODING}' ({first}). Without network access, set "
            f"TIKTOKEN_RANKS_DIR to a folder holding {BPE_ENCODING}.tiktoken (see README, 'Offline BPE')."
        ) from None


def bpe_tokenize(text: str, enc=None) -> tuple[list[str], list[int]]:
    """BPE pieces (as text) and ids of a cleaned review."""
    enc = enc or bpe_encoding()
    ids = enc.encode_ordinary(clean_text(text))
    pieces = [enc.decode_single_token_bytes(i).decode("utf-8", errors="replace") for i in ids]
    return pieces, ids
