"""``open_source(url)``: the one place that turns what a user typed into a source."""

from __future__ import annotations

from .base import DEMO, Source, SourceConfig


def open_source(url: str | None, cfg: SourceConfig | None = None) -> Source:
    """A source for a path, URL, ``/dev/videoN``, ``-`` (stdin) or ``demo://`` (None: the demo).

    User mistakes (a missing file, an unknown scheme) raise ``UsageError`` here, before any
    thread starts or any model loads.
    """
    return Source(url or DEMO, cfg or SourceConfig())
