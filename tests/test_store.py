"""The asset store: round trip, allow-listed unpickling, hashes, schema, atomic writes."""
from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pytest

from model import files, store
from model.errors import AssetError


def asset_path(folder, name="tokens"):
    return folder / json.loads((folder / "manifest.json").read_text())["assets"][name]


@pytest.fixture()
def folder(tmp_path):
    assets = {"tokens": {"words": ["a", "b"], "ids": np.arange(4, dtype=np.int64), "x": np.float32(0.5),
                         "pairs": [(1, "a", 3)], "mask": np.array([True, False])}}
    store.write_assets(tmp_path, assets, {"seed": 0, "config": {"d_model": 4}})
    return tmp_path


def test_round_trip(folder):
    got = store.load("tokens", folder)
    assert got["words"] == ["a", "b"]
    assert got["ids"].dtype == np.int64 and got["ids"].tolist() == [0, 1, 2, 3]
    assert got["pairs"] == [(1, "a", 3)] and got["mask"].tolist() == [True, False]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["schema_version"] == store.SCHEMA_VERSION and manifest["seed"] == 0
    assert list(manifest["assets"]) == ["tokens"]
    assert set(manifest["files"]) == {manifest["assets"]["tokens"]} and (folder / manifest["assets"]["tokens"]).is_file()


def test_writer_refuses_non_plain_objects(tmp_path):
    class Thing:
        pass

    with pytest.raises(TypeError):
        store.write_assets(tmp_path, {"x": {"bad": Thing()}}, {})
    with pytest.raises(TypeError):
        store.write_assets(tmp_path, {"x": {"bad": np.array([object()])}}, {})


class _Evil:
    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return self.target


@pytest.mark.parametrize("target", [
    (os.system, ("echo pwned > /dev/null",)),
    (eval, ("1+1",)),
    (__import__("subprocess").call, (["true"],)),
])
def test_loader_refuses_pickles_naming_other_globals(folder, target, tmp_path):
    data = pickle.dumps({"x": _Evil(target)}, protocol=4)
    with pytest.raises(AssetError, match="allow-list"):
        store.safe_loads(data)


def test_tampered_pickle_with_matching_hash_is_still_refused(folder):
    """Even an attacker who also rewrites the manifest cannot get code to run."""
    import hashlib

    evil = pickle.dumps({"x": _Evil((os.system, ("touch /tmp/should-not-exist",)))}, protocol=4)
    asset_path(folder).write_bytes(evil)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][manifest["assets"]["tokens"]]["sha256"] = hashlib.sha256(evil).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    store._CACHE.clear()
    with pytest.raises(AssetError, match="os.system|posix.system"):
        store.load("tokens", folder)


def test_hash_mismatch_is_refused_with_a_regeneration_hint(folder):
    path = asset_path(folder)
    path.write_bytes(path.read_bytes()[:-3])  # truncated
    store._CACHE.clear()
    with pytest.raises(AssetError) as err:
        store.load("tokens", folder, needed_by="Ch03Tokens")
    assert "sha256" in str(err.value) and "python -m model export" in str(err.value)
    assert "Ch03Tokens" in str(err.value)


