"""``python -m model train`` and ``python -m model evaluate``.

train     builds the vocabulary from the train split, trains the classifier with AdamW
          (linear warm-up, cosine decay) and writes one checkpoint with the per-step and
          per-epoch history. The test split is never looked at.
evaluate  measures accuracy on the test split (all 25,000 reviews) and stores it in the
          checkpoint's ``extra["metrics"]``.

Runs are seeded (python, numpy, torch) and use deterministic algorithms, so the same
seed, data and machine give the same weights.
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import time

import numpy as np

from .config import Config
from .errors import UserError
from .tokenize import PAD_ID, Vocab, word_tokenize

# One intra-op thread: on this 2-core machine, shared with other jobs, 2 threads were measured
# 2-3x SLOWER than 1 (threads wait on each other at every op); 1 thread is also the most
# reproducible choice. On an idle machine, --threads 2 is about 1.6x faster.
DEFAULT_THREADS = 1


# --- setup -------------------------------------------------------------------------------

def set_seed(seed: int, threads: int = DEFAULT_THREADS) -> None:
    """Seed python, numpy and torch; fix the thread count; ask for deterministic kernels."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def tokenize_all(texts) -> list[list[str]]:
    """Word tokens of every review (done once per run)."""
    return [word_tokenize(t) for t in texts]


