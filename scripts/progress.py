"""Progress of a render: one overall line with what is rendering and an ETA."""
from __future__ import annotations

import shutil
import sys
import time


def fmt_eta(seconds: float) -> str:
    """``seconds`` as ``12m05s``."""
    seconds = max(0, int(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s"


def seconds_left(queued: list[str], running: dict[str, float], known: dict[str, float], finished: list[float],
                 first_guess: float, jobs: int) -> float:
    """Wall time still to go: each chapter's last render time if known, else the mean of the chapters
    finished in this run, else ``first_guess``; running chapters count what is left of theirs.

    ``running`` maps a chapter to the seconds it has run so far.
    """
    guess = sum(finished) / len(finished) if finished else first_guess

    def cost(cls: str) -> float:
        return known.get(cls) or guess

    work = sum(cost(c) for c in queued) + sum(max(0.0, cost(c) - ran) for c, ran in running.items())
    return work / max(1, jobs)


class Progress:
    """One overall line: done/total, what is rendering, and an ETA.

    Parameters
    ----------
    total
        Every chapter asked for, up-to-date ones included.
    done
        How many of them are done already (the up-to-date ones).
    """

    def __init__(self, total: int, done: int = 0):
        self.total, self.done, self.t0 = total, done, time.time()
        self.tty = sys.stderr.isatty()
        self.last_state = None

    def show(self, running: list[str], estimate_left: float) -> None:
        line = (f"[render] {self.done}/{self.total} chapters done"
                f" | now: {', '.join(running) or '-'} | ETA {fmt_eta(estimate_left)}")
        if self.tty:
            print("\r" + line[: shutil.get_terminal_size().columns - 1], end="\x1b[K", file=sys.stderr)
        elif (self.done, tuple(running)) != self.last_state:  # a log file: one line per change
            self.last_state = (self.done, tuple(running))
            print(line, file=sys.stderr)
        sys.stderr.flush()

    def end(self) -> None:
        if self.tty:
            print(file=sys.stderr)
