"""The dataset facts: what the chapters say about IMDB itself, counted once by the full export.

``python -m model export`` counts them from the dataset and writes them twice: into
``dataset.pkl`` (for the scenes) and, as JSON, under ``dataset_facts`` in ``manifest.json``.
``export --text`` needs no dataset: it reads the facts back from the committed manifest with
:func:`committed_facts`, a plain JSON read (no asset is unpickled), and builds its own
``dataset.pkl`` and ``tokens.pkl`` from them. No torch in here.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .errors import AssetError

MANIFEST_KEY = "dataset_facts"
# the facts of dataset.pkl, in its order (its last key, "examples", is the export's own)
DATASET_KEYS = ("n_train", "n_test", "n_unsup", "train_counts", "test_counts", "median_tokens", "mean_tokens",
                "length_hist")


def count_facts(ds, train_tokens: list[list[str]], data_dir) -> dict:
    """Counts and lengths of the dataset, and the distinct words of its train split.

    Parameters
    ----------
    ds
        The ``datasets.DatasetDict`` with ``train`` and ``test``.
    train_tokens
        The word tokens of every train review.
    data_dir
        The local IMDB folder, if any (``n_unsup`` is counted from its ``unsup.parquet``).

    Returns
    -------
    dict
        :data:`DATASET_KEYS`, then ``n_unique_train_words`` (``tokens.pkl``). ``length_hist``
        holds a float32 and an int64 array; everything else is builtins.
    """
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
        "n_unique_train_words": len({w for ts in train_tokens for w in ts}),
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


def dataset_part(facts: dict) -> dict:
    """The facts ``dataset.pkl`` holds, in its order (new containers: the caller's are left alone)."""
    hist = facts["length_hist"]
    part = {k: list(facts[k]) if isinstance(facts[k], list) else facts[k] for k in DATASET_KEYS}
    part["length_hist"] = {"edges": np.array(hist["edges"], dtype=np.float32),
                           "counts": np.array(hist["counts"], dtype=np.int64)}
    return part


def to_json(facts: dict) -> dict:
    """The facts as JSON values, for the manifest (arrays as lists; floats round-trip exactly)."""
    hist = facts["length_hist"]
    return {**{k: facts[k] for k in facts if k != "length_hist"},
            "length_hist": {"edges": [float(x) for x in hist["edges"]], "counts": [int(x) for x in hist["counts"]]}}


def committed_facts(folder: Path) -> dict:
    """The facts a full export wrote into ``folder/manifest.json``, read as plain JSON.

    Raises
    ------
    AssetError
        When the manifest is missing, unreadable, or holds no facts (an export older than them).
    """
    from .store import MANIFEST, regenerate_hint

    path = Path(folder) / MANIFEST
    try:
        facts = json.loads(path.read_text()).get(MANIFEST_KEY)
    except (OSError, ValueError, AttributeError) as exc:
        raise AssetError(f"cannot read the dataset facts in {path} ({exc}). {regenerate_hint(folder)}") from None
    missing = [k for k in (*DATASET_KEYS, "n_unique_train_words") if not isinstance(facts, dict) or k not in facts]
    if missing:
        raise AssetError(f"{path} holds no dataset facts ({', '.join(missing)} missing): it was written by an "
                         f"older export. {regenerate_hint(folder)}")
    return facts


__all__ = ["count_facts", "dataset_part", "to_json", "committed_facts", "MANIFEST_KEY", "DATASET_KEYS"]
