"""An example review, read once: its text, word tokens, ids and BPE pieces.

The export builds one :class:`Review` per example review with :func:`build_review` and
hands that object to every asset, so no asset tokenizes a review again. No torch in here.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .tokenize import bpe_tokenize, word_tokenize


@dataclass(frozen=True)
class Review:
    """One review as every asset sees it.

    Attributes
    ----------
    text
        The cleaned text (``<br />`` as spaces; for ``--text``, also normalised) all else comes from.
    index, label
        Its row of the IMDB test split and its label (0 negative, 1 positive); -1 and -1 for a
        review given with ``--text``, which nobody labelled.
    words, word_ids
        Its word tokens and their vocabulary ids, all of them (the model reads the first ``max_len``).
    bpe_pieces, bpe_ids
        The same text through GPT-2's BPE (``r50k_base``).
    prob_positive, pred
        The model's P(positive) and its predicted label, run on the review alone; None until known.
    """

    text: str
    index: int
    label: int
    words: tuple[str, ...]
    word_ids: tuple[int, ...]
    bpe_pieces: tuple[str, ...]
    bpe_ids: tuple[int, ...]
    prob_positive: float | None = None
    pred: int | None = None

    @property
    def n_tokens(self) -> int:
        return len(self.words)

    def read(self, max_len: int) -> tuple[list[str], list[int]]:
        """The tokens and ids the model reads: the first ``max_len`` (new lists)."""
        return list(self.words[:max_len]), list(self.word_ids[:max_len])

    def with_prediction(self, prob_positive: float, pred: int) -> "Review":
        return dataclasses.replace(self, prob_positive=float(prob_positive), pred=int(pred))

    def entry(self) -> dict:
        """The review as ``dataset.pkl`` lists it: index, text, label, n_tokens, prob_positive, pred."""
        return {"index": self.index, "text": self.text, "label": self.label, "n_tokens": self.n_tokens,
                "prob_positive": self.prob_positive, "pred": self.pred}

    def in_words_and_bpe(self) -> dict:
        """The review as ``tokens.pkl``'s ``examples`` lists it, in strings of its own (see :func:`fresh`)."""
        return {"words": fresh(self.words), "word_ids": list(self.word_ids),
                "bpe_pieces": fresh(self.bpe_pieces), "bpe_ids": list(self.bpe_ids)}


def build_review(text: str, vocab, enc, index: int = -1, label: int = -1, prob_positive: float | None = None,
                 pred: int | None = None) -> Review:
    """Tokenize a review once, by words and by BPE.

    Parameters
    ----------
    text
        The cleaned review.
    vocab
        The checkpoint's :class:`~model.tokenize.Vocab`.
    enc
        The BPE encoding (:func:`~model.tokenize.bpe_encoding`).
    index, label, prob_positive, pred
        What is known of it already (see :class:`Review`).
    """
    words = word_tokenize(text)
    pieces, bpe_ids = bpe_tokenize(text, enc)
    return Review(text=text, index=int(index), label=int(label), words=tuple(words),
                  word_ids=tuple(int(i) for i in vocab.encode(words)), bpe_pieces=tuple(pieces),
                  bpe_ids=tuple(int(i) for i in bpe_ids), prob_positive=prob_positive, pred=pred)


def fresh(strings) -> list[str]:
    """New string objects equal to ``strings``.

    A pickle writes a string object it has already written as a back-reference. Where one asset
    holds the same words twice (``tokens.pkl``: the example's ``words`` and ``examples[0]``), equal
    copies keep its bytes, and so its file name and every render stamp built on it, as they were
    when each place tokenized the review again.
    """
    return [s.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass") for s in strings]


__all__ = ["Review", "build_review", "fresh"]
