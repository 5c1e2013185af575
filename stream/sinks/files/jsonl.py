"""JSON lines: one object per event on stdout, flushed at once, for whatever reads ``detect --jsonl``."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from ...core.events import Event


class JsonLines:
    """Writes each event's wire form (``Event.to_dict()``) as one line; ``stats`` events only when asked."""

    def __init__(self, out: TextIO | None = None, stats: bool = False):
        self.out = out  # None: sys.stdout at the time of writing
        self.stats = stats

    def on_event(self, event: Event) -> None:
        if event.type != "stats" or self.stats:
            out = self.out or sys.stdout
            out.write(json.dumps(event.to_dict()) + "\n")
            out.flush()  # a reader sees each cut as it happens

    def close(self) -> None:
        pass
