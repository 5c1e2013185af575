"""A v4l2 capture device (``/dev/videoN``): live, opened with the v4l2 demuxer, reopened when it drops out."""

from __future__ import annotations

from .network import NetworkSource


class DeviceSource(NetworkSource):
    """A camera or capture card; the live policy and reconnects are the network source's."""

    demuxer = "v4l2"
