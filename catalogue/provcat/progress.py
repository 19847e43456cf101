"""Progress of long work on a terminal: how many done of how many, the rate and the time left.

Shown on standard error only when it is a terminal (``tqdm`` draws and redraws one line); when the
output is piped or redirected, or a report is asked for as JSON, nothing is written, so that logs
and scripts read exactly what they read before. The line is cleared when the work ends: the report
that follows stands alone.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from tqdm import tqdm

#: Seconds between redraws at most: a terminal line redrawn more often costs more than it tells.
REDRAW_SECONDS = 0.5


def on_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def has_width(stream: TextIO) -> bool:
    """Whether the terminal says how big it is: one opened without a size says 0 columns and 0 rows,
    and tqdm fits its line to that (nothing shown), so such a terminal gets 80 by 24."""
    try:
        return os.get_terminal_size(stream.fileno()).columns > 0
    except (AttributeError, OSError, ValueError):
        return False


class Progress:
    """A line of progress on ``stream`` (standard error), redrawn as the work goes on.

    Called with the count done so far and the total, it shows them with the rate and the time left:
    ``extracting:  45%|████▌     | 4500/10000 [00:10<00:12, 450 documents/s]``. Given
    the bytes read so far and the bytes expected too, it measures by bytes (one large file weighs
    what it costs) and gives the count beside them:
    ``verifying:  45%|████▌     | 1.20G/2.67G [00:10<00:12, 120MB/s, 4500 of 10000 files]``.

    Use it as a context manager; when ``stream`` is not a terminal (or ``enabled`` is False) it
    does nothing at all."""

    def __init__(self, what: str, unit: str, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.what, self.unit = what, unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and on_terminal(self.stream)
        self.bar: tqdm | None = None  # type: ignore[type-arg]

    def _open(self, total: int, by_bytes: bool) -> tqdm:  # type: ignore[type-arg]
        sized = has_width(self.stream)  # follow the terminal's width when it has one
        return tqdm(total=total, desc=self.what, file=self.stream, leave=False, mininterval=REDRAW_SECONDS,
                    dynamic_ncols=sized, ncols=None if sized else 80, nrows=None if sized else 24,
                    **({"unit": "B", "unit_scale": True, "unit_divisor": 1000} if by_bytes
                       else {"unit": f" {self.unit}"}))

    def __call__(self, done: int, total: int, read: int | None = None, expected: int | None = None) -> None:
        if not self.enabled:
            return
        by_bytes = read is not None and expected is not None
        now, most = (read, max(expected, read)) if by_bytes else (done, total)  # type: ignore[type-var]
        if self.bar is None:
            self.bar = self._open(most, by_bytes)
        elif most != self.bar.total:
            self.bar.total = most
        if by_bytes:
            self.bar.set_postfix_str(f"{done} of {total} {self.unit}", refresh=False)
        self.bar.update(now - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
