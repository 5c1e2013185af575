"""Cut thumbnails: small JPEGs in the source's shape, a bounded store, served through the hub's messages."""

from __future__ import annotations

import io

import av
import numpy as np
from helpers import STREAM_INFO, cut_event
from reprocut.stream.sinks.server.hub import Hub
from reprocut.stream.sinks.server.thumbs import ThumbConfig, ThumbStore, encode_jpeg


def test_thumbnails_are_small_jpegs_kept_within_bounds():
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    store = ThumbStore(ThumbConfig(thumbnails=3, width=128))
    hub = Hub([STREAM_INFO], "m", thumbs=store)
    for f in range(5):
        msg = hub.publish(cut_event(f, frame))
        assert msg["thumbnail"] == f"/thumbs/0/{f}.jpg"
    assert len(store) == 3 and store.jpeg("0", 1) is None
    data = store.jpeg("0", 4)
    assert data[:2] == b"\xff\xd8" and len(data) < 20_000
    with av.open(io.BytesIO(data)) as c:
        decoded = next(c.decode(video=0))
    assert (decoded.width, decoded.height) == (128, 72)  # the 640x360 source's shape, not the model's square
    assert hub.publish(cut_event(9, None))["thumbnail"] is None  # paper mode has no pixels
    flat = np.full((64, 64, 3), 200, np.uint8)
    back = next(av.open(io.BytesIO(encode_jpeg(flat, 64, 64))).decode(video=0)).to_ndarray(format="rgb24")
    assert abs(float(back.mean()) - 200) < 4
