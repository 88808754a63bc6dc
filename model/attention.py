"""Self-attention, built up in three steps (in the spirit of minGPT's model.py).

1. :func:`raw_self_attention` - no parameters at all: every token vector is
   compared with every other one by a dot product, the scores become weights by a
   softmax per row, and each output is the weighted average of all inputs.
2. :class:`SelfAttention` - the same, but queries, keys and values are three
   learned linear maps of the input.
3. :class:`MultiHeadAttention` - h small attentions side by side on d/h
   dimensions each, with a key padding mask and an output projection. This is
   the one the classifier uses.

Shape letters: B batch, T tokens, d model width, h heads, dh = d / h.
A mask is a bool tensor (B, T) that is True where a real token stands and
False on padding.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def _masked_softmax(scores: torch.Tensor, key_mask: torch.Tensor | None) -> torch.Tensor:
    """Softmax over the last axis where masked keys get EXACTLY zero weight.

    ``key_mask`` must broadcast against ``scores`` (e.g. (B, 1, 1, T)) and is True for
    keys that may be attended to. Masked scores become -inf and exp(-inf) = 0.
    A row whose keys are all masked would be softmax(-inf, ...) = NaN; such rows
    get all-zero weights instead.
    """
    if key_mask is None:
        return F.softmax(scores, dim=-1)
    bias = torch.zeros(key_mask.shape, dtype=scores.dtype, device=scores.device)
    bias = bias.masked_fill(~key_mask, float("-inf"))  # 0 for real keys, -inf for padding
    empty = ~key_mask.any(dim=-1, keepdim=True)  # rows with nothing to look at
    if bool(empty.any()):
        bias = bias.masked_fill(empty, 0.0)  # keep those rows finite (no NaN), zeroed below
        return F.softmax(scores + bias, dim=-1).masked_fill(empty, 0.0)
    return F.softmax(scores + bias, dim=-1)


def raw_self_attention(X: torch.Tensor, mask: torch.Tensor | None = None):
    """Attention with no learned weights: W = softmax(X Xᵀ / √d) by rows, Y = W X.

    X : (T, d) or (B, T, d); mask : (T,) or (B, T), True for real tokens.
    Returns (W, Y) with W (…, T, T), every row summing to 1, and Y like X.
    """
    d = X.size(-1)
    scores = X @ X.transpose(-2, -1) / math.sqrt(d)  # (…, T, T) every token against every token
    key_mask = None if mask is None else mask.unsqueeze(-2)  # (…, 1, T) broadcast over queries
    W = _masked_softmax(scores, key_mask)  # (…, T, T) each row sums to 1
    Y = W @ X  # (…, T, d) weighted averages of the rows of X
    return W, Y


class SelfAttention(nn.Module):
    """One head with learned maps: Q = X Wq, K = X Wk, V = X Wv; Y = softmax(Q Kᵀ / √dk) V."""

    def __init__(self, d_model: int, d_k: int | None = None):
        super().__init__()
        d_k = d_k or d_model
        self.q = nn.Linear(d_model, d_k)
        self.k = nn.Linear(d_model, d_k)
        self.v = nn.Linear(d_model, d_k)
        self.d_k = d_k

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None):
        q, k, v = self.q(x), self.k(x), self.v(x)  # (B, T, dk) each
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_k)  # (B, T, T)
        key_mask = None if mask is None else mask.unsqueeze(-2)  # (B, 1, T)
        weights = _masked_softmax(scores, key_mask)  # (B, T, T)
        return weights @ v, weights  # (B, T, dk), (B, T, T)


class MultiHeadAttention(nn.Module):
    """h heads of scaled dot-product attention, each on dh = d / h dimensions."""

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.n_heads, self.d_head = n_heads, d_model // n_heads
        self.q = nn.Linear(d_model, d_model)  # all heads' queries in one matrix
        self.k = nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model)
        self.proj = nn.Linear(d_model, d_model)  # mixes the concatenated heads back together
        self.attn_drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, trace: dict | None = None):
        """x (B, T, d), mask (B, T) True = real token. Returns (out (B, T, d), weights (B, h, T, T)).

        Pass a dict as ``trace`` to receive every intermediate tensor.
        """
        B, T, d = x.shape
        h, dh = self.n_heads, self.d_head
        Q, K, V = self.q(x), self.k(x), self.v(x)  # (B, T, d)
        # split d into h heads of dh dimensions: (B, T, d) -> (B, T, h, dh) -> (B, h, T, dh)
        q = Q.view(B, T, h, dh).transpose(1, 2)  # (B, h, T, dh)
        k = K.view(B, T, h, dh).transpose(1, 2)  # (B, h, T, dh)
        v = V.view(B, T, h, dh).transpose(1, 2)  # (B, h, T, dh)
        scores = q @ k.transpose(-2, -1) * (1.0 / math.sqrt(dh))  # (B, h, T, T)
        key_mask = None if mask is None else mask[:, None, None, :]  # (B, 1, 1, T)
        weights = _masked_softmax(scores, key_mask)  # (B, h, T, T) rows sum to 1 (0 on padding)
        head_out = self.attn_drop(weights) @ v  # (B, h, T, dh)
        concat = head_out.transpose(1, 2).contiguous().view(B, T, d)  # (B, T, d) heads side by side
        out = self.proj(concat)  # (B, T, d)
        if trace is not None:
            trace.update(Q=Q, K=K, V=V, scores=scores, weights=weights, head_out=head_out,
                         concat=concat, attn_out=out)
        return out, weights
