"""A small transformer encoder that reads an IMDB review and says positive or negative.

Light to import: torch loads only when a torch-backed name is first used, so the
scenes (which never touch torch) can use :mod:`model.store` and :mod:`model.tokenize`.

>>> from model import Config, Vocab, word_tokenize      # no torch needed
>>> from model import Classifier, MultiHeadAttention    # these import torch
"""
from .config import Config
from .errors import AssetError, DataError, TextError, UserError
from .tokenize import Vocab, pad_batch, word_tokenize

_LAZY = {
    "Classifier": "model.transformer",
    "TransformerBlock": "model.transformer",
    "PositionalEmbedding": "model.transformer",
    "MultiHeadAttention": "model.attention",
    "SelfAttention": "model.attention",
    "raw_self_attention": "model.attention",
    "load_checkpoint": "model.checkpoint",
    "save_checkpoint": "model.checkpoint",
}

__all__ = ["Config", "Vocab", "word_tokenize", "pad_batch", "UserError", "DataError", "AssetError",
           "TextError", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
