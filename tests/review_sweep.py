"""Real IMDB test reviews for the sweep, and the ``export --text`` assets of any review, in memory.

:func:`texts` draws test reviews across the whole length range (the shortest, the longest,
evenly spaced lengths between, reviews over 512 tokens) and adds reviews with apostrophes,
numbers, HTML remnants, repeated words and odd lengths, without repeats and always the same
ones. :func:`assets_of` gives what ``python -m model export --text -`` writes for a text,
as ``store.load`` would return it, with the checkpoint, vocabulary and BPE ranks loaded once
per process (about 0.1 s a review instead of a process each).

Run as a command for a larger sweep than the tests make::

    PYTHONPATH=. IMDB_DIR=../shared/data/imdb TIKTOKEN_RANKS_DIR=../shared/data/tiktoken \\
        .venv/bin/python tests/review_sweep.py 2000
"""
from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path

from model import store
from model.tokenize import word_tokenize

LONG = 512  # tokens: the model's window; longer reviews are cut
FEATURES = {  # a trait -> how to spot it in the raw text
    "apostrophe": lambda t: re.search(r"[a-z]'[a-z]", t, re.I) is not None,
    "number": lambda t: re.search(r"\d", t) is not None,
    "html": lambda t: "<br" in t or "&" in t,
    "repeated": lambda t: len(set(t.lower().split())) < len(t.split()) * 0.5,
}


@functools.lru_cache(maxsize=1)
def _test_split() -> tuple[list[str], list[int]]:
    import pyarrow.parquet as pq

    folder = os.environ.get("IMDB_DIR")
    if not folder:
        raise RuntimeError("the sweep reads IMDB's test split: set IMDB_DIR")
    table = pq.read_table(Path(folder) / "test.parquet", columns=["text"])
    texts = table.column("text").to_pylist()
    return texts, [len(word_tokenize(t)) for t in texts]


def texts(n: int = 300, per_trait: int = 16) -> list[tuple[int, str]]:
    """``(test index, text)`` of about ``n`` test reviews spread over the length range and the traits.

    Parameters
    ----------
    n
        How many reviews in all (at least the shortest 8, the longest 8 and ``per_trait`` of each trait).
    per_trait
        Reviews of each trait of :data:`FEATURES`, of odd length, and of more than :data:`LONG` tokens.
    """
    all_texts, lengths = _test_split()
    order = sorted(range(len(all_texts)), key=lambda i: (lengths[i], i))
    chosen: dict[int, None] = dict.fromkeys(order[:8] + order[-8:])

    def spread(pool: list[int], k: int) -> None:  # k of the pool, evenly spaced along its length order
        for j in range(k):
            if pool:
                chosen.setdefault(pool[round(j * (len(pool) - 1) / max(k - 1, 1))])

    spread([i for i in order if lengths[i] > LONG], per_trait)
    spread([i for i in order if lengths[i] % 2 == 1], per_trait)
    for trait in FEATURES.values():
        spread([i for i in order if trait(all_texts[i])], per_trait)
    rest = n - len(chosen)
    if rest > 0:
        spread([i for i in order if i not in chosen], rest)
    return [(i, all_texts[i]) for i in chosen]


@functools.lru_cache(maxsize=1)
def _exporter():
    from model.checkpoint import DEFAULT_CHECKPOINT, load_checkpoint
    from model.facts import committed_facts
    from model.tokenize import bpe_encoding

    model, vocab, config, extra = load_checkpoint(DEFAULT_CHECKPOINT)
    return model, vocab, config, extra, bpe_encoding(), committed_facts(store.default_dir())


def assets_of(text: str) -> dict[str, dict]:
    """The assets ``export --text`` makes for ``text``: asset name -> its dict.

    Raises
    ------
    model.errors.UserError
        As the export does, for a text without a word to read.
    """
    from model.export import assets_for, text_review

    model, vocab, config, extra, enc, facts = _exporter()
    review = text_review(text, model, vocab, config, enc)
    return assets_for(facts, [review], model, vocab, config, extra, enc)


def committed() -> dict[str, dict]:
    """The committed assets: every asset of ``assets/``'s manifest."""
    names = store.read_manifest(store.default_dir())["assets"]
    return {name: store.load(name) for name in names}


if __name__ == "__main__":  # the larger sweep: every chapter's rule and truth check on N reviews
    from test_review_sweep import check_review  # tests/ is the script's own folder, first on sys.path

    picked = texts(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    failed = 0
    for index, text in picked:
        problems = check_review(assets_of(text))
        if problems:
            failed += 1
            print(f"test review {index} ({len(text.split())} words): " + "; ".join(problems))
    print(f"{len(picked)} reviews, {failed} with a false or unfilled sentence")
    sys.exit(1 if failed else 0)
