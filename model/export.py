"""``python -m model export``: compute every asset the scenes read, from real data and the checkpoint.

The dataset and tokenization assets come from IMDB itself; everything after the
token embedding comes from the shipped checkpoint through
:mod:`model.export_model`. Each example review is tokenized once, into a
:class:`~model.review.Review` every asset reads; the choices the scenes draw are made
here too (:mod:`model.choices`). See ``assets/README.md`` for the schema.
"""
from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

from . import store
from .choices import COMMON_IDS
from .errors import UserError
from .facts import MANIFEST_KEY, committed_facts, count_facts, dataset_part, to_json
from .review import Review, build_review, fresh
from .tokenize import (BPE_ENCODING, NO_WORDS, UNK, UNK_ID, bpe_encoding, has_words, normalize_text, pad_batch,
                       word_tokenize)

EXAMPLE_RULE = ("test reviews of 12-40 word tokens; the shortest positive and the shortest negative "
                "that the model classifies correctly with p >= 0.9, and the shortest it gets wrong; "
                "ties: lowest test index")


def register(sub) -> None:
    p = sub.add_parser("export", help="write assets/*.pkl and assets/manifest.json")
    p.add_argument("--data-dir", help="folder with train.parquet and test.parquet (default: $IMDB_DIR, else the hub)")
    p.add_argument("--out", help="assets folder to write (default: the repository's assets/)")
    p.add_argument("--checkpoint", help="trained checkpoint (default: checkpoints/imdb-transformer.pt)")
    p.add_argument("--text", help="export the review-dependent chapters for this text instead of the IMDB "
                                  "examples; needs no dataset (requires --out); '-' reads it from stdin")
    p.set_defaults(run=run)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(args) -> int:
    from .checkpoint import DEFAULT_CHECKPOINT, load_checkpoint
    from .data import load_imdb
    from .export_model import choose_examples

    t0 = time.time()
    out = Path(args.out) if args.out else store.default_dir()
    ckpt_path = Path(args.checkpoint) if args.checkpoint else DEFAULT_CHECKPOINT
    text = None
    if args.text is not None:
        if not args.out:
            raise UserError("--text needs --out: the committed assets/ stay as they are")
        from .predict import read_text_argument

        text = read_text_argument(args.text)  # cleaned as predict cleans it: one normaliser for both
        if not has_words(text):
            raise UserError(NO_WORDS)
    model, vocab, config, extra = load_checkpoint(ckpt_path)
    _log(f"checkpoint {ckpt_path}: d_model={config.d_model}, heads={config.n_heads}, layers={config.n_layers}")
    meta = {
        "config": config.to_dict(),
        "seed": config.seed,
        "example_rule": EXAMPLE_RULE,
        "checkpoint_sha256": hashlib.sha256(ckpt_path.read_bytes()).hexdigest(),
    }
    if text is not None:
        return run_text(text, out, model, vocab, config, extra, meta, bpe_encoding(), t0)
    ds = load_imdb(args.data_dir)  # before the BPE ranks: a missing dataset is the first thing to say
    _log(f"IMDB: {len(ds['train'])} train, {len(ds['test'])} test reviews")
    enc = bpe_encoding()

    chosen = choose_examples(model, vocab, config, ds["test"])
    if len(chosen) < 3:
        raise UserError("the example-selection rule found fewer than three reviews; is the checkpoint trained?")
    reviews = [build_review(e["text"], vocab, enc, e["index"], e["label"], e["prob_positive"], e["pred"])
               for e in chosen]
    facts = count_facts(ds, [word_tokenize(t) for t in ds["train"]["text"]], args.data_dir)
    manifest = write_all(out, facts, reviews, model, vocab, config, extra, meta, enc)
    _log(f"wrote {len(manifest['files'])} assets and {store.MANIFEST} to {out} in {time.time() - t0:.1f} s")
    return 0


def text_review(text: str, model, vocab, config, enc) -> Review:
    """The user's review as the one example.

    Parameters
    ----------
    text
        The review as given; it is cleaned with :func:`~model.tokenize.clean_review` first
        (again, if ``run`` did so already: cleaning twice changes nothing).
    model, vocab, config
        The checkpoint's classifier, vocabulary and configuration.
    enc
        The BPE encoding.

    Returns
    -------
    Review
        ``index`` -1 and ``label`` -1 (nobody labelled it), the normalised text every asset
        is computed from, and the model's ``prob_positive`` and ``pred``.

    Raises
    ------
    UserError
        When the text has no words to read.
    """
    import torch

    text = normalize_text(text)  # clean_review, then one space between words
    if not has_words(text):
        raise UserError(NO_WORDS)
    review = build_review(text, vocab, enc)
    _, ids = review.read(config.max_len)
    x, mask = pad_batch([ids], len(ids))
    model.eval()
    with torch.no_grad():
        probs = torch.softmax(model(torch.from_numpy(x), torch.from_numpy(mask)), -1)[0]
    return review.with_prediction(float(probs[1]), int(probs.argmax()))


