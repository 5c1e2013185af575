"""Frame sources: files, pipes, network streams, capture devices and the generated demo.

``open_source(url)`` picks the kind; every kind is a ``core.contracts.Source`` that the runtime drives.
Each name is imported when first used (PEP 562), so a command that reads a file never imports the
network, device or demo sources (nor ``socket``).
"""

from importlib import import_module

# name -> the module of this package that defines it
_HOMES = {"DemoSource": "demo", "DeviceSource": "device", "FileSource": "file", "NetworkSource": "network",
          "PipeSource": "pipe", "SourceConfig": "base", "open_source": "open"}

__all__ = ["DemoSource", "DeviceSource", "FileSource", "NetworkSource", "PipeSource", "Source", "SourceConfig", "open_source"]


def __getattr__(name: str):
    if name == "Source":
        from ..core.contracts import Source

        return Source
    if name in _HOMES:
        return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