def test_old_schema_is_refused(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema_version"] = store.SCHEMA_VERSION - 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    store._CACHE.clear()
    with pytest.raises(AssetError, match="schema version"):
        store.load("tokens", folder)


def test_missing_asset_names_the_chapter(folder):
    asset_path(folder).unlink()
    store._CACHE.clear()
    with pytest.raises(AssetError, match="Ch03Tokens"):
        store.load("tokens", folder, needed_by="Ch03Tokens")


def test_the_registry_lists_the_assets_each_chapter_loads():
    """``reads`` in scenes/chapters.py must be the chapter file's own ``asset("...")`` calls."""
    import re

    from scenes.chapters import CHAPTERS

    for c in CHAPTERS:
        loads = set(re.findall(r"asset\(\s*[\"'](\w+)[\"']\s*\)", c.file.read_text()))
        quotes = "{opening}" in c.file.read_text()  # a line quoting the review reads dataset.pkl
        assert set(c.reads) == loads | ({"dataset"} if quotes else set()), c.cls


def test_a_missing_asset_names_every_chapter_that_needs_it(tmp_path):
    from scripts.render import check_assets

    store.write_assets(tmp_path, {"model": {"n_params": 1}}, {"seed": 0})
    asset_path(tmp_path, "model").unlink()
    store._CACHE.clear()
    with pytest.raises(AssetError, match="needed by Ch10MultiHead, Ch14Recap"):
        check_assets(tmp_path)


def test_a_chapter_may_read_only_the_assets_its_entry_lists(monkeypatch, folder):
    from scenes.common import ChapterScene

    monkeypatch.setenv("ATTENTION_ASSETS", str(folder))
    like13 = type("Ch13Training", (ChapterScene,), {})  # the registry knows a chapter by its class name
    scene = like13.__new__(like13)
    with pytest.raises(AssetError, match="Ch13Training.*'tokens'.*scenes/chapters.py"):
        scene.asset("tokens")


def test_loads_are_cached(folder):
    store._CACHE.clear()
    assert store.load("tokens", folder) is store.load("tokens", folder)


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "f.bin"
    files.atomic_write_bytes(target, b"good")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        files.atomic_write_bytes(target, b"half")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]  # no temporary left behind


def test_pickles_are_deterministic():
    obj = {"a": np.arange(5, dtype=np.float32), "b": ["x", "y"], "c": {"d": (1, 2)}}
    assert store.dumps(obj) == store.dumps({"a": np.arange(5, dtype=np.float32), "b": ["x", "y"], "c": {"d": (1, 2)}})


def test_a_new_export_replaces_the_old_set_and_leaves_no_stale_files(folder):
    old = asset_path(folder)
    store.write_assets(folder, {"tokens": {"words": ["c"]}}, {"seed": 1})
    assert not old.exists()
    assert store.load("tokens", folder) == {"words": ["c"]}
    assert sorted(p.suffix for p in folder.iterdir()) == [".json", ".pkl"]


def test_export_killed_midway_leaves_the_previous_set_intact(folder):
    """SIGKILL the writer after its first new file: the old manifest and files still load."""
    import signal
    import subprocess
    import sys

    before = store.load("tokens", folder)
    code = f"""
import os, signal, numpy as np
from model import store
real = store.atomic_write_bytes
calls = []
def killing(path, data):
    calls.append(path)
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    real(path, data)
store.atomic_write_bytes = killing
store.write_assets({str(folder)!r}, {{"tokens": {{"words": ["new"]}}, "zeta": {{"v": np.ones(3)}}}}, {{"seed": 2}})
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL
    store._CACHE.clear()
    assert json.loads((folder / "manifest.json").read_text())["seed"] == 0
    got = store.load("tokens", folder)
    assert got["words"] == before["words"] and got["ids"].tolist() == before["ids"].tolist()


def test_a_crafted_pickle_runs_nothing_and_a_torch_pickle_is_refused(tmp_path):
    """The allow-list is checked before any global is called: the command never runs."""
    import torch

    marker = tmp_path / "pwned"
    crafted = pickle.dumps({"x": _Evil((os.system, (f"touch {marker}",)))}, protocol=4)
    with pytest.raises(AssetError, match="allow-list"):
        store.safe_loads(crafted)
    assert not marker.exists()
    with pytest.raises(AssetError, match="allow-list"):
        store.safe_loads(pickle.dumps({"x": torch.zeros(2)}))


@pytest.mark.parametrize("version", [store.SCHEMA_VERSION + 1, "2.0", None])
def test_unknown_schema_is_refused_with_the_command_that_regenerates(folder, version):
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema_version"] = version
    (folder / "manifest.json").write_text(json.dumps(manifest))
    store._CACHE.clear()
    with pytest.raises(AssetError, match="schema version") as err:
        store.load("tokens", folder)
    assert "python -m model export" in str(err.value)
