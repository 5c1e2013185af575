"""Frame sources: files, pipes, network streams, capture devices and the generated demo."""

from .base import Source, SourceConfig
from .open import open_source

__all__ = ["Source", "SourceConfig", "open_source"]
