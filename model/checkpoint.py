"""Saving and loading one trained classifier in a single ``.pt`` file.

The file is a plain dict that ``torch.load(..., weights_only=True)`` can read:

    {"format": 1, "config": {...}, "vocab": {"itos": [...], "counts": [...]},
     "state_dict": {name: tensor}, "extra": {history, metrics, train_seconds, n_params, ...}}

Only builtins and tensors go in, so loading never runs code from the file.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import torch

from .config import Config
from .errors import UserError
from .files import atomic_write_bytes
from .tokenize import Vocab

FORMAT = 1
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CHECKPOINT = REPO_ROOT / "checkpoints" / "imdb-transformer.pt"

TRAIN_HINT = "Train one with: IMDB_DIR=/path/to/imdb .venv/bin/python -m model train"


def _plain(obj):
    """Turn numpy scalars/arrays and tuples into builtins so weights_only loading accepts them."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        np = None
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if np is not None and isinstance(obj, np.ndarray):
        return obj.tolist()
    if np is not None and isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, torch.Tensor) or obj is None:
        return obj
    for kind in (bool, int, float, str):  # exact builtins: a str subclass (TorchVersion) would not load
        if isinstance(obj, kind):
            return kind(obj)
    raise TypeError(f"cannot store {type(obj).__name__} in a checkpoint")


def save_checkpoint(path, model, vocab: Vocab, config: Config, extra: dict | None = None) -> Path:
    """Write model, vocabulary, config and ``extra`` to ``path`` atomically."""
    path = Path(path)
    payload = {
        "format": FORMAT,
        "config": config.to_dict(),
        "vocab": {"itos": list(vocab.itos), "counts": list(vocab.counts) if vocab.counts is not None else None},
        "state_dict": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
        "extra": _plain(extra or {}),
    }
    buf = io.BytesIO()
    torch.save(payload, buf)
    atomic_write_bytes(path, buf.getvalue())
    return path


def read_payload(path) -> dict:
    """The raw checkpoint dict, with clear errors for missing or damaged files."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"no checkpoint at {path}. {TRAIN_HINT}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
        why = next((ln for ln in lines if "WeightsUnpickler error" in ln), lines[0] if lines else type(exc).__name__)
        raise UserError(f"checkpoint {path} is damaged or not a checkpoint ({why[:200]}). {TRAIN_HINT}") from None
    if not isinstance(payload, dict) or not {"config", "vocab", "state_dict"} <= set(payload):
        raise UserError(f"checkpoint {path} lacks config/vocab/state_dict; it was not written by this "
                        f"project. {TRAIN_HINT}")
    return payload


def load_checkpoint(path=DEFAULT_CHECKPOINT):
    """Load ``(model, vocab, config, extra)``; the model is in eval mode on the CPU."""
    from .transformer import Classifier

    path = Path(path)
    payload = read_payload(path)
    try:
        config = Config.from_dict(payload["config"])
        vocab = Vocab(payload["vocab"]["itos"], payload["vocab"].get("counts"))
        model = Classifier(config, len(vocab))
        model.load_state_dict(payload["state_dict"])
    except Exception as exc:
        raise UserError(f"checkpoint {path} does not fit this code ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0][:200] if str(exc) else ''}). {TRAIN_HINT}") from None
    model.eval()
    return model, vocab, config, dict(payload.get("extra") or {})


def update_extra(path, updates: dict) -> dict:
    """Merge ``updates`` into the checkpoint's extra and rewrite the file atomically."""
    path = Path(path)
    payload = read_payload(path)
    extra = dict(payload.get("extra") or {})
    extra.update(_plain(updates))
    payload["extra"] = extra
    buf = io.BytesIO()
    torch.save(payload, buf)
    atomic_write_bytes(path, buf.getvalue())
    return extra


def resolve_checkpoint(path: str | os.PathLike | None) -> Path:
    return Path(path) if path else DEFAULT_CHECKPOINT
