"""The scene kit every chapter shares: the chapter base class, the palette, and small modules of one
concept each. Chapters import from here (``from scenes.common import ...``), never from another chapter.

* ``chapter``: :class:`ChapterScene`, the base (title card, beats, captions, assets)
* ``palette``: the colours and what each one means
* ``formats``: how numbers are written (:func:`fmt`) and rounded for display
* ``text``: labels, shortening, fitting, shapes
* ``typeset``: the baseline aligner, lines of text, paragraphs
* ``matrices``: :class:`ValueMatrix` and what is drawn with it
* ``heatmaps``: :class:`Heatmap`, colour keys, value strips
* ``tokens``: :class:`TokenRow`, wrapped token grids, links between tokens
* ``layout``: formulas, titled blocks, outlines, bars, code on screen
* ``live``: mobjects that change every frame, cheaply
"""
from .chapter import CAPTION_Y, CONTENT_BOTTOM, CONTENT_TOP, ChapterScene, reading_time, source_lines
from .formats import digits_for, fmt, nice_step, shared_digits
from .heatmaps import (LABEL_PITCH, Heatmap, contrast, head_strips, ink_on, stride_note, token_heatmap, value_legend,
                       weight_legend)
from .layout import bar, code_block, code_size, ring, tex, titled
from .live import Live, MonoReadout
from .matrices import PAIR_GAP, PAIR_X, ValueMatrix, col_labels, output_pair, place_like, row_box, vmatrix
from .palette import HEX, color, sentiment_color, value_color, weight_color
from .text import ELLIPSIS, FONT, MONO, fit, label, shape_tag, shorten, stack_lines, text_mob
from .tokens import AttentionLinks, TokenRow, link_path, token_grid, wrap_rows
from .typeset import baseline, cut_lines, paragraph, sit_on_baseline, text_line

__all__ = [
    # the base
    "ChapterScene", "source_lines", "reading_time", "CAPTION_Y", "CONTENT_TOP", "CONTENT_BOTTOM",
    # palette
    "HEX", "color", "sentiment_color", "value_color", "weight_color",
    # numbers
    "fmt", "digits_for", "shared_digits", "nice_step",
    # text
    "FONT", "MONO", "ELLIPSIS", "label", "text_mob", "shorten", "fit", "shape_tag", "stack_lines",
    "baseline", "sit_on_baseline", "text_line", "cut_lines", "paragraph",
    # matrices
    "ValueMatrix", "vmatrix", "col_labels", "place_like", "row_box", "output_pair", "PAIR_X", "PAIR_GAP",
    # heatmaps
    "Heatmap", "token_heatmap", "stride_note", "LABEL_PITCH", "weight_legend", "value_legend", "head_strips",
    "contrast", "ink_on",
    # tokens
    "TokenRow", "wrap_rows", "token_grid", "AttentionLinks", "link_path",
    # layout
    "tex", "titled", "ring", "bar", "code_block", "code_size",
    # live
    "Live", "MonoReadout",
]
