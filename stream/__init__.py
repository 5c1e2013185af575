"""reprocut's runtime: decode a stream, encode frames with the ONNX Repro-VAE encoder, score cuts online."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reprocut")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"


def detect(source=None, config=None):
    """Yield cut/stats/source/end events for ``source`` (path or URL; None: the demo). See ``runtime.pipeline.detect``."""
    from .runtime.pipeline import detect as _detect

    return _detect(source, config)
