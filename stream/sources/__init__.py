"""Frame sources: files, pipes, network streams, capture devices and the generated demo.

``open_source(url)`` picks the kind; every kind is a ``core.contracts.Source`` that the runtime drives.
"""

from ..core.contracts import Source
from .base import SourceConfig
from .demo import DemoSource
from .device import DeviceSource
from .file import FileSource
from .network import NetworkSource
from .open import open_source
from .pipe import PipeSource

__all__ = ["DemoSource", "DeviceSource", "FileSource", "NetworkSource", "PipeSource", "Source", "SourceConfig", "open_source"]
