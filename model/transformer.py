"""The classifier: embeddings + positions, N transformer blocks, masked mean pool, linear head.

    ids (B, T) --E--> tokens (B, T, d) + P[0:T] --> block x N --> mean over real tokens (B, d)
               --> Linear --> logits (B, 2)

Every forward pass can hand back all its intermediates (``return_trace=True``),
so the exported numbers come from the very code that was trained.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from .attention import MultiHeadAttention
from .config import Config
from .tokenize import PAD_ID


class PositionalEmbedding(nn.Module):
    """P: one learned d-vector for every position 0 .. max_len-1, added to the token vectors."""

    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        self.pos = nn.Embedding(max_len, d_model)  # P: a learned d-vector for each position

    def forward(self, T: int) -> torch.Tensor:
        return self.pos(torch.arange(T, device=self.pos.weight.device))  # (T, d)


class TransformerBlock(nn.Module):
    """Attention, residual, LayerNorm, feed-forward, residual, LayerNorm.

    ``norm_first=False`` (post-norm, as in "Attention is all you need"):
        x = norm1(x + attn(x));  x = norm2(x + ff(x))
    ``norm_first=True`` (pre-norm):
        x = x + attn(norm1(x));  x = x + ff(norm2(x))
    """

    def __init__(self, config: Config):
        super().__init__()
        d = config.d_model
        self.norm_first = config.norm_first
        self.attn = MultiHeadAttention(d, config.n_heads)  # no dropout on the (B, h, T, T) weights: slow on CPU
        self.norm1 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, config.d_ff)
        self.act = nn.ReLU()
        self.ff2 = nn.Linear(config.d_ff, d)
        self.norm2 = nn.LayerNorm(d)
        self.drop = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, trace: dict | None = None):
        """x (B, T, d), mask (B, T). Returns (x (B, T, d), attention weights (B, h, T, T))."""
        if self.norm_first:
            norm1 = self.norm1(x)  # (B, T, d)
            attn_out, weights = self.attn(norm1, mask, trace)  # (B, T, d), (B, h, T, T)
            resid1 = x + self.drop(attn_out)  # (B, T, d)
            ff_in = self.norm2(resid1)
        else:
            attn_out, weights = self.attn(x, mask, trace)  # (B, T, d), (B, h, T, T)
            resid1 = x + self.drop(attn_out)  # (B, T, d) residual: keep what came in
            norm1 = ff_in = self.norm1(resid1)  # (B, T, d)
        ff_hidden = self.act(self.ff1(ff_in))  # (B, T, d_ff) each token on its own
        ff_out = self.ff2(ff_hidden)  # (B, T, d)
        if self.norm_first:
            resid2 = resid1 + self.drop(ff_out)
            out = resid2
        else:
            resid2 = norm1 + self.drop(ff_out)  # (B, T, d)
            out = self.norm2(resid2)  # (B, T, d)
        if trace is not None:
            trace.update(x_in=x, resid1=resid1, norm1=norm1, ff_in=ff_in, ff_hidden=ff_hidden,
                         ff_out=ff_out, resid2=resid2, block_out=out)
        return out, weights


class Classifier(nn.Module):
    """Transformer encoder that reads word ids and says negative (0) or positive (1)."""

    def __init__(self, config: Config, vocab_size: int):
        super().__init__()
        self.config = config
        d = config.d_model
        self.tok = nn.Embedding(vocab_size, d, padding_idx=PAD_ID)  # E: one d-vector per word id
        self.pos = PositionalEmbedding(config.max_len, d)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(TransformerBlock(config) for _ in range(config.n_layers))
        self.norm = nn.LayerNorm(d) if config.norm_first else nn.Identity()  # pre-norm needs a last norm
        self.head = nn.Linear(d, config.n_classes)
        # Start E and P small (std 0.02, as GPT-2 does): Adam moves every weight by about lr
        # per step, so small vectors find their place in a few hundred steps, not thousands.
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.pos.weight, std=0.02)
        with torch.no_grad():
            self.tok.weight[PAD_ID].zero_()  # <pad> stays the zero vector

    def forward(self, ids: torch.Tensor, mask: torch.Tensor | None = None, return_trace: bool = False):
        """ids (B, T) int64, mask (B, T) bool (default: ids != PAD_ID).

        Returns logits (B, n_classes), or (logits, trace) with ``return_trace=True``;
        the trace dict holds every intermediate: tok, pos, x_in, blocks (one dict each),
        weights (one (B, h, T, T) per block), x_out, pooled, logits.
        """
        B, T = ids.shape
        if T > self.config.max_len:
            raise ValueError(f"sequence of {T} tokens is longer than max_len={self.config.max_len}")
        if mask is None:
            mask = ids != PAD_ID
        mask = mask.bool()
        tok = self.tok(ids)  # (B, T, d)
        pos = self.pos(T)  # (T, d)
        x = self.drop(tok + pos)  # (B, T, d)
        x_in = x
        block_traces, all_weights = [], []
        for block in self.blocks:
            bt = {} if return_trace else None
            x, w = block(x, mask, bt)  # (B, T, d), (B, h, T, T)
            block_traces.append(bt)
            all_weights.append(w)
        x = self.norm(x)  # (B, T, d)
        m = mask.unsqueeze(-1).to(x.dtype)  # (B, T, 1) 1 on real tokens, 0 on padding
        pooled = (x * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)  # (B, d) mean over real tokens only
        logits = self.head(pooled)  # (B, n_classes)
        if not return_trace:
            return logits
        trace = dict(tok=tok, pos=pos, x_in=x_in, mask=mask, blocks=block_traces, weights=all_weights,
                     x_out=x, pooled=pooled, logits=logits)
        return logits, trace

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())