def run_text(text, out: Path, model, vocab, config, extra, meta, enc, t0) -> int:
    """Assets for one user review: the committed dataset facts, and every other asset for the text.

    The facts come from the committed ``manifest.json`` (:func:`~model.facts.committed_facts`,
    a plain JSON read); no committed asset is loaded.
    """
    from .predict import all_unknown_warning

    facts = committed_facts(store.default_dir())
    review = text_review(text, model, vocab, config, enc)
    _, read = review.read(config.max_len)  # the tokens the model reads
    if all(i == UNK_ID for i in read):  # predict's warning, on stderr like every export message
        _log(all_unknown_warning(len(read)))
    meta = {**meta, "example_rule": "a review given with --text (label -1: not labelled)"}
    manifest = write_all(out, facts, [review], model, vocab, config, extra, meta, enc)
    _log(f"wrote {len(manifest['files'])} assets for the text ({review.n_tokens} tokens, "
         f"P(positive) = {review.prob_positive:.3f}) to {out} in {time.time() - t0:.1f} s")
    return 0


def write_all(out: Path, facts: dict, reviews: list[Review], model, vocab, config, extra, meta, enc) -> dict:
    """Every asset for these example reviews, and the manifest (which also keeps ``facts``)."""
    assets = assets_for(facts, reviews, model, vocab, config, extra, enc)
    return store.write_assets(out, assets, {**meta, MANIFEST_KEY: to_json(facts)})


def assets_for(facts: dict, reviews: list[Review], model, vocab, config, extra, enc) -> dict[str, dict]:
    """Every asset for these example reviews, in memory: asset name -> its dict, as ``store.load`` returns it."""
    from .export_model import model_assets

    return {
        "dataset": {**dataset_part(facts), "examples": [r.entry() for r in reviews]},
        "tokens": tokens_asset(reviews, vocab, config, facts["n_unique_train_words"], enc),
        **model_assets(model, vocab, config, reviews, extra),
    }


def tokens_asset(reviews: list[Review], vocab, config, n_unique_train_words: int, enc) -> dict:
    """The vocabulary's two ends, the example in words and in BPE, and the padded batch."""
    first = reviews[0]
    words, word_ids = list(first.words), list(first.word_ids)

    def pieces_of(word: str) -> list[str]:  # as the word appears mid-sentence, after a space
        return [enc.decode_single_token_bytes(i).decode("utf-8", "replace") for i in enc.encode_ordinary(" " + word)]

    example_words = [w for r in reviews for w in fresh(r.words)]
    split_words = [(w, pieces_of(w)) for w in dict.fromkeys(example_words) if len(pieces_of(w)) > 1]
    # Frequent vocabulary words that GPT-2's BPE cuts into three or more pieces, most frequent first.
    split_vocab = []
    for w in vocab.itos[2:2002]:
        if w.isalpha() and len(pieces_of(w)) >= 3:
            split_vocab.append((w, pieces_of(w)))
        if len(split_vocab) == 8:
            break
    counts = vocab.counts or [0] * len(vocab)
    batch_ids, batch_mask = pad_batch([list(r.word_ids) for r in reviews], config.max_len)
    return {
        "vocab_size": len(vocab),
        "min_count": config.min_count,
        "max_len": config.max_len,
        "vocab_head": [(i, vocab.itos[i], int(counts[i])) for i in range(min(COMMON_IDS, len(vocab)))],
        "vocab_tail": [(i, vocab.itos[i], int(counts[i])) for i in range(max(0, len(vocab) - 8), len(vocab))],
        "n_unique_train_words": n_unique_train_words,
        "words": words,
        "word_ids": word_ids,
        "unknown": [w for w, i in zip(words, word_ids) if vocab.itos[i] == UNK and w != UNK],
        "bpe_encoding": BPE_ENCODING,
        "bpe_pieces": list(first.bpe_pieces),
        "bpe_ids": list(first.bpe_ids),
        "bpe_vocab_size": int(enc.n_vocab),
        "bpe_split_words": split_words,
        "bpe_split_vocab": split_vocab,
        "batch_ids": batch_ids,
        "batch_mask": batch_mask,
        "batch_lengths": [r.n_tokens for r in reviews],
        "batch_labels": [int(r.label) for r in reviews],
        "examples": [r.in_words_and_bpe() for r in reviews],  # every example review, by words and by BPE
    }
