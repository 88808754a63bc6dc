"""``python -m model export``: compute every asset the scenes read, from real data and the checkpoint.

The dataset and tokenization assets come from IMDB itself; everything after the
token embedding comes from the shipped checkpoint through
:mod:`model.export_model`. See ``assets/README.md`` for the schema.
"""
from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import numpy as np

from . import store
from .errors import UserError
from .tokenize import (BPE_ENCODING, NO_WORDS, UNK, UNK_ID, bpe_encoding, bpe_tokenize, has_words, normalize_text,
                       pad_batch, word_tokenize)

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
    from .export_model import choose_examples, model_assets

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
        from .predict import all_unknown_warning

        read = vocab.encode(word_tokenize(text)[: config.max_len])  # the tokens the model reads
        if all(i == UNK_ID for i in read):  # predict's warning, on stderr like every export message
            _log(all_unknown_warning(len(read)))
        return run_text(text, out, model, vocab, config, extra, meta, t0)
    ds = load_imdb(args.data_dir)
    _log(f"IMDB: {len(ds['train'])} train, {len(ds['test'])} test reviews")

    examples = choose_examples(model, vocab, config, ds["test"])
    if len(examples) < 3:
        raise UserError("the example-selection rule found fewer than three reviews; is the checkpoint trained?")
    train_tokens = [word_tokenize(t) for t in ds["train"]["text"]]
    assets = {
        "dataset": dataset_asset(ds, train_tokens, examples, args.data_dir),
        "tokens": tokens_asset(examples, vocab, config, len({w for ts in train_tokens for w in ts})),
        **model_assets(model, vocab, config, examples, extra),
    }
    manifest = store.write_assets(out, assets, meta)
    _log(f"wrote {len(manifest['files'])} assets and {store.MANIFEST} to {out} in {time.time() - t0:.1f} s")
    return 0


def text_example(text: str, model, vocab, config) -> dict:
    """The user's review as an example dict.

    Parameters
    ----------
    text
        The review as given; it is cleaned with :func:`~model.tokenize.clean_review` first
        (again, if ``run`` did so already: cleaning twice changes nothing).
    model, vocab, config
        The checkpoint's classifier, vocabulary and configuration.

    Returns
    -------
    dict
        ``index`` -1 and ``label`` -1 (nobody labelled it), the normalised ``text`` every asset
        is computed from, ``n_tokens``, ``prob_positive`` and ``pred``.

    Raises
    ------
    UserError
        When the text has no words to read.
    """
    import torch

    text = normalize_text(text)  # clean_review, then one space between words
    tokens = word_tokenize(text)
    if not has_words(text):
        raise UserError(NO_WORDS)
    word_ids = vocab.encode(tokens[: config.max_len])
    ids, mask = pad_batch([word_ids], len(word_ids))
    model.eval()
    with torch.no_grad():
        probs = torch.softmax(model(torch.from_numpy(ids), torch.from_numpy(mask)), -1)[0]
    return {"index": -1, "text": text, "label": -1, "n_tokens": len(tokens),
            "prob_positive": float(probs[1]), "pred": int(probs.argmax())}


def run_text(text, out: Path, model, vocab, config, extra, meta, t0) -> int:
    """Assets for one user review: the committed dataset facts, and every model asset for the text."""
    from .export_model import model_assets

    example = text_example(text, model, vocab, config)
    committed = store.default_dir()
    n_unique = store.load("tokens", committed)["n_unique_train_words"]
    assets = {
        "dataset": {**store.load("dataset", committed), "examples": [example]},
        "tokens": tokens_asset([example], vocab, config, n_unique),
        **model_assets(model, vocab, config, [example], extra),
    }
    meta = {**meta, "example_rule": "a review given with --text (label -1: not labelled)"}
    manifest = store.write_assets(out, assets, meta)
    _log(f"wrote {len(manifest['files'])} assets for the text ({example['n_tokens']} tokens, "
         f"P(positive) = {example['prob_positive']:.3f}) to {out} in {time.time() - t0:.1f} s")
    return 0


