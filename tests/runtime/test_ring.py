"""Ring buffer policies: files lose nothing, live sources drop the oldest and count it."""

import threading
import time

import numpy as np
from reprocut.stream.runtime.ring import FrameRing, RingConfig


def frame(i: int) -> np.ndarray:
    return np.full((64, 64, 3), i % 256, np.uint8)


def test_file_policy_waits_and_loses_nothing():
    ring = FrameRing(RingConfig(capacity=8))
    ring.add_producer()

    def produce():
        for i in range(100):
            assert ring.put(frame(i), i, i / 25, time.time(), block=True)
        ring.producer_done()

    t = threading.Thread(target=produce)
    t.start()
    got = []
    while (batch := ring.get_batch(5, max_delay=0.01)) is not None:
        got.extend(batch.index.tolist())
        assert all(int(p[0, 0, 0]) == i % 256 for p, i in zip(batch.pixels, batch.index))
        time.sleep(0.001)  # a slow consumer
    t.join()
    assert got == list(range(100))
    assert sum(ring.dropped.values()) == 0


def test_live_policy_drops_oldest_and_counts_per_stream():
    ring = FrameRing(RingConfig(capacity=4))
    ring.add_producer()
    for i in range(10):
        assert ring.put(frame(i), i, i / 25, 0.0, stream=1, block=False)
    assert ring.dropped[1] == 6
    ring.producer_done()
    batch = ring.get_batch(16, max_delay=0.0)
    assert batch.index.tolist() == [6, 7, 8, 9]
    assert ring.get_batch(16, max_delay=0.0) is None


def test_batch_goes_out_when_full_or_when_oldest_waited_max_delay():
    ring = FrameRing(RingConfig(capacity=64))
    ring.add_producer()
    for i in range(10):
        ring.put(frame(i), i, 0.0, 0.0, block=False)
    assert len(ring.get_batch(4, max_delay=10.0)) == 4  # full batch at once
    start = time.monotonic()
    batch = ring.get_batch(32, max_delay=0.05)  # 6 waiting, batch of 32 never fills
    assert len(batch) == 6 and time.monotonic() - start < 5.0
    assert len(ring.get_batch(32, max_delay=0.05, timeout=0.05)) == 0  # nothing ready: empty batch, not None


def test_close_releases_a_blocked_producer():
    ring = FrameRing(RingConfig(capacity=2))
    ring.add_producer()
    ring.put(frame(0), 0, 0.0, 0.0)
    ring.put(frame(1), 1, 0.0, 0.0)
    result = []
    t = threading.Thread(target=lambda: result.append(ring.put(frame(2), 2, 0.0, 0.0, block=True)))
    t.start()
    time.sleep(0.05)
    ring.close()
    t.join(timeout=5)
    assert result == [False]
    assert ring.get_batch(8, 0.0).index.tolist() == [0, 1]  # what was stored is still drained
    assert ring.get_batch(8, 0.0) is None


def test_streams_share_one_ring_and_keep_their_ids():
    ring = FrameRing(RingConfig(capacity=16))
    ring.add_producer()
    for i in range(6):
        ring.put(frame(i), i // 2, 0.0, 0.0, stream=i % 2)
    batch = ring.get_batch(6, 0.0)
    assert batch.stream.tolist() == [0, 1, 0, 1, 0, 1]
    assert batch.index[batch.stream == 1].tolist() == [0, 1, 2]
