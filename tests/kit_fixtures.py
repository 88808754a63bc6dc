"""What the kit tests (``test_kit_*.py``) share: a private media folder and a colour's hex.

A test module takes the fixture by importing it: ``from kit_fixtures import hex_of, private_media``.
"""
from __future__ import annotations

import pytest
from manim import tempconfig


@pytest.fixture(scope="module", autouse=True)
def private_media(tmp_path_factory):
    """Texts are cached as SVG files under the media folder: use a private one (renders run alongside)."""
    with tempconfig({"media_dir": str(tmp_path_factory.mktemp("media"))}):
        yield


def hex_of(c) -> str:
    """A manim colour as lower-case ``#rrggbb``, to compare colours exactly."""
    return c.to_hex().lower()
