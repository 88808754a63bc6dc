"""Self-attention: softmax rows, permutation, padding, and agreement with PyTorch's own kernels."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from model.attention import MultiHeadAttention, SelfAttention, raw_self_attention


def _mask(lengths, T):
    return torch.arange(T)[None, :] < torch.tensor(lengths)[:, None]  # (B, T) True = real token


def test_raw_attention_rows_sum_to_one_and_match_formula():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(6, 8, generator=g)
    W, Y = raw_self_attention(X)
    assert W.shape == (6, 6) and Y.shape == (6, 8)
    torch.testing.assert_close(W.sum(-1), torch.ones(6), rtol=0, atol=1e-6)
    expected = torch.softmax(X @ X.T / math.sqrt(8), dim=-1)
    torch.testing.assert_close(W, expected)
    torch.testing.assert_close(Y, expected @ X)
    assert (W >= 0).all()


@settings(max_examples=25, deadline=None)
@given(T=st.integers(2, 9), d=st.integers(1, 12), seed=st.integers(0, 10_000))
def test_raw_attention_permuting_input_permutes_output(T, d, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(T, d, generator=g, dtype=torch.float64)
    perm = torch.randperm(T, generator=g)
    W, Y = raw_self_attention(X)
    W_p, Y_p = raw_self_attention(X[perm])
    torch.testing.assert_close(Y_p, Y[perm], rtol=0, atol=1e-12)
    torch.testing.assert_close(W_p, W[perm][:, perm], rtol=0, atol=1e-12)


def test_raw_attention_mask_gives_padding_exactly_zero():
    g = torch.Generator().manual_seed(1)
    X = torch.randn(2, 5, 4, generator=g)
    mask = _mask([3, 5], 5)
    W, _ = raw_self_attention(X, mask)
    assert torch.equal(W[0, :, 3:], torch.zeros(5, 2))
    torch.testing.assert_close(W.sum(-1), torch.ones(2, 5), rtol=0, atol=1e-6)


def test_multihead_padded_keys_get_exactly_zero_weight_and_no_nan():
    torch.manual_seed(0)
    mha = MultiHeadAttention(12, 3).eval()
    x = torch.randn(3, 7, 12) * 10  # large scores: still exactly zero on padding
    mask = _mask([7, 4, 0], 7)  # the last row has no real token at all
    out, w = mha(x, mask)
    assert w.shape == (3, 3, 7, 7) and out.shape == (3, 7, 12)
    assert not torch.isnan(out).any() and not torch.isnan(w).any()
    assert torch.equal(w[1, :, :, 4:], torch.zeros(3, 7, 3))
    assert torch.equal(w[2], torch.zeros(3, 7, 7))  # all-masked row: zero weights, not NaN
    torch.testing.assert_close(w[:2].sum(-1), torch.ones(2, 3, 7), rtol=0, atol=1e-6)


def test_multihead_real_tokens_ignore_whatever_stands_in_padding():
    torch.manual_seed(1)
    mha = MultiHeadAttention(8, 2).eval()
    x = torch.randn(1, 6, 8)
    mask = _mask([4], 6)
    noisy = x.clone()
    noisy[:, 4:] = torch.randn(1, 2, 8) * 100
    out_a, _ = mha(x, mask)
    out_b, _ = mha(noisy, mask)
    torch.testing.assert_close(out_a[:, :4], out_b[:, :4], rtol=0, atol=1e-6)
    out_short, _ = mha(x[:, :4])  # no padding at all
    torch.testing.assert_close(out_a[:, :4], out_short, rtol=0, atol=1e-6)


@pytest.mark.parametrize("d,h", [(16, 4), (12, 3), (8, 1)])
def test_multihead_matches_torch_multiheadattention(d, h):
    torch.manual_seed(2)
    ours = MultiHeadAttention(d, h).eval()
    ref = torch.nn.MultiheadAttention(d, h, batch_first=True).eval()
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([ours.q.weight, ours.k.weight, ours.v.weight]))
        ref.in_proj_bias.copy_(torch.cat([ours.q.bias, ours.k.bias, ours.v.bias]))
        ref.out_proj.weight.copy_(ours.proj.weight)
        ref.out_proj.bias.copy_(ours.proj.bias)
    x = torch.randn(3, 9, d)
    mask = _mask([9, 5, 2], 9)
    out, w = ours(x, mask)
    ref_out, ref_w = ref(x, x, x, key_padding_mask=~mask, average_attn_weights=False)
    torch.testing.assert_close(out, ref_out, rtol=0, atol=1e-6)
    torch.testing.assert_close(w, ref_w, rtol=0, atol=1e-6)


def test_single_head_matches_scaled_dot_product_attention():
    torch.manual_seed(3)
    d = 10
    mha = MultiHeadAttention(d, 1).eval()
    x = torch.randn(2, 6, d)
    mask = _mask([6, 3], 6)
    out, _ = mha(x, mask)
    q, k, v = mha.q(x), mha.k(x), mha.v(x)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask[:, None, :])
    torch.testing.assert_close(out, mha.proj(ref), rtol=0, atol=1e-6)

    sa = SelfAttention(d, 4).eval()
    y, w = sa(x, mask)
    ref2 = F.scaled_dot_product_attention(sa.q(x), sa.k(x), sa.v(x), attn_mask=mask[:, None, :])
    torch.testing.assert_close(y, ref2, rtol=0, atol=1e-6)
    assert torch.equal(w[1, :, 3:], torch.zeros(6, 3))


def test_multihead_rejects_indivisible_width():
    with pytest.raises(ValueError):
        MultiHeadAttention(10, 3)
