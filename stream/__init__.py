"""reprocut's runtime: decode a stream, encode frames with the ONNX Repro-VAE encoder, score cuts online."""


def __getattr__(name: str) -> str:
    """``__version__``, looked up (``importlib.metadata``, ~25 ms) only where it is read: not at every start-up."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("reprocut")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


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
