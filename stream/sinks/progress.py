"""A dependency-free progress bar on stderr, quiet when stderr is not a terminal unless forced."""

from __future__ import annotations

import sys
import time


class Progress:
    """Redraws one status line at most ``every`` seconds: ``Progress(total, "train").update(n, loss=..)``."""

    def __init__(self, total: int | None, label: str, every: float = 0.25, enabled: bool | None = None):
        self.total = total
        self.label = label
        self.every = every
        self.count = 0
        self.start = time.monotonic()
        self._last = 0.0
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def update(self, n: int = 1, **fields: object) -> None:
        self.count += n
        now = time.monotonic()
        if self.enabled and now - self._last >= self.every:
            self._last = now
            self._draw(now, fields)

    def _draw(self, now: float, fields: dict[str, object]) -> None:
        elapsed = max(now - self.start, 1e-9)
        rate = self.count / elapsed
        if self.total:
            done = min(self.count / self.total, 1.0)
            bar = "#" * int(done * 20)
            head = f"{self.label} [{bar:<20}] {self.count}/{self.total}"
        else:
            head = f"{self.label} {self.count}"
        extra = " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in fields.items())
        sys.stderr.write(f"\r{head} {rate:.1f}/s {extra}\x1b[K")
        sys.stderr.flush()

    def close(self, **fields: object) -> None:
        if self.enabled:
            self._draw(time.monotonic(), fields)
            sys.stderr.write("\n")
            sys.stderr.flush()
