"""One dataclass that describes the model, its data and its training.

A checkpoint stores ``asdict(config)``, so every saved model says how it was
built. Change a field here (or with ``--set field=value`` on the command line)
and retrain to get another model.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class Config:
    # --- tokenizer and vocabulary -------------------------------------------------
    vocab_size: int = 20_000  # upper bound on word types kept, <pad> and <unk> included
    min_count: int = 5  # a word must occur this often in the train split to get an id
    max_len: int = 512  # T: every review is padded or truncated to this many tokens (512 keeps most reviews whole)

    # --- architecture ---------------------------------------------------------------
    d_model: int = 32  # d: width of every token vector (embedding, attention, block); small enough to show
    n_heads: int = 2  # h: attention heads; each works on d_model // n_heads dimensions
    n_layers: int = 1  # N: how many transformer blocks are stacked
    d_ff: int = 64  # hidden width of the feed-forward network inside a block
    dropout: float = 0.1  # dropout rate used during training only
    norm_first: bool = False  # False: post-norm, x = norm(x + f(x)); True: x = x + f(norm(x))
    n_classes: int = 2  # 0 = negative, 1 = positive

    # --- training -------------------------------------------------------------------------
    seed: int = 0  # seeds python, numpy and torch; same seed + data + machine = same weights
    epochs: int = 2  # passes over the 25,000 training reviews (2 did best on a held-out part of train)
    batch_size: int = 64  # reviews per optimisation step
    lr: float = 3e-3  # peak AdamW learning rate (linear warm-up, then cosine decay)
    weight_decay: float = 0.01  # AdamW weight decay
    warmup_steps: int = 100  # steps of linear learning-rate warm-up
    train_limit: int = 0  # use only this many training reviews (0 = all); for quick tests

    @property
    def d_head(self) -> int:
        """Width of one head, d_model / n_heads."""
        return self.d_model // self.n_heads

    def __post_init__(self) -> None:
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} is not divisible by n_heads={self.n_heads}")
        for name in ("vocab_size", "max_len", "d_model", "n_heads", "n_layers", "d_ff"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Config":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    def with_overrides(self, pairs: list[str]) -> "Config":
        """Apply ``field=value`` strings, converting each value to the field's type."""
        d = self.to_dict()
        types = {f.name: f.type for f in fields(self)}
        for pair in pairs:
            key, sep, raw = pair.partition("=")
            if not sep or key not in types:
                raise ValueError(f"unknown setting {pair!r}; known: {', '.join(types)}")
            kind = types[key]
            if kind == "bool":
                d[key] = raw.lower() in ("1", "true", "yes")
            else:
                d[key] = {"int": int, "float": float}.get(kind, str)(raw)
        return Config.from_dict(d)
