"""``python -m model predict`` on good and bad input: a prediction, or one clear line and exit 2."""
from __future__ import annotations

import os
import subprocess
import sys

from pathlib import Path

import pytest

from model.checkpoint import load_checkpoint, save_checkpoint
from model.cli import main
from model.config import Config
from model.predict import classify_text
from model.train import train_model

ROOT = Path(__file__).resolve().parent.parent

GOOD = ["a wonderful film, i loved it", "great acting and a great story", "best movie of the year!"]
BAD = ["a terrible film, i hated it", "awful acting and a boring story", "worst movie of the year!"]


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    cfg = Config().with_overrides(["d_model=16", "n_heads=2", "d_ff=32", "max_len=32", "min_count=1",
                                   "batch_size=16", "warmup_steps=2", "lr=0.02", "dropout=0.0", "epochs=8"])
    model, vocab, extra = train_model(cfg, (GOOD + BAD) * 10, [1, 1, 1, 0, 0, 0] * 10, quiet=True)
    path = tmp_path_factory.mktemp("ckpt") / "tiny.pt"
    save_checkpoint(path, model, vocab, cfg, extra)
    return path


def _run_all(cases: dict[str, tuple[list[str], str | None]]) -> dict[str, subprocess.CompletedProcess]:
    """Start every ``python -m model predict`` at once (each pays torch's import), then collect."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONIOENCODING": "utf-8"}
    procs = {}
    for name, (argv, stdin) in cases.items():
        procs[name] = subprocess.Popen([sys.executable, "-m", "model", "predict", *argv], cwd=ROOT, env=env,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = {}
    for name, p in procs.items():
        stdin = cases[name][1]
        out, err = p.communicate(stdin.encode("utf-8") if stdin is not None else b"", timeout=120)
        done[name] = subprocess.CompletedProcess(p.args, p.returncode, out.decode("utf-8", "replace"),
                                                 err.decode("utf-8", "replace"))
    return done


def _prediction(r) -> str:
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith(("positive (p", "negative (p"))]
    assert len(lines) == 1, r.stdout
    return lines[0].split()[0]


def _one_line_error(r) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    return lines[0]


def test_predict_bad_inputs_in_a_subprocess(ckpt, tmp_path):
    """The inputs that must never give a traceback, each through a real ``python -m model predict``."""
    c = ["--checkpoint", str(ckpt)]
    png = tmp_path / "deep" / "long.png"
    cases = {
        "empty": (["", *c], None),
        "whitespace": (["  \n\t  ", *c], None),
        "only_br": (["<br /><br/><BR>", *c], None),
        "only_html": (["<p><b></b></p> <a href='x.html'></a>", *c], None),
        "long": ([" ".join(["great"] * 20_000), *c, "--attention", str(png)], None),
        "emoji": (["😀🎬🍿 great 👍", *c], None),
        "rtl": (["هذا الفيلم رائع جدا", *c], None),
        "control_only": (["\x01\x02\x07\x1b", *c], None),
        "nul_stdin": (["-", *c], "a wonderful\x00film\x00"),
        "unknown": (["zzyzx qwxrt plorf", *c], None),
    }
    r = _run_all(cases)
    for name in ("empty", "whitespace", "only_br", "only_html", "control_only"):
        assert "no words" in _one_line_error(r[name]), name
    _prediction(r["long"])
    assert "20,000 tokens; only the first 32 are read" in r["long"].stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _prediction(r["nul_stdin"]) == "positive"
    for name in ("emoji", "rtl", "unknown"):
        _prediction(r[name])
    for name in ("rtl", "unknown"):
        assert "warning: every word" in r[name].stdout, name
    assert "warning" not in r["emoji"].stdout


def _main(argv, capsys):
    code = main(["predict", *argv])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(argv, code, out, err)


def test_predict_command_in_process(ckpt, tmp_path, capsys, monkeypatch):
    import io

    c = ["--checkpoint", str(ckpt)]
    png = tmp_path / "att.png"
    assert _prediction(_main([GOOD[1], *c, "--attention", str(png)], capsys)) == "positive"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _prediction(_main(["awful acting, a boring and terrible story", *c], capsys)) == "negative"
    assert _prediction(_main(["great\x07 film\x1b!", *c], capsys)) == "positive"
    for text in ("סרט נהדר", "😀🎬🍿"):
        r = _main([text, *c], capsys)
        _prediction(r)
        assert "warning: every word" in r.stdout
    monkeypatch.setattr("sys.stdin", io.StringIO("\x00\x00 \x00"))
    assert "no words" in _one_line_error(_main(["-", *c], capsys))
    assert ".png" in _one_line_error(_main(["great", *c, "--attention", str(tmp_path / "a.txt")], capsys))
    assert "could not write" in _one_line_error(_main(["great", *c, "--attention", "/dev/null/x.png"], capsys))
    assert "no checkpoint" in _one_line_error(_main(["great", "--checkpoint", str(tmp_path / "none.pt")], capsys))
    assert not list(tmp_path.glob(".*.tmp"))


def test_classify_text_in_process(ckpt):
    model, vocab, config, _ = load_checkpoint(ckpt)
    res = classify_text(model, vocab, config, "best movie of the year!")
    assert res["label"] == "positive" and abs(float(res["probs"].sum()) - 1) < 1e-6
    assert res["weights"][0].shape == (2, 6, 6) and not res["all_unknown"]
    res = classify_text(model, vocab, config, "x " * 100)
    assert res["truncated"] and len(res["tokens"]) == 32 and res["n_total"] == 100
    from model.errors import TextError

    with pytest.raises(TextError):
        classify_text(model, vocab, config, "<br />\x00 \t")
