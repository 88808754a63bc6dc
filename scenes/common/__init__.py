"""Shared palette, mobjects and the chapter base class for every scene."""
from .chapter import CAPTION_Y, CONTENT_BOTTOM, CONTENT_TOP, ChapterScene, reading_time, source_lines
from .mobjects import (ELLIPSIS, FONT, MONO, AttentionLinks, Heatmap, TokenRow, ValueMatrix, bar, fit, fmt_number,
                       label, shape_tag, shorten, value_legend, weight_legend)
from .palette import HEX, color, sentiment_color, value_color, weight_color

__all__ = ["ChapterScene", "source_lines", "reading_time", "CAPTION_Y", "CONTENT_TOP", "CONTENT_BOTTOM",
           "ValueMatrix", "Heatmap", "TokenRow", "AttentionLinks", "weight_legend", "value_legend", "bar", "fit",
           "fmt_number",
           "label", "shape_tag", "shorten", "FONT", "MONO", "ELLIPSIS", "HEX", "color", "sentiment_color",
           "value_color", "weight_color"]
