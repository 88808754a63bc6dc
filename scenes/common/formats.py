"""How numbers are written on screen: one formatter, :func:`fmt`, with named styles, and the
choices that go with it (how many decimals an array needs, a round spacing for axis ticks).

Standard library and numpy only: no manim work happens here.
"""
from __future__ import annotations

import math

import numpy as np

STYLES = ("fixed", "clean", "auto", "tick", "shape")


def fmt(value, style: str = "fixed", *, digits: int = 2, step: float | None = None) -> str:
    """A number (or a shape) as text, in one of the project's styles, never with a negative zero.

    Parameters
    ----------
    value
        A real number (Python or numpy). For ``style="shape"``: the sizes of an array's axes,
        a sequence of ints or strings.
    style
        ``"fixed"``
            ``digits`` decimals: ``0.123 -> '0.12'``, ``2 -> '2.00'``, ``-0.001 -> '0.00'``.
        ``"clean"``
            Like ``"fixed"``, without trailing zeros: ``8.0 -> '8'``, ``6.928 -> '6.93'``.
        ``"auto"``
            Readable at any scale: ``0.12``, ``0.0031``, ``3,437``, ``4.65e+05``, ``6.3e-06``.
        ``"tick"``
            An axis tick: thousands grouped, and as many decimals as the ticks' spacing ``step``
            needs: ``1,000`` for a step of 500, ``0.25`` for a step of 0.05.
        ``"shape"``
            The sizes joined by multiplication signs: ``(1, 5, 64) -> '1 × 5 × 64'``.
    digits
        Decimals for ``"fixed"`` and ``"clean"``.
    step
        The spacing of the ticks, for ``"tick"`` (required there).

    Returns
    -------
    str
        The text. A value that rounds to zero is written without a minus sign.

    Raises
    ------
    ValueError
        For an unknown style, or ``"tick"`` without a ``step``.
    """
    if style == "shape":
        return " × ".join(str(d) for d in value)
    if style == "fixed":
        text = f"{float(value):.{digits}f}"
    elif style == "clean":
        text = fmt(value, digits=digits)
        text = text.rstrip("0").rstrip(".") if "." in text else text
    elif style == "auto":
        text = _auto(float(value))
    elif style == "tick":
        if step is None:
            raise ValueError("fmt(..., style='tick') needs the ticks' step")
        decimals = max(0, -int(math.floor(math.log10(step)))) if step < 1 else 0
        text = f"{float(value):,.{decimals}f}"
    else:
        raise ValueError(f"unknown number style {style!r}; one of {', '.join(STYLES)}")
    return _no_negative_zero(text)


def _auto(v: float) -> str:
    """The ``"auto"`` style: fixed decimals in the middle range, grouped thousands, else exponents."""
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1e5:
        return f"{v:.2e}"
    if a >= 1e3:
        return f"{v:,.0f}"
    if a >= 0.01:
        return fmt(v, digits=2)
    if a >= 1e-4:
        return f"{v:.4f}"
    return f"{v:.1e}"


def _no_negative_zero(text: str) -> str:
    """``text`` without its minus sign when the number it writes is zero (``'-0.00' -> '0.00'``)."""
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        return text[1:]
    return text


def digits_for(arr) -> int:
    """Decimals that give the largest value of ``arr`` two or three significant figures (1 to 3)."""
    top = float(np.abs(np.asarray(arr, dtype=float)).max()) if np.size(arr) else 0.0
    if top == 0:
        return 2
    return int(np.clip(2 - math.floor(math.log10(top)), 1, 3))


def shared_digits(*arrays) -> int:
    """One number of decimals for matrices shown together: :func:`digits_for` of all their values,
    so that side by side their cells have one width and their brackets line up."""
    values = [np.ravel(np.asarray(a, dtype=float)) for a in arrays]
    return digits_for(np.concatenate(values) if values else np.zeros(0))


def nice_step(span: float, n: int = 4) -> float:
    """A round tick spacing (1, 2 or 5 times a power of ten) giving about ``n`` ticks over ``span``.

    Parameters
    ----------
    span
        The length of the axis, in data units (greater than zero).
    n
        About how many ticks are wanted; the step is the smallest round one no shorter than ``span / n``.

    Returns
    -------
    float
        The step, such as 0.2, 50 or 1000.
    """
    raw = span / max(1, n)
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


__all__ = ["STYLES", "fmt", "digits_for", "shared_digits", "nice_step"]
