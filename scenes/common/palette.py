"""One palette for the whole video. Every colour has one meaning, everywhere.

Colours are kept as hex strings and turned into manim colours by :func:`color`
when a mobject is made, so importing this module does no manim work.
"""
from __future__ import annotations

import numpy as np

HEX = {
    # roles that keep their colour in every chapter
    "query": "#F2B134",  # Q, and anything derived from queries
    "key": "#4DA3FF",  # K
    "value": "#6CCB76",  # V
    "positive": "#39C3A8",  # positive sentiment
    "negative": "#F0605D",  # negative sentiment
    "position": "#C77DFF",  # positional embedding P
    "token": "#E6EAF0",  # a token's text
    "pad": "#6B7380",  # <pad>, masked or ignored things
    "unk": "#D98E4A",  # <unk>
    "accent": "#FFD166",  # the one thing to look at now
    # text and surfaces
    "text": "#F4F6F8",
    "muted": "#9AA4B2",
    "panel": "#1B222B",
    "grid": "#3A4452",
    "background": "#101418",
}

# The weight colour map: 0 is the panel colour, 1 is bright gold, through a warm red.
WEIGHT_STOPS = ["#1B222B", "#5B2A5E", "#B8424A", "#F08A3C", "#FFE08A"]
# The diverging map for signed values: negative blue, zero dark, positive orange.
DIVERGING_STOPS = ["#3F8EFC", "#22303F", "#F2994A"]


def color(name: str):
    """The manim colour for a role in :data:`HEX`."""
    from manim import ManimColor

    return ManimColor(HEX[name])


def _interp(stops: list[str], t: float):
    from manim import ManimColor, interpolate_color

    t = float(np.clip(t, 0.0, 1.0)) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    return interpolate_color(ManimColor(stops[i]), ManimColor(stops[i + 1]), t - i)


def weight_color(w: float):
    """Colour of an attention weight in [0, 1]."""
    return _interp(WEIGHT_STOPS, w)


def value_color(v: float, vmax: float):
    """Colour of a signed value, scaled so that ``±vmax`` reaches the ends of the map."""
    vmax = vmax if vmax > 0 else 1.0
    return _interp(DIVERGING_STOPS, 0.5 + 0.5 * float(v) / vmax)


def sentiment_color(label: int):
    """Positive or negative; a review nobody labelled (label -1, from render.sh --text) is muted."""
    label = int(label)
    return color("positive" if label == 1 else "negative" if label == 0 else "muted")
