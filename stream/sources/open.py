"""``open_source(url)``: the one place that turns what a user typed into a source of the right kind.

Each kind's module is imported when that kind is opened: reading a file imports neither the network
(``socket``) nor the demo's renderer.
"""

from __future__ import annotations

from urllib.parse import urlparse

from ..core.contracts import Source
from ..core.errors import UsageError
from .base import SourceConfig

LIVE_SCHEMES = {"rtsp", "rtsps", "rtmp", "rtmps", "http", "https", "udp", "rtp", "srt", "tcp", "hls"}
DEMO = "demo://"
DEVICE = "/dev/video"
STDIN = "-"


def is_live_url(url: str) -> bool:
    """Network URLs and capture devices are live. A pipe is not: backpressure through it loses nothing."""
    return url.startswith(DEVICE) or urlparse(url).scheme.lower() in LIVE_SCHEMES


def check_source(url: str) -> None:
    """Reject a URL scheme that no source reads, before any thread starts (one clear line for the user)."""
    if url == STDIN or url.startswith((DEMO, DEVICE)):
        return
    scheme = urlparse(url).scheme.lower()
    if len(scheme) > 1 and scheme != "file" and scheme not in LIVE_SCHEMES:  # one letter: a Windows drive
        raise UsageError(f"{url}: unsupported URL scheme {scheme!r} (use a file, - for stdin, /dev/videoN, {DEMO} "
                         f"or {', '.join(s + '://' for s in sorted(LIVE_SCHEMES))})")


def open_source(url: str | None, cfg: SourceConfig | None = None) -> Source:
    """A source for a path, URL, ``/dev/videoN``, ``-`` (stdin) or ``demo://`` (None: the demo).

    ``cfg.live`` (None: live for network URLs and devices) picks the policy: anything not live
    is read as a file or pipe, anything live through the network source's reconnect loop.
    User mistakes (a missing file, an unknown scheme) raise ``UsageError`` here, before any
    thread starts or any model loads.
    """
    url, cfg = url or DEMO, cfg or SourceConfig()
    check_source(url)
    if url.startswith(DEMO):
        from .demo import DemoSource

        return DemoSource(url, cfg)
    live = cfg.live if cfg.live is not None else is_live_url(url)
    if not live:
        if url == STDIN:
            from .pipe import PipeSource

            return PipeSource(cfg)
        from .file import FileSource

        return FileSource(url, cfg)  # its probe rejects missing and non-video files
    if url.startswith(DEVICE):
        from .device import DeviceSource

        return DeviceSource(url, cfg)
    from .network import NetworkSource

    if not is_live_url(url):  # a file read as live: rejected now if it cannot be read, as a FileSource would be
        from .decode import open_video
        from .file import local_path

        open_video(local_path(url)).close()
    return NetworkSource(url, cfg, local=not is_live_url(url))
