"""Which narration lines are true of the data, and the words and numbers they say.

A chapter's ``NARRATION`` holds its lines as text; a line that states a fact about the
data or the model is either a template, whose ``{fields}`` come from the assets, or one of
several alternatives, of which a test of the assets keeps only the true ones. This package
holds those rules, one function per chapter, each a function of the chapter's own assets
(the ones its entry in ``scenes/chapters.py`` lists) and nothing else. No torch, no manim:
the rules run on any review's assets without rendering, which is how the tests sweep
hundreds of real reviews through them.

Use::

    from model import claims, store
    said = claims.said("Ch12Classification", lambda name: store.load(name))
    said.fields["n_examples"], "pad_check" in said.off

The scenes (``ChapterScene.says``/``beat``) and the voice (``scripts/voice.py``) both ask
here, so what is shown, what is said and what is tested are one decision.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Load = Callable[[str], dict]


@dataclass(frozen=True)
class Said:
    """What one chapter says of its data.

    Attributes
    ----------
    fields
        The text each ``{name}`` in a line becomes.
    off
        The ``NARRATION`` keys that are not true of this data, so never said.
    facts
        The measurements the choice was made from (numbers, words), for the tests and the docs.
    """

    fields: dict[str, str] = field(default_factory=dict)
    off: frozenset[str] = frozenset()
    facts: dict[str, object] = field(default_factory=dict)


RULES: dict[str, Callable[[Load], Said]] = {}


def rule(cls: str):
    """Register the function that decides chapter ``cls``'s data sentences."""
    def register(fn: Callable[[Load], Said]) -> Callable[[Load], Said]:
        RULES[cls] = fn
        return fn

    return register


def said(cls: str, load: Load) -> Said:
    """What chapter ``cls`` says of the assets ``load(name)`` returns (nothing to decide: ``Said()``)."""
    fn = RULES.get(cls)
    return fn(load) if fn else Said()


def pick(options: dict[str, bool]) -> frozenset[str]:
    """The keys of ``options`` whose test is false: the lines left unsaid."""
    return frozenset(k for k, true in options.items() if not true)


def count_words(n: int, one: str, many: str | None = None) -> str:
    """``n`` with its noun: "1 token", "3 tokens" (the voice says the digits as words)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def quoted(word: str, most: int | None = None) -> str:
    """“word”, in curly quotes; cut to ``most`` characters with an ellipsis when given: “extraordinaril…”."""
    w = str(word)
    return f"“{w if most is None or len(w) <= most else w[:most - 1] + '…'}”"


def listed(items: list[str]) -> str:
    """"a, b and c" ("" for none)."""
    return "" if not items else items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


from . import attention, data, story  # noqa: E402,F401  (each registers its chapters' rules)
