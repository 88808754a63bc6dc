"""The chapter's side of the narration: how long each line is spoken, and when it starts.

``scripts/voice.py`` synthesises every narration line before the chapters render and
writes one manifest per chapter: for each caption line, the spoken text, its audio file
and its length in samples. A chapter process finds that manifest through
``$ATTENTION_VOICE``; without it (plain ``manim``, the scene tests, ``--voice none``) the
chapter is silent and each beat lasts the line's reading time, as captions alone need.

The chapter keeps its own clock in whole frames (:class:`FrameClock`), because manim's
``renderer.time`` advances by the nominal run time, while the video advances by the
frames actually written. Cue times and the start of each spoken line are read off this
clock, so they are the same on a cold render and on one that reuses manim's cached
animations, and two cues never overlap. The placements go to ``$ATTENTION_TIMELINE``
(a JSON list) for the render pipeline, which lays the audio track from them.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LEAD = 0.2  # s from a beat's start to its first word: the old caption is gone, the new one coming in
TAIL = 0.35  # s of quiet after a line's last word before the next beat may begin
WORDS_PER_SECOND = 2.6  # reading pace for a silent, captions-only beat


QUOTE_WORDS, QUOTE_CHARS = 8, 60  # how much of the review a line may quote


def review_fields(text: str) -> dict[str, str]:
    """What a line may quote of the review: ``{opening}``, its first words, as the caption shows them.

    Tags such as ``<br />`` are left out, and the quote stops after ``QUOTE_WORDS`` words or
    ``QUOTE_CHARS`` characters, so the caption keeps to two lines and a 20,000-word review
    costs the voice no more than a short one.
    """
    import re

    words = re.sub(r"<[^<>]{0,40}>", " ", text[:4000]).split()
    kept: list[str] = []
    for word in words[:QUOTE_WORDS]:
        if len(" ".join(kept + [word])) > QUOTE_CHARS:
            break
        kept.append(word)
    if not kept and words:  # one word longer than the whole quote
        kept = [words[0][: QUOTE_CHARS - 20]]
    opening = " ".join(kept) + ("…" if kept != words else "")
    return {"opening": f"“{opening}”" if kept else "nothing we can show"}


def fill(line: str, fields: dict[str, str]) -> str:
    """``line`` with its ``{field}`` names replaced (a line without any is returned as it is)."""
    return line.format_map(fields) if "{" in line else line


def reading_time(text: str) -> float:
    """Seconds a viewer needs to read ``text`` as a caption."""
    return max(2.0, len(text.split()) / WORDS_PER_SECOND)


@dataclass(frozen=True)
class Line:
    """One synthesised line: the words the voice said and where its audio is."""

    spoken: str
    wav: str
    samples: int
    rate: int

    @property
    def seconds(self) -> float:
        return self.samples / self.rate


class Voice:
    """The synthesised lines of one chapter, keyed by their caption text.

    Parameters
    ----------
    manifest
        The parsed manifest (``{"voice": ..., "lines": {caption: {...}}}``), or None for silence.
    """

    def __init__(self, manifest: dict | None = None):
        self.name = manifest.get("voice") if manifest else None
        self.lines = {k: Line(**v) for k, v in (manifest or {}).get("lines", {}).items()}

    @classmethod
    def from_env(cls) -> "Voice":
        """The manifest named by ``$ATTENTION_VOICE``, or a silent voice when it is unset."""
        path = os.environ.get("ATTENTION_VOICE")
        return cls(json.loads(Path(path).read_text(encoding="utf-8"))) if path else cls()

    @property
    def speaking(self) -> bool:
        return self.name is not None

    def line(self, caption: str) -> Line:
        """The audio of ``caption``; a line missing from the manifest is a pipeline bug, named."""
        try:
            return self.lines[caption]
        except KeyError:
            raise KeyError(f"no synthesised audio for the narration line {caption!r}; "
                           "scripts/voice.py collects every NARRATION line before rendering") from None


class FrameClock:
    """Counts the frames a chapter's plays write, exactly as manim 0.22's Cairo renderer does.

    A static wait is one frozen frame held ``int(duration / dt)`` times
    (``CairoRenderer.freeze_current_frame``); any other play draws one frame per step of
    ``np.arange(0, duration, dt)`` (``Scene.get_time_progression``). A cached play writes
    no frame in this process, but its segment holds the same count.
    """

    def __init__(self, fps: float):
        self.fps = float(fps)
        self.frames = 0

    def frames_for(self, duration: float, frozen: bool) -> int:
        dt = 1 / self.fps
        return int(duration / dt) if frozen else len(np.arange(0, duration, dt))

    def advance(self, duration: float, frozen: bool) -> None:
        self.frames += self.frames_for(duration, frozen)

    @property
    def seconds(self) -> float:
        return self.frames / self.fps

    def whole_frames(self, seconds: float) -> int:
        """The fewest frames that last at least ``seconds``."""
        return int(np.ceil(seconds * self.fps - 1e-9))


def write_timeline(placements: list[dict], fps: float, frames: int) -> None:
    """Write where each line was spoken to ``$ATTENTION_TIMELINE`` (atomically), if it is set."""
    path = os.environ.get("ATTENTION_TIMELINE")
    if not path:
        return
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.partial")
    tmp.write_text(json.dumps({"fps": fps, "frames": frames, "lines": placements}, indent=1), encoding="utf-8")
    os.replace(tmp, out)
