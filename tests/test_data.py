"""Loading IMDB through datasets, and the clear errors for bad data folders."""
from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from model.data import clean_text, load_imdb
from model.errors import DataError


def test_loads_the_real_local_parquet(imdb_dir):
    ds = load_imdb(imdb_dir)
    assert len(ds["train"]) == 25_000 and len(ds["test"]) == 25_000
    for split in ("train", "test"):
        labels = ds[split]["label"]
        assert labels.count(0) == labels.count(1) == 12_500
    assert type(ds["train"]).__module__.startswith("datasets")


def test_imdb_dir_environment_variable_is_used(tiny_imdb, monkeypatch):
    monkeypatch.setenv("IMDB_DIR", str(tiny_imdb))
    assert len(load_imdb()["train"]) == 120


def test_clean_text_turns_br_into_spaces_and_keeps_the_rest():
    assert clean_text("Good.<br /><br />Bad<br/>ugly<BR>") == "Good.  Bad ugly "
    assert clean_text("a <b>bold</b> claim") == "a <b>bold</b> claim"


def _write(folder, split, table):
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / f"{split}.parquet")


@pytest.mark.parametrize("case, needle", [
    ("missing_folder", "not found"),
    ("no_parquet", "has no train.parquet"),
    ("no_text_column", "no 'text' column"),
    ("no_label_column", "no 'label' column"),
    ("bad_labels", "labels [2]"),
    ("empty_split", "has no rows"),
    ("text_not_strings", "not strings"),
    ("text_nulls", "null"),
])
def test_bad_data_folders_give_one_clear_error(tmp_path, case, needle):
    folder = tmp_path / "imdb"
    good = pa.table({"text": ["fine film"], "label": [1]})
    if case == "no_parquet":
        folder.mkdir()
    elif case == "no_text_column":
        _write(folder, "train", pa.table({"review": ["x"], "label": [1]})); _write(folder, "test", good)
    elif case == "no_label_column":
        _write(folder, "train", pa.table({"text": ["x"]})); _write(folder, "test", good)
    elif case == "bad_labels":
        _write(folder, "train", pa.table({"text": ["x", "y"], "label": [1, 2]})); _write(folder, "test", good)
    elif case == "text_not_strings":
        _write(folder, "train", pa.table({"text": [3, 4], "label": [1, 0]})); _write(folder, "test", good)
    elif case == "text_nulls":
        _write(folder, "train", pa.table({"text": ["x", None], "label": [1, 0]})); _write(folder, "test", good)
    elif case == "empty_split":
        _write(folder, "train", pa.table({"text": pa.array([], pa.string()), "label": pa.array([], pa.int64())}))
        _write(folder, "test", good)
    with pytest.raises(DataError) as err:
        load_imdb(folder)
    assert needle in str(err.value)
    assert "IMDB_DIR" in str(err.value) or case in ("bad_labels", "text_not_strings", "text_nulls")


def test_no_data_offline_fails_fast_naming_both_ways(monkeypatch):
    monkeypatch.delenv("IMDB_DIR", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DataError) as err:
        load_imdb()
    msg = str(err.value)
    assert "IMDB_DIR" in msg and "--data-dir" in msg and "stanfordnlp/imdb" in msg


def test_cli_reports_missing_data_without_traceback(tmp_path):
    env = {"IMDB_DIR": str(tmp_path / "nowhere"), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "model", "export", "--out", str(tmp_path / "a")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "IMDB folder not found" in proc.stderr