def dataset_asset(ds, train_tokens: list[list[str]], examples: list[dict], data_dir) -> dict:
    """Counts, lengths and the three example reviews."""
    lengths = np.array([len(t) for t in train_tokens])
    counts = np.histogram(np.minimum(lengths, 1000), bins=20, range=(0, 1000))
    return {
        "n_train": len(ds["train"]),
        "n_test": len(ds["test"]),
        "n_unsup": _count_unsup(data_dir),
        "train_counts": [int(c) for c in np.bincount(ds["train"]["label"], minlength=2)],
        "test_counts": [int(c) for c in np.bincount(ds["test"]["label"], minlength=2)],
        "median_tokens": float(np.median(lengths)),
        "mean_tokens": float(lengths.mean()),
        "length_hist": {"edges": counts[1].astype(np.float32), "counts": counts[0].astype(np.int64)},
        "examples": examples,
    }


def _count_unsup(data_dir) -> int | None:
    """Rows of the unlabelled split, if the local folder has it; None otherwise."""
    from .data import resolve_data_dir

    folder = resolve_data_dir(data_dir)
    path = folder / "unsup.parquet" if folder else None
    if not path or not path.is_file():
        return None
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def tokens_asset(examples: list[dict], vocab, config, n_unique_train_words: int) -> dict:
    """The vocabulary's two ends, the example in words and in BPE, and the padded batch."""
    text = examples[0]["text"]
    words = word_tokenize(text)
    word_ids = vocab.encode(words)
    enc = bpe_encoding()
    pieces, bpe_ids = bpe_tokenize(text, enc)
    def pieces_of(word: str) -> list[str]:  # as the word appears mid-sentence, after a space
        return [enc.decode_single_token_bytes(i).decode("utf-8", "replace") for i in enc.encode_ordinary(" " + word)]

    example_words = [w for e in examples for w in word_tokenize(e["text"])]
    split_words = [(w, pieces_of(w)) for w in dict.fromkeys(example_words) if len(pieces_of(w)) > 1]
    # Frequent vocabulary words that GPT-2's BPE cuts into three or more pieces, most frequent first.
    split_vocab = []
    for w in vocab.itos[2:2002]:
        if w.isalpha() and len(pieces_of(w)) >= 3:
            split_vocab.append((w, pieces_of(w)))
        if len(split_vocab) == 8:
            break
    counts = vocab.counts or [0] * len(vocab)
    id_lists = [vocab.encode(word_tokenize(e["text"])) for e in examples]
    per_example = []  # every example review, by words and by BPE, with ids
    for e, ids in zip(examples, id_lists):
        e_pieces, e_bpe_ids = bpe_tokenize(e["text"], enc)
        per_example.append({"words": word_tokenize(e["text"]), "word_ids": [int(i) for i in ids],
                            "bpe_pieces": e_pieces, "bpe_ids": [int(i) for i in e_bpe_ids]})
    batch_ids, batch_mask = pad_batch(id_lists, config.max_len)
    return {
        "vocab_size": len(vocab),
        "min_count": config.min_count,
        "max_len": config.max_len,
        "vocab_head": [(i, vocab.itos[i], int(counts[i])) for i in range(min(16, len(vocab)))],
        "vocab_tail": [(i, vocab.itos[i], int(counts[i])) for i in range(max(0, len(vocab) - 8), len(vocab))],
        "n_unique_train_words": n_unique_train_words,
        "words": words,
        "word_ids": [int(i) for i in word_ids],
        "unknown": [w for w, i in zip(words, word_ids) if vocab.itos[i] == UNK and w != UNK],
        "bpe_encoding": BPE_ENCODING,
        "bpe_pieces": pieces,
        "bpe_ids": [int(i) for i in bpe_ids],
        "bpe_vocab_size": int(enc.n_vocab),
        "bpe_split_words": split_words,
        "bpe_split_vocab": split_vocab,
        "batch_ids": batch_ids,
        "batch_mask": batch_mask,
        "batch_lengths": [len(ids) for ids in id_lists],
        "batch_labels": [int(e["label"]) for e in examples],
        "examples": per_example,
    }
