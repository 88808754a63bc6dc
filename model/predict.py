"""``python -m model predict TEXT``: classify one review with the trained checkpoint.

    python -m model predict "A wonderful, moving film."
    python -m model predict "Dull and far too long." --attention heads.png
    echo "some review" | python -m model predict -

Prints the predicted sentiment and its probability. ``--attention FILE`` saves the
attention weights of every head (one heatmap each, rows = queries, columns = keys;
for long reviews only the first 40 tokens are drawn).
"""
from __future__ import annotations

import io
import sys
import warnings
from pathlib import Path

from .data import LABELS
from .errors import TextError, UserError
from .tokenize import NO_WORDS, UNK_ID, clean_review, has_words, pad_batch, word_tokenize

MAX_SHOWN = 40  # tokens drawn in the attention heatmaps


def register(sub) -> None:
    p = sub.add_parser("predict", help="classify one review as positive or negative",
                       description="Classify one review as positive or negative.")
    p.add_argument("text", help="the review text ('-' reads it from standard input)")
    p.add_argument("--checkpoint", help="checkpoint to use (default: checkpoints/imdb-transformer.pt)")
    p.add_argument("--attention", metavar="FILE.png", help="save the attention heatmaps of every head here")
    p.set_defaults(run=run)


def read_text_argument(value: str) -> str:
    """The review named on the command line (``value``, or standard input for ``-``), cleaned.

    Standard input is read as bytes where it can be, so bytes that are not UTF-8 reach
    :func:`~model.tokenize.clean_review` (which makes them U+FFFD) instead of failing to
    decode; undecodable bytes of an argument arrive as lone surrogates and end the same way.
    """
    raw = getattr(sys.stdin, "buffer", sys.stdin).read() if value == "-" else value
    return clean_review(raw)


def all_unknown_warning(n_tokens: int) -> str:
    """The one-line warning for a review none of whose tokens the vocabulary knows."""
    return (f"warning: every word ({n_tokens} tokens) is unknown to the vocabulary; "
            "the prediction rests on positions alone")


def classify_text(model, vocab, config, text: str) -> dict:
    """Tokens, probabilities, prediction and attention weights for one review.

    Raises :class:`TextError` when the text has no word or punctuation tokens at all.
    """
    import torch

    text = clean_review(text)
    tokens = word_tokenize(text)
    if not has_words(text):
        raise TextError(NO_WORDS)
    n_total = len(tokens)
    tokens = tokens[: config.max_len]
    ids = vocab.encode(tokens)
    x, mask = pad_batch([ids], len(ids))
    with torch.no_grad():
        logits, trace = model(torch.from_numpy(x), torch.from_numpy(mask), return_trace=True)
    probs = torch.softmax(logits[0], -1).numpy()
    pred = int(logits[0].argmax())
    return {
        "tokens": tokens,
        "n_total": n_total,
        "truncated": n_total > len(tokens),
        "all_unknown": all(i == UNK_ID for i in ids),
        "n_unknown": sum(i == UNK_ID for i in ids),
        "probs": probs,
        "pred": pred,
        "label": LABELS[pred],
        "weights": [w[0].numpy() for w in trace["weights"]],  # per block: (h, n, n)
    }


def attention_figure_bytes(result: dict, fmt: str = "png") -> bytes:
    """One heatmap per head (rows: blocks, columns: heads) with token labels and a 0..1 colorbar."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tokens = result["tokens"][:MAX_SHOWN]
    n = len(tokens)
    blocks = result["weights"]
    n_layers, n_heads = len(blocks), blocks[0].shape[0]
    size = max(3.0, 0.18 * n + 1.5)
    fig, axes = plt.subplots(n_layers, n_heads, figsize=(size * n_heads + 1.0, size * n_layers),
                             squeeze=False, constrained_layout=True)
    im = None
    for b in range(n_layers):
        for h in range(n_heads):
            ax = axes[b][h]
            im = ax.imshow(blocks[b][h, :n, :n], vmin=0.0, vmax=1.0, cmap="viridis", interpolation="nearest")
            ax.set_xticks(range(n))
            ax.set_yticks(range(n))
            fs = 8 if n <= 20 else 6
            ax.set_xticklabels(tokens, rotation=90, fontsize=fs)
            ax.set_yticklabels(tokens, fontsize=fs)
            ax.set_title(f"block {b + 1}, head {h + 1}", fontsize=10)
            if h == 0:
                ax.set_ylabel("query (row)")
            if b == n_layers - 1:
                ax.set_xlabel("key (column)")
    fig.colorbar(im, ax=axes, fraction=0.046 / max(1, n_heads) * 2, pad=0.02, label="attention weight")
    shown = f"first {n} of {len(result['tokens'])} tokens" if len(result["tokens"]) > n else f"{n} tokens"
    fig.suptitle(f"{result['label']} (p = {result['probs'][result['pred']]:.3f}); {shown}", fontsize=11)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing glyphs (emoji, some scripts) are drawn as boxes
        fig.savefig(buf, format=fmt, dpi=120)
    plt.close(fig)
    return buf.getvalue()


def run(args) -> int:
    from .checkpoint import load_checkpoint, resolve_checkpoint
    from .files import atomic_write_bytes

    text = read_text_argument(args.text)
    out = None
    if args.attention:
        out = Path(args.attention)
        fmt = out.suffix.lower().lstrip(".") or "png"
        if fmt not in ("png", "svg", "pdf"):
            raise UserError(f"--attention {out}: use a .png, .svg or .pdf file name")
    model, vocab, config, _ = load_checkpoint(resolve_checkpoint(args.checkpoint))
    res = classify_text(model, vocab, config, text)
    if res["truncated"]:
        print(f"note: the review has {res['n_total']:,} tokens; only the first {config.max_len} are read "
              f"(max_len={config.max_len})")
    if res["all_unknown"]:
        print(all_unknown_warning(len(res["tokens"])))
    print(f"{res['label']} (probability {res['probs'][res['pred']]:.3f}; "
          f"P(positive) = {res['probs'][1]:.3f}, {len(res['tokens'])} tokens)")
    if out is not None:
        try:
            atomic_write_bytes(out, attention_figure_bytes(res, fmt))
        except OSError as exc:
            raise UserError(f"could not write {out}: {exc.strerror or exc}") from None
        print(f"attention heatmaps written to {out}")
    return 0
