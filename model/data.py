"""Loading the IMDB movie reviews through Hugging Face ``datasets``.

Two sources, in this order:

1. a local folder with ``train.parquet`` and ``test.parquet`` (columns ``text``
   and ``label``), named by ``--data-dir`` or the ``IMDB_DIR`` environment variable;
2. otherwise the hub dataset ``stanfordnlp/imdb``.

Every failure ends in one :class:`~model.errors.DataError` that says how to
provide the data.
"""
from __future__ import annotations

import os
import re
import socket
from pathlib import Path

from .errors import DataError

HUB_NAME = "stanfordnlp/imdb"
SPLITS = ("train", "test")
LABELS = ("negative", "positive")  # label 0, label 1

HOW_TO = (
    "Provide the IMDB reviews in one of two ways: set IMDB_DIR (or pass --data-dir) to a folder "
    "holding train.parquet and test.parquet with columns 'text' and 'label', or let the code "
    f"download '{HUB_NAME}' from the Hugging Face hub (needs network access)."
)

_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def clean_text(text: str) -> str:
    """Turn ``<br />`` line breaks into spaces; keep everything else as written."""
    return _BR.sub(" ", text)


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path | None:
    """The local folder to read, from the argument or ``IMDB_DIR``; None means the hub."""
    chosen = data_dir if data_dir not in (None, "") else os.environ.get("IMDB_DIR") or None
    return Path(chosen).expanduser() if chosen else None


def load_imdb(data_dir: str | os.PathLike | None = None, splits=SPLITS):
    """Load IMDB as a ``datasets.DatasetDict`` with the requested splits.

    Parameters
    ----------
    data_dir
        Folder with ``<split>.parquet`` files. ``None`` falls back to ``IMDB_DIR``,
        then to the hub.
    splits
        Which splits to load, a subset of ``train``, ``test`` and ``unsup``.
    """
    import datasets

    datasets.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    folder = resolve_data_dir(data_dir)
    if folder is None:
        ds = _load_hub(splits)
    else:
        ds = _load_local(folder, splits)
    for split in splits:
        _validate(ds[split], split, folder)
    return ds


def _load_local(folder: Path, splits):
    import datasets

    if not folder.is_dir():
        raise DataError(f"IMDB folder not found: {folder}. {HOW_TO}")
    files = {s: folder / f"{s}.parquet" for s in splits}
    missing = [str(p.name) for p in files.values() if not p.is_file()]
    if missing:
        raise DataError(f"{folder} has no {', '.join(missing)}. {HOW_TO}")
    for split, path in files.items():
        _check_parquet(path, split)
    try:
        loaded = {s: datasets.load_dataset("parquet", data_files={s: str(p)})[s] for s, p in files.items()}
    except Exception as exc:  # a damaged parquet, a permission error
        raise DataError(f"could not read the parquet files in {folder}: {_short(exc)}. {HOW_TO}") from None
    return datasets.DatasetDict(loaded)


def _check_parquet(path: Path, split: str) -> None:
    """Columns and row count from the parquet footer, before datasets reads anything."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path)
    except Exception as exc:
        raise DataError(f"{path} is not a readable parquet file ({_short(exc)}). {HOW_TO}") from None
    cols = set(meta.schema_arrow.names)
    for col in ("text", "label"):
        if col not in cols:
            raise DataError(f"{path} has no '{col}' column (it has: {', '.join(sorted(cols)) or 'none'}). {HOW_TO}")
    if meta.metadata.num_rows == 0:
        raise DataError(f"{path} has no rows. {HOW_TO}")


def _load_hub(splits):
    import datasets

    offline = os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0") or os.environ.get(
        "HF_DATASETS_OFFLINE", "") not in ("", "0")
    if offline or not _hub_reachable():
        raise DataError(f"no IMDB_DIR or --data-dir was given and the hub is not reachable. {HOW_TO}")
    try:
        return datasets.load_dataset(HUB_NAME, split=None)
    except Exception as exc:
        raise DataError(f"could not load {HUB_NAME} from the hub: {_short(exc)}. {HOW_TO}") from None


def _hub_reachable(host: str = "huggingface.co", timeout: float = 3.0) -> bool:
    """A quick connect test, so that an offline machine fails now, not after minutes of retries."""
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _validate(split_ds, split: str, folder: Path | None) -> None:
    where = f"{folder / (split + '.parquet')}" if folder else f"{HUB_NAME} [{split}]"
    cols = set(split_ds.column_names)
    for col in ("text", "label"):
        if col not in cols:
            raise DataError(f"{where} has no '{col}' column (it has: {', '.join(sorted(cols)) or 'none'}). {HOW_TO}")
    if len(split_ds) == 0:
        raise DataError(f"{where} has no rows. {HOW_TO}")
    kind = getattr(split_ds.features.get("text"), "dtype", None)
    if kind not in ("string", "large_string"):
        raise DataError(f"{where}: the 'text' column holds {kind or 'something other than text'}, not strings.")
    if split_ds.with_format("arrow")["text"].null_count:
        raise DataError(f"{where}: the 'text' column has empty (null) rows; every review needs its text.")
    if split != "unsup":
        bad = set(split_ds.unique("label")) - {0, 1}
        if bad:
            raise DataError(f"{where} has labels {sorted(bad)}; only 0 (negative) and 1 (positive) are allowed.")


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]
