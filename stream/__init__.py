"""reprocut's runtime: decode a stream, encode frames with the ONNX Repro-VAE encoder, score cuts online."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reprocut")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"


def detect(source=None, config=None, source_config=None):
    """Yield cut/stats/source/end events for ``source`` (path or URL; None: the demo stream)::

        from reprocut.stream import detect
        for event in detect("match.mp4"):
            if event.type == "cut":
                print(event.frame, event.time)

    ``config`` is a ``runtime.pipeline.PipelineConfig``, ``source_config`` a ``sources.SourceConfig``.
    """
    from .runtime.pipeline import Pipeline
    from .sources import open_source

    return Pipeline([open_source(source, source_config)], config).run()
