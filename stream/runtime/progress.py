"""Progress bars on stderr (tqdm): drawn only on a terminal, and log lines pass through them.

While a bar is drawn, every log record is written through tqdm (above the bar, which is then
redrawn), so no message is ever glued onto a half-drawn bar. ``-q`` hides every bar
(``SHOW = False``, set by the CLI).
"""

from __future__ import annotations

import sys
from contextlib import ExitStack

SHOW = True  # False: no bar at all (``reprocut -q``)


class Progress:
    """``Progress(total, "train")``, then ``update(n, loss=...)`` or ``set(count)``, and ``close()``.

    ``total`` None: a counter without a bar (a live stream has no end to measure against); ``show`` False:
    no bar (a caller that prints its own report, like ``bench``).
    """

    def __init__(self, total: int | None, label: str, initial: int = 0, unit: str = "it", show: bool = True):
        # imported here, not at the top: the CLI sets SHOW at every start, and tqdm takes ~0.1 s to import
        from tqdm import tqdm
        from tqdm.contrib.logging import logging_redirect_tqdm

        self.total, self.count = total, initial  # kept here too: a disabled tqdm counts nothing
        # disable=None: drawn only when stderr is a terminal
        self.bar = tqdm(total=total, desc=label, initial=initial, unit=unit, file=sys.stderr, disable=None if SHOW and show else True,
                        dynamic_ncols=True, mininterval=0.25, smoothing=0.1)
        self._redirect = ExitStack()
        if not self.bar.disable:
            self._redirect.enter_context(logging_redirect_tqdm())

    def update(self, n: int = 1, **fields: float) -> None:
        if fields:
            self.bar.set_postfix({k: f"{v:.4g}" for k, v in fields.items()}, refresh=False)
        self.count += n
        self.bar.update(n)

    def set(self, count: int, total: int | None = None) -> None:
        """Move to ``count`` (and, when the true total turns out different, end at it: ``total``)."""
        if total is not None and self.total is not None:
            self.total = self.bar.total = total
        self.update(count - self.count)

    def close(self) -> None:
        self.bar.close()
        self._redirect.close()
