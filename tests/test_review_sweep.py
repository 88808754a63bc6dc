"""True for any review: every data sentence, on the committed assets and on 300 real test reviews.

Each chapter's rule (:mod:`model.claims`) decides which of its lines are true of the data and fills
in their words and numbers; each chapter's truth check (``tests/truth_*.py``) restates what every
said line claims and checks it on the same assets, recomputed where it can be. The sweep runs
300 test reviews (tests/review_sweep.py: the shortest, the longest, reviews over 512 tokens, with
apostrophes, numbers, HTML, repeated words, odd lengths) through the text export and every
review chapter's rule and check, without rendering.

A larger sweep is a command: ``PYTHONPATH=. python tests/review_sweep.py 2000``.
"""
from __future__ import annotations

import functools
import re
import string

import pytest
import review_sweep
from truth_attention import TRUTH as ATTENTION
from truth_data import TRUTH as DATA
from truth_story import TRUTH as STORY

from model import claims
from model.tokenize import word_tokenize
from scenes.chapters import BY_CLASS, CHAPTERS, REVIEW_CHAPTERS
from scenes.common.speech import fill, review_fields
from scenes.common.spoken import for_voice, spoken, unspeakable
from scripts.voice import chapter_lines as read_lines

TRUTH = {**DATA, **ATTENTION, **STORY}
SWEEP = 300


@functools.lru_cache(maxsize=None)
def chapter_lines(stem: str) -> dict[str, str]:
    return read_lines(stem)


def fields_of(line: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(line) if name}


def check_review(assets: dict[str, dict], chapters=REVIEW_CHAPTERS) -> list[str]:
    """What is false or unfilled in the chapters' sentences for these assets: one string a problem."""
    problems = []
    for cls in chapters:
        entry = BY_CLASS[cls]

        def load(name: str, entry=entry) -> dict:
            if name not in entry.reads:
                raise AssertionError(f"the rule of {entry.cls} reads '{name}', outside its registry entry")
            return assets[name]

        try:
            said = claims.said(cls, load)
            quote = review_fields(assets["dataset"]["examples"][0]["text"])
            for key, line in chapter_lines(entry.stem).items():
                missing = fields_of(line) - set(said.fields) - {"opening"}
                if key in said.off:
                    continue
                if missing:
                    problems.append(f"{cls}[{key}] is said with {sorted(missing)} unfilled")
                    continue
                filled = fill(line, {**said.fields, **quote})
                voiced = for_voice(filled)
                if unspeakable(spoken(fill(line, said.fields | {"opening": ""}))) or re.search(r"\d", voiced):
                    problems.append(f"{cls}[{key}] is handed to the voice as {voiced!r}")
            assert said.off <= set(chapter_lines(entry.stem)), f"{cls} rules off lines it does not have"
            TRUTH[cls](assets, said)
        except AssertionError as exc:
            problems.append(f"{cls}: {exc}")
        except Exception as exc:  # a rule or a check that crashes on this review is a problem too
            problems.append(f"{cls} raised {type(exc).__name__}: {exc}")
    return problems


def test_every_chapter_with_data_sentences_has_a_rule_and_a_truth_check():
    assert set(claims.RULES) == set(TRUTH)
    assert set(REVIEW_CHAPTERS) <= set(claims.RULES)


def test_every_data_sentence_of_the_committed_video_is_true():
    assert check_review(review_sweep.committed(), [c.cls for c in CHAPTERS if c.cls in claims.RULES]) == []


@pytest.fixture(scope="module")
def sweep(imdb_dir, bpe_ready):
    return review_sweep.texts(SWEEP)


def test_the_sweep_spans_the_lengths_and_the_traits(sweep):
    lengths = [len(word_tokenize(t)) for _, t in sweep]
    everything = sorted(review_sweep._test_split()[1])
    assert len(sweep) >= SWEEP and len({i for i, _ in sweep}) == len(sweep)
    assert min(lengths) == everything[0] and max(lengths) == everything[-1]
    assert sum(n > review_sweep.LONG for n in lengths) >= 16 and sum(n % 2 for n in lengths) >= 16
    for name, trait in review_sweep.FEATURES.items():
        assert sum(trait(t) for _, t in sweep) >= 16, name


def test_every_sentence_said_is_true_for_300_test_reviews(sweep):
    failures = []
    for index, text in sweep:
        problems = check_review(review_sweep.assets_of(text))
        if problems:
            failures.append(f"test review {index}: " + "; ".join(problems[:3]))
    assert not failures, f"{len(failures)} of {len(sweep)} reviews:\n" + "\n".join(failures[:10])
