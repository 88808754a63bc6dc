"""Hear what the voice said: each synthesised line through an English speech recogniser.

    .venv/bin/python -m scripts.hear                 # every line of every chapter, worst first
    .venv/bin/python -m scripts.hear Ch06SelfAttention --all

pocketsphinx (its English model ships inside the wheel) transcribes each cached line and
the words it heard are matched against the words the voice was given. The recogniser is
rough even on clean speech, so a low score means "listen to this one", not "this is
wrong": compare lines with each other. Reads the manifests that ``render.sh`` (or
``python -m scripts.voice``) wrote under ``media/voice/``.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def transcribe(wav: str, decoder) -> str:
    """What pocketsphinx hears in one cache entry (resampled to its 16 kHz)."""
    import numpy as np
    from scipy.signal import resample_poly

    from scripts.soundtrack import read_wav

    data, rate = read_wav(wav)
    pcm = (np.clip(resample_poly(data, 16000, rate), -1, 1) * 32767).astype("<i2").tobytes()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp else ""


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.hear", description=__doc__.split("\n\n")[0])
    p.add_argument("chapters", nargs="*", help="chapter classes (default: every manifest found)")
    p.add_argument("--all", action="store_true", help="print every line, not only the ten worst")
    args = p.parse_args(argv)
    folder = Path(os.environ.get("ATTENTION_MEDIA") or ROOT / "media") / "voice"
    manifests = sorted(folder.glob("*.json"))
    manifests = [m for m in manifests if not args.chapters or m.stem in args.chapters]
    if not manifests:
        print(f"hear: no voice manifests in {folder}; run ./render.sh or python -m scripts.voice first",
              file=sys.stderr)
        return 2
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=16000, loglevel="FATAL")
    scored = []
    for manifest in manifests:
        for line in json.loads(manifest.read_text())["lines"].values():
            heard = transcribe(line["wav"], decoder)
            score = difflib.SequenceMatcher(None, words(line["spoken"]), words(heard)).ratio()
            scored.append((score, manifest.stem, line["spoken"], heard))
    scored.sort()
    for score, chapter, said, heard in scored if args.all else scored[:10]:
        print(f"{score:.2f}  {chapter}\n      said:  {said}\n      heard: {heard}")
    mean = sum(s for s, *_ in scored) / len(scored)
    print(f"{len(scored)} lines; mean word match {mean:.2f} (the recogniser's own errors included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