def encode_all(token_lists: list[list[str]], vocab: Vocab, max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Ids (N, max_len) int64 padded with PAD_ID (truncated at max_len) and real lengths (N,)."""
    n = len(token_lists)
    ids = np.full((n, max_len), PAD_ID, dtype=np.int64)
    lengths = np.zeros(n, dtype=np.int64)
    stoi = vocab.stoi
    for row, tokens in enumerate(token_lists):
        seq = [stoi.get(t, 1) for t in tokens[:max_len]]
        ids[row, : len(seq)] = seq
        lengths[row] = len(seq)
    return ids, lengths


def length_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator | None,
                   pool: int = 50) -> list[np.ndarray]:
    """Index batches of similar length (less padding, faster), in random order when ``rng`` is given.

    Shuffle, cut into pools of ``pool`` batches, sort each pool by length, cut into
    batches, shuffle the batches. Without ``rng``: sorted by length, for evaluation.
    """
    n = len(lengths)
    if rng is None:
        order = np.argsort(lengths, kind="stable")
        return [order[i: i + batch_size] for i in range(0, n, batch_size)]
    order = rng.permutation(n)
    out = []
    step = batch_size * pool
    for start in range(0, n, step):
        chunk = order[start: start + step]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        out.extend(chunk[i: i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(out)
    return out


def _batch_tensors(ids: np.ndarray, lengths: np.ndarray, idx: np.ndarray):
    import torch

    T = max(1, int(lengths[idx].max()))  # trim the batch to its longest review
    x = torch.from_numpy(ids[idx, :T])
    mask = x != PAD_ID
    return x, mask


def lr_lambda(step: int, warmup: int, total: int) -> float:
    """Multiplier of the peak learning rate: linear warm-up, then cosine decay to 0."""
    if step < warmup:
        return (step + 1) / max(1, warmup)
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


# --- training ----------------------------------------------------------------------------

def train_model(config: Config, texts: list[str], labels, *, quiet: bool = False, threads: int = DEFAULT_THREADS):
    """Train a Classifier on ``texts``/``labels``. Returns (model, vocab, extra)."""
    import torch
    import torch.nn.functional as F
    from tqdm.auto import tqdm

    from .transformer import Classifier

    t_start = time.perf_counter()
    set_seed(config.seed, threads)
    labels = np.asarray(labels, dtype=np.int64)
    if config.train_limit and config.train_limit < len(texts):
        # the splits are sorted by label, so take a seeded random subset, not the first rows
        keep = np.sort(np.random.default_rng(config.seed).permutation(len(texts))[: config.train_limit])
        texts = [texts[i] for i in keep]
        labels = labels[keep]
    token_lists = tokenize_all(texts)
    vocab = Vocab.build(token_lists, min_count=config.min_count, max_size=config.vocab_size)
    ids, lengths = encode_all(token_lists, vocab, config.max_len)
    keep = lengths > 0  # a review with no tokens at all teaches nothing
    ids, lengths, labels = ids[keep], lengths[keep], labels[keep]
    t_data = time.perf_counter() - t_start
    if not quiet:
        print(f"{len(labels)} training reviews, vocabulary {len(vocab)} words, "
              f"{t_data:.1f}s to tokenize", file=sys.stderr)

    torch.manual_seed(config.seed)
    model = Classifier(config, len(vocab))
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": config.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=config.lr)
    rng = np.random.default_rng(config.seed)
    steps_per_epoch = math.ceil(len(labels) / config.batch_size)
    total = steps_per_epoch * config.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_lambda(s, config.warmup_steps, total))
    labels_t = torch.from_numpy(labels)

    hist = {"step_loss": [], "step_acc": [], "step_lr": [], "epoch": [], "epoch_train_loss": [],
            "epoch_train_acc": [], "epoch_seconds": []}
    t_train = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        model.train()
        t_ep = time.perf_counter()
        batches = length_batches(lengths, config.batch_size, rng)
        seen = correct = 0
        loss_sum = 0.0
        bar = tqdm(batches, desc=f"epoch {epoch}/{config.epochs}", disable=quiet, unit="batch",
                   dynamic_ncols=True, file=sys.stderr, mininterval=0.5)
        for idx in bar:
            x, mask = _batch_tensors(ids, lengths, idx)
            y = labels_t[idx]
            logits = model(x, mask)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            hist["step_lr"].append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
            n_ok = int((logits.argmax(-1) == y).sum())
            loss_value = loss.item()
            hist["step_loss"].append(loss_value)
            hist["step_acc"].append(n_ok / len(idx))
            seen += len(idx)
            correct += n_ok
            loss_sum += loss_value * len(idx)
            bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{correct / seen:.4f}")
        bar.close()
        hist["epoch"].append(epoch)
        hist["epoch_train_loss"].append(loss_sum / seen)
        hist["epoch_train_acc"].append(correct / seen)
        hist["epoch_seconds"].append(time.perf_counter() - t_ep)
        if not quiet:
            print(f"epoch {epoch}: train loss {loss_sum / seen:.4f}, train acc {correct / seen:.4f}, "
                  f"{time.perf_counter() - t_ep:.0f}s", file=sys.stderr)
    model.eval()
    train_seconds = time.perf_counter() - t_train
    extra = {
        "history": hist,
        "train_seconds": train_seconds,
        "data_seconds": t_data,
        "total_seconds": time.perf_counter() - t_start,
        "n_params": model.n_params(),
        "n_train": int(len(labels)),
        "threads": threads,
        "torch_version": torch.__version__,
        "metrics": {},
    }
    return model, vocab, extra


def evaluate_model(model, ids: np.ndarray, lengths: np.ndarray, labels, batch_size: int = 64,
                   quiet: bool = True) -> dict:
    """Accuracy and mean loss of ``model`` on encoded reviews; also returns P(positive) per review."""
    import torch
    import torch.nn.functional as F
    from tqdm.auto import tqdm

    labels = np.asarray(labels, dtype=np.int64)
    probs = np.zeros(len(labels), dtype=np.float32)
    loss_sum, n_seen, n_right = 0.0, 0, 0
    model.eval()
    bar = tqdm(length_batches(np.maximum(lengths, 1), batch_size, None), desc="evaluate",
               disable=quiet, unit="batch", dynamic_ncols=True, file=sys.stderr)
    with torch.no_grad():
        for idx in bar:
            x, mask = _batch_tensors(ids, np.maximum(lengths, 1), idx)
            logits = model(x, mask)  # (B, 2)
            y = torch.from_numpy(labels[idx])
            loss_sum += float(F.cross_entropy(logits, y, reduction="sum"))
            probs[idx] = torch.softmax(logits, -1)[:, 1].numpy()
            n_seen += len(idx)
            n_right += int((logits.argmax(-1) == y).sum())
            bar.set_postfix(loss=f"{loss_sum / n_seen:.4f}", acc=f"{n_right / n_seen:.4f}", refresh=False)
    pred = (probs >= 0.5).astype(np.int64)
    return {"accuracy": float((pred == labels).mean()), "loss": loss_sum / max(1, len(labels)),
            "n": int(len(labels)), "prob_positive": probs}


# --- commands ----------------------------------------------------------------------------

def register(sub) -> None:
    p = sub.add_parser("train", help="train the classifier on the IMDB train split",
                       description="Train the classifier on the IMDB train split and write a checkpoint.")
    p.add_argument("--data-dir", help="folder with train.parquet/test.parquet (default: $IMDB_DIR)")
    p.add_argument("--out", help="checkpoint to write (default: checkpoints/imdb-transformer.pt)")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="override a Config field, e.g. --set epochs=1 (repeatable)")
    p.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="torch threads (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=run_train)

    e = sub.add_parser("evaluate", help="measure test accuracy and store it in the checkpoint",
                       description="Measure accuracy on the IMDB test split and store it in the checkpoint.")
    e.add_argument("--data-dir", help="folder with train.parquet/test.parquet (default: $IMDB_DIR)")
    e.add_argument("--checkpoint", help="checkpoint to evaluate (default: checkpoints/imdb-transformer.pt)")
    e.add_argument("--limit", type=int, default=0,
                   help="evaluate only N test reviews (a seeded random subset; not stored in the checkpoint)")
    e.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="torch threads (default: %(default)s)")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.set_defaults(run=run_evaluate)


def run_train(args: argparse.Namespace) -> int:
    from .checkpoint import resolve_checkpoint, save_checkpoint
    from .data import load_imdb

    try:
        config = Config().with_overrides(args.set)
    except (ValueError, TypeError) as exc:
        raise UserError(f"bad --set: {exc}") from None
    if args.threads < 1:
        raise UserError("--threads must be at least 1")
    out = resolve_checkpoint(args.out)
    t0 = time.perf_counter()
    ds = load_imdb(args.data_dir, splits=("train",))["train"]
    texts, labels = ds["text"], ds["label"]
    model, vocab, extra = train_model(config, texts, labels, quiet=args.quiet, threads=args.threads)
    extra["parquet_to_checkpoint_seconds"] = time.perf_counter() - t0
    try:
        save_checkpoint(out, model, vocab, config, extra)
    except OSError as exc:
        raise UserError(f"could not write the checkpoint {out}: {exc.strerror or exc}") from None
    h = extra["history"]
    print(f"trained {extra['n_params']:,} parameters on {extra['n_train']:,} reviews in "
          f"{extra['train_seconds']:.0f}s (final epoch: loss {h['epoch_train_loss'][-1]:.4f}, "
          f"acc {h['epoch_train_acc'][-1]:.4f}); wrote {out}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    import torch

    from .checkpoint import load_checkpoint, resolve_checkpoint, update_extra
    from .data import load_imdb

    if args.limit < 0:
        raise UserError("--limit must be 0 (all) or a positive number")
    path = resolve_checkpoint(args.checkpoint)
    model, vocab, config, _ = load_checkpoint(path)
    torch.set_num_threads(max(1, args.threads))
    ds = load_imdb(args.data_dir, splits=("test",))["test"]
    texts, labels = ds["text"], np.asarray(ds["label"], dtype=np.int64)
    if args.limit and args.limit < len(texts):
        keep = np.sort(np.random.default_rng(0).permutation(len(texts))[: args.limit])
        texts, labels = [texts[i] for i in keep], labels[keep]
    t0 = time.perf_counter()
    ids, lengths = encode_all(tokenize_all(texts), vocab, config.max_len)
    res = evaluate_model(model, ids, lengths, labels, quiet=args.quiet)
    seconds = time.perf_counter() - t0
    print(f"test accuracy {res['accuracy']:.4f} ({round(res['accuracy'] * res['n']):,}/{res['n']:,} reviews), "
          f"loss {res['loss']:.4f}, {seconds:.0f}s")
    if args.limit and args.limit < len(ds):
        print("(a --limit run: not stored in the checkpoint)")
    else:
        try:
            update_extra(path, {"metrics": {"test_accuracy": res["accuracy"], "test_loss": res["loss"],
                                            "n_test": res["n"], "eval_seconds": seconds}})
        except OSError as exc:
            raise UserError(f"could not rewrite {path}: {exc.strerror or exc}") from None
        print(f"stored in {path}")
    return 0
