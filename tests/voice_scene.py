"""A two-chapter stand-in for the voice tests: short, with known animation lengths.

    ATTENTION_VOICE=manifest.json ATTENTION_TIMELINE=out.json manim -ql tests/voice_scene.py Short

``Short``'s first beat has a long animation and a short line, its second a short
animation and a long line, its third no animation; ``Other`` is a second chapter to join.
"""
from __future__ import annotations

from manim import Circle, FadeIn, Square

from scenes.common import ChapterScene

NARRATION = {
    "long_anim": "Two words.",
    "long_line": "This line has many more words than its animation has seconds to show them in, so the beat waits.",
    "bare": "A beat with no animation at all.",
}
OTHER = {"one": "The second chapter speaks once.", "two": "And then once more, to end."}


class Short(ChapterScene):
    NUMBER, TITLE, NARRATION = 1, "Short", NARRATION
    RUN_TIMES = {"long_anim": 3.0, "long_line": 0.5}

    def construct(self):
        sq = Square()
        self.beat("long_anim", FadeIn(sq), run_time=self.RUN_TIMES["long_anim"])
        self.beat("long_line", sq.animate.shift([1, 0, 0]), run_time=self.RUN_TIMES["long_line"])
        self.beat("bare")
        self.play(FadeIn(Circle()), run_time=0.4)
        self.finish()


class Other(ChapterScene):
    NUMBER, TITLE, NARRATION = 2, "Other", OTHER

    def construct(self):
        self.beat("one", FadeIn(Square()), run_time=1.0)
        self.beat("two")
        self.finish()
