"""The base of every chapter: a title card, narrated beats, and asset access.

A chapter keeps its narration in one dict, ``NARRATION``, at the top of its file;
:meth:`ChapterScene.beat` shows a line as a caption at the bottom of the frame, has the
voice say it (``scenes/common/speech.py``), and records it as a subcaption, so each
rendered chapter gets an ``.srt`` beside it. A beat lasts as long as the longer of its
animations and its spoken line.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

from manim import DOWN, UP, FadeIn, FadeOut, Scene, Text, VGroup, Write, config, smooth

from model import claims, store
from scenes import speedups
from scenes.chapters import BY_CLASS

from .text import FONT, drawable, fit, label
from .palette import color
from .speech import LEAD, TAIL, FrameClock, Voice, fill, reading_time, review_fields, write_timeline

CAPTION_Y = -3.45  # centre of the caption band; keep content above y = -2.9
TITLE_Y = 3.35  # centre of a slide title; keep content below y = 2.9
CONTENT_TOP, CONTENT_BOTTOM = 2.9, -2.9
CAPTION_OUT, CAPTION_IN = 0.2, 0.25  # s: the old caption leaves, then the new one comes in
REPO = Path(__file__).resolve().parents[2]


def window(a: float, b: float):
    """A rate function that runs ``smooth`` over the part ``[a, b]`` of an animation and holds still outside it."""
    def rate(t: float) -> float:
        if t <= a:
            return 0.0
        if t >= b:
            return 1.0
        return smooth((t - a) / (b - a))

    return rate


class ChapterScene(Scene):
    """Subclasses set ``NARRATION`` and write ``construct``; a chapter of the registry
    (``scenes/chapters.py``) gets its ``NUMBER`` and ``TITLE`` from there, any other scene sets them."""

    NUMBER: int = 0
    TITLE: str = ""
    NARRATION: dict[str, str] = {}

    def setup(self):
        speedups.install()  # the renderer speed-ups (scenes/speedups); idempotent
        self.caption: VGroup | None = None
        self.heading: Text | None = None
        self.voice = Voice.from_env()
        self.clock = FrameClock(config.frame_rate)
        self.spoken: list[dict] = []  # where each line starts, for the audio track

    def play(self, *args, **kwargs):
        """manim's ``play``; the chapter's frame clock advances by the frames it writes."""
        super().play(*args, **kwargs)
        self.clock.advance(self.duration, self.is_current_animation_frozen_frame())

    def tear_down(self):
        write_timeline(self.spoken, self.clock.fps, self.clock.frames)
        super().tear_down()

    def __init_subclass__(cls, **kwargs):
        """A chapter in the registry (``scenes/chapters.py``) takes its number and title from there."""
        super().__init_subclass__(**kwargs)
        entry = BY_CLASS.get(cls.__name__)
        if entry:
            cls.NUMBER, cls.TITLE = entry.number, entry.title

    # --- data --------------------------------------------------------------------------
    def asset(self, name: str) -> dict:
        """An asset dict, checked against the manifest (``$ATTENTION_ASSETS`` or ``assets/``).

        A registered chapter may read only the assets its registry entry lists: those are
        what its render stamp covers.
        """
        entry = BY_CLASS.get(type(self).__name__)
        if entry and name not in entry.reads:
            raise store.AssetError(f"{entry.cls} reads asset '{name}', which its entry in scenes/chapters.py "
                                   f"does not list (it lists {', '.join(entry.reads)})")
        return store.load(name, needed_by=entry.cls if entry else "a chapter")

    def quoted(self) -> dict[str, str]:
        """The review's words a narration line may quote (``{opening}``), from ``dataset.pkl``."""
        if not hasattr(self, "_quoted"):
            self._quoted = review_fields(self.asset("dataset")["examples"][0]["text"])
        return self._quoted

    @property
    def said(self) -> claims.Said:
        """What this chapter's data makes true to say (:mod:`model.claims`), decided once."""
        if not hasattr(self, "_said"):
            name = next((c.__name__ for c in type(self).__mro__ if c.__name__ in BY_CLASS), type(self).__name__)
            self._said = claims.said(name, self.asset)
        return self._said

    def says(self, key: str) -> bool:
        """Whether line ``key`` is true of this chapter's data, so may be said."""
        return key in self.NARRATION and key not in self.said.off

    def line(self, key: str) -> str:
        """``NARRATION[key]`` with its fields filled in from the data.

        Raises
        ------
        ValueError
            When the data makes the line false (:mod:`model.claims`): it is never said.
        """
        if key in self.said.off:
            raise ValueError(f"{type(self).__name__}: line {key!r} is not true of this data, so it is not said")
        text = self.NARRATION[key]
        if "{" not in text:
            return text
        fields = {**self.said.fields, **(self.quoted() if "{opening}" in text else {})}
        return fill(text, fields)

    # --- framing -----------------------------------------------------------------------------
    def title_card(self) -> None:
        num = label(f"Chapter {self.NUMBER}", size=30, role="muted")
        title = label(self.TITLE, size=56)
        fit(title, 12.5)
        group = VGroup(num, title).arrange(DOWN, buff=0.3)
        self.play(FadeIn(num, shift=UP * 0.2), Write(title), run_time=1.2)
        self.wait(0.8)
        self.play(FadeOut(group), run_time=0.5)

    def set_heading(self, text: str) -> None:
        """A small heading at the top left, replaced by the next one."""
        new = label(text, size=30, role="muted")
        fit(new, 12)
        new.to_corner(UP + [-1, 0, 0], buff=0.35)
        if self.heading:  # out first, so the two never overlap in the same corner
            self.play(FadeOut(self.heading), run_time=0.25)
        self.play(FadeIn(new), run_time=0.35)
        self.heading = new

    def make_caption(self, text: str) -> VGroup:
        lines = textwrap.wrap(text, width=78)
        mob = VGroup(*[Text(drawable(line), font=FONT, font_size=26, color=color("text")) for line in lines])
        mob.arrange(DOWN, buff=0.12)
        fit(mob, 13.4, 0.95)
        mob.move_to([0, CAPTION_Y, 0])
        return mob

    # --- beats -------------------------------------------------------------------------------
    def beat(self, key: str, *animations, run_time: float = 1.5, hold: float | None = None) -> None:
        """Narration line ``NARRATION[key]`` with its animations, then a pause while it is said.

        The old caption leaves before the new one comes in, so two are never on screen
        together. The beat lasts as long as the longer of: the animations plus ``hold``
        (default: a short pause), and the spoken line plus a short lead and tail. Without
        a voice, the line's reading time stands in for its speech.
        """
        text = self.line(key)
        span = run_time if animations else CAPTION_OUT + CAPTION_IN
        caption = self.make_caption(text)
        swap = [FadeIn(caption, rate_func=window(CAPTION_OUT / span, (CAPTION_OUT + CAPTION_IN) / span))]
        if self.caption:
            swap.append(FadeOut(self.caption, rate_func=window(0, CAPTION_OUT / span)))
        start = self.clock.frames
        if self.voice.speaking:
            line = self.voice.line(text)
            least = span + (hold if hold is not None else 0.5)
            total = max(least, LEAD + line.seconds + TAIL)
            self.spoken.append({"caption": text, "spoken": line.spoken, "wav": line.wav, "samples": line.samples,
                                "rate": line.rate, "frame": start, "start": start / self.clock.fps + LEAD})
        else:
            total = span + (hold if hold is not None else max(0.6, reading_time(text) - span))
        self.play(*swap, *animations, run_time=span)
        self.caption = caption
        left = self.clock.whole_frames(total) - self.clock.frames_for(span, frozen=False)
        if left > 0:  # half a frame more: a frozen wait rounds its frames down, a moving one up
            self.wait((left + 0.5) / self.clock.fps)
        fps = self.clock.fps
        self.add_subcaption(text, duration=(self.clock.frames - start) / fps,
                            offset=start / fps - float(self.renderer.time))

    def clear_stage(self, run_time: float = 0.6, caption: bool = False) -> None:
        """Fade out everything but the heading, and the caption unless ``caption`` is True.

        With ``caption=True`` the caption goes with what it described: a caption left up over the
        emptied stage and the next heading would narrate a picture that is gone (the next beat
        brings its own caption).
        """
        keep = {id(self.heading)} if caption else {id(self.caption), id(self.heading)}
        gone = [m for m in self.mobjects if id(m) not in keep]
        if gone:
            self.play(*[FadeOut(m) for m in gone], run_time=run_time)
        if caption:
            self.caption = None

    def finish(self) -> None:
        """End of chapter: everything fades."""
        if self.mobjects:
            self.play(*[FadeOut(m) for m in self.mobjects], run_time=0.8)
        self.wait(0.3)


def source_lines(relpath: str, start: str, end: str | None = None, include_end: bool = True) -> str:
    """Lines of the project's own source, from the line containing ``start`` to the one containing ``end``.

    Reads the file as text (no import), so the scenes show what ``model/`` really says
    without importing torch. With ``end=None`` only the ``start`` line is returned.
    """
    lines = (REPO / relpath).read_text().splitlines()
    try:
        i = next(k for k, line in enumerate(lines) if start in line)
    except StopIteration:
        raise ValueError(f"{relpath} has no line containing {start!r}") from None
    if end is None:
        return lines[i].strip()
    j = next((k for k in range(i + 1, len(lines)) if end in lines[k]), len(lines) - 1)
    chunk = lines[i: j + 1 if include_end else j]
    return textwrap.dedent("\n".join(chunk))
