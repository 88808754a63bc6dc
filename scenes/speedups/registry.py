"""The record of every attribute of manim the speed-ups replaced, so that all of it can be put back.

A speed-up's ``install`` changes manim only through :func:`replace`, which notes
``(owner, name, original)`` before it sets the new attribute, and hands anything it keeps
across frames (a cache, a list of what is playing) to :func:`on_uninstall`. :func:`restore`
then undoes the replacements newest first, so an attribute two speed-ups wrapped one after
the other (``_Fade.begin``) comes back as manim defined it, and empties what they kept.
"""
from __future__ import annotations

import functools
from collections.abc import Callable


class _Missing:
    """What an owner held for an attribute it only inherited: restoring it deletes the owner's own."""

    def __repr__(self) -> str:
        return "<inherited>"


MISSING = _Missing()

_patches: list[tuple[type, str, object]] = []  # (owner, name, owner.__dict__'s value before), oldest first
_installed: list[str] = []  # the speed-ups' names, in the order they were installed
_resets: list[Callable[[], None]] = []  # run by restore(), after the attributes are back


def replace(owner: type, name: str, new: object) -> object:
    """Set ``owner.name`` to ``new`` and note what it replaces.

    Parameters
    ----------
    owner
        The manim class patched.
    name
        The attribute's name.
    new
        What ``owner.name`` becomes.

    Returns
    -------
    object
        What ``owner.name`` was, inherited or not: the function ``new`` wraps.
    """
    current = getattr(owner, name)
    _patches.append((owner, name, owner.__dict__.get(name, MISSING)))
    setattr(owner, name, new)
    return current


def on_uninstall(reset: Callable[[], None]) -> None:
    """Have :func:`restore` call ``reset`` (e.g. a cache's ``clear``) once manim's attributes are back."""
    _resets.append(reset)


def speedup(install: Callable[[], None]) -> Callable[[], None]:
    """Make ``install`` a speed-up's idempotent ``install()``, recorded under its module's name.

    Parameters
    ----------
    install
        Applies the patches through :func:`replace`; called at most once until :func:`restore`.

    Returns
    -------
    Callable[[], None]
        The wrapper; its ``name`` attribute is the speed-up's name.
    """
    name = install.__module__.rpartition(".")[2]

    @functools.wraps(install)
    def once() -> None:
        if name not in _installed:
            install()
            _installed.append(name)

    once.name = name
    return once


def installed() -> tuple[str, ...]:
    """The names of the speed-ups installed now, in the order they were installed."""
    return tuple(_installed)


def patched() -> list[tuple[type, str]]:
    """Each ``(owner, name)`` replaced now, oldest first (an attribute wrapped twice appears twice)."""
    return [(owner, name) for owner, name, _ in _patches]


def manims_own(owner: type, name: str) -> object:
    """``owner.name`` as manim defines it, whatever the speed-ups have put there since."""
    for patched_owner, patched_name, original in _patches:  # the oldest record holds manim's own
        if patched_owner is owner and patched_name == name:
            if original is MISSING:
                return next(vars(base)[name] for base in owner.__mro__[1:] if name in vars(base))
            return original
    return getattr(owner, name)


def restore() -> None:
    """Put back every replaced attribute, newest first, then run the resets; nothing is installed after."""
    while _patches:
        owner, name, original = _patches.pop()
        if original is MISSING:
            delattr(owner, name)  # the owner inherited it: let it inherit again
        else:
            setattr(owner, name, original)
    while _resets:
        _resets.pop()()
    _installed.clear()
