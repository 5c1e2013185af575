"""Decoding media straight to small RGB arrays with PyAV.

Scaling to the target size in swscale (``RGBScaler``, one context reused) is far cheaper than
decoding full frames and resizing them, which matters because decoding is a large share of the
detector's work. Training and detection both decode through here, so the model sees frames
prepared exactly as they were in training.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from ..core.errors import UsageError

log = logging.getLogger(__name__)

FRAME_SIZE = 64
VIDEO_EXTENSIONS = {".mp4", ".mkv", ".webm", ".mov", ".avi", ".ts", ".m2ts", ".mts", ".flv", ".m4v", ".mpg", ".mpeg", ".wmv", ".ogv", ".y4m", ".gif"}
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}


@dataclass(frozen=True)
class DecodedFrame:
    """One decoded frame: its 0-based decoded index, presentation time (s) and pixels (H, W, 3 uint8)."""

    index: int
    time: float
    rgb: np.ndarray


class RGBScaler:
    """Scales decoded frames to ``width`` x ``height`` RGB (swscale, bilinear; square by default), one scaling
    context for all of them.

    ``frame.to_ndarray(width=..., height=...)`` builds a new scaling context for every frame, with a
    thread pool of its own (swscale's automatic threads): ~1-3 ms a frame whatever its size, more
    than decoding it. One context on one thread gives the same pixels in 0.05-0.6 ms (160x90 to
    1280x720; BENCHMARKS.md, "Scaling"). Not thread-safe: one per decoding loop.
    """

    def __init__(self, width: int = FRAME_SIZE, height: int | None = None):
        self.width, self.height = width, height or width
        self._reformatter = VideoReformatter()

    def __call__(self, frame: av.VideoFrame) -> np.ndarray:
        return self._reformatter.reformat(frame, width=self.width, height=self.height, format="rgb24", threads=1).to_ndarray()


def frame_time(frame: av.VideoFrame, index: int, fallback_fps: float) -> float:
    """Presentation time in seconds; streams without timestamps fall back to index / fps."""
    if frame.pts is not None and frame.time_base is not None:
        return float(frame.pts * frame.time_base)
    return index / fallback_fps


def stream_fps(stream: av.video.stream.VideoStream, default: float = 25.0) -> float:
    """Nominal frame rate of a video stream, or ``default`` when the container does not say."""
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    try:
        value = float(rate) if rate else 0.0
    except (ZeroDivisionError, TypeError):
        value = 0.0
    return value if 0.0 < value < 1000.0 else default


def reason(exc: BaseException) -> str:
    """FFmpeg's reason for a failure, without PyAV's errno and path: 'invalid data found when processing input'."""
    return (getattr(exc, "strerror", None) or "unknown format").lower()


def open_video(path: str) -> av.container.InputContainer:
    """Open a local media file that must hold a video stream; user mistakes become UsageError."""
    if not os.path.exists(path):
        raise UsageError(f"{path}: no such file or directory")
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory, expected a video file")
    if os.path.getsize(path) == 0:
        raise UsageError(f"{path}: file is empty")
    try:
        container = av.open(path)
    except (av.FFmpegError, UnicodeDecodeError) as exc:
        if _mp4_without_index(path):
            raise UsageError(f"{path}: truncated MP4: its index (the 'moov' box) is missing, so no frame can be located "
                             "(an unfinished recording? record with -movflags +faststart or fragmented MP4)") from None
        log.debug("%s: %r", path, exc)  # -vv: PyAV's own words
        raise UsageError(f"{path}: not a readable video ({reason(exc)})") from None
    if not container.streams.video:
        container.close()
        raise UsageError(f"{path}: has no video stream")
    if container.format.name.endswith("_pipe") or container.format.name == "image2":
        name = container.format.name
        container.close()  # one still picture decodes as a one-frame "video": say what it is instead
        raise UsageError(f"{path}: is a still image ({name}), not a video")
    return container


def _mp4_without_index(path: str) -> bool:
    """True for an ISO-BMFF file (ftyp first) whose top-level boxes hold no 'moov': cut off before its index."""
    boxes: list[bytes] = []
    with open(path, "rb") as f:
        size_left = os.path.getsize(path)
        while size_left >= 8 and len(boxes) < 64:
            header = f.read(8)
            size, kind = int.from_bytes(header[:4], "big"), header[4:8]
            head = 8
            if size == 1:
                size, head = int.from_bytes(f.read(8), "big"), 16
            boxes.append(kind)
            if size == 0 or size < head or size > size_left:
                break  # runs to the end of the file (or past it: truncated)
            f.seek(size - head, os.SEEK_CUR)
            size_left -= size
    return bool(boxes) and boxes[0] == b"ftyp" and b"moov" not in boxes


def iter_video(path: str, size: int = FRAME_SIZE, stride: int = 1) -> Iterator[DecodedFrame]:
    """Yield every ``stride``-th decoded frame of a local video at ``size`` x ``size``.

    Damaged packets are skipped and logged with their position, so a partly corrupt file
    still yields what is readable.
    """
    container = open_video(path)
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        fps = stream_fps(stream)
        index = 0
        packet_end = None
        to_rgb = RGBScaler(size)
        for packet in container.demux(stream):
            packet_end = latest_end(packet, packet_end)
            try:
                frames = packet.decode()
            except av.FFmpegError as exc:
                position = float(packet.pts * packet.time_base) if packet.pts is not None and packet.time_base else None
                log.warning("%s: skipping damaged data near %s s (after frame %d): %s", path, position, index, exc)
                continue
            for frame in frames:
                if index % stride == 0:
                    yield DecodedFrame(index, frame_time(frame, index, fps), to_rgb(frame))
                index += 1
        announced = missing_tail(stream, packet_end, fps)
        if announced is not None:
            log.warning("%s: data ends at %.3f s (after frame %d) but the file announces %.3f s: truncated? "
                        "the %d readable frames were used", path, packet_end, index, announced, index)


def latest_end(packet: av.Packet, end: float | None) -> float | None:
    """The later of ``end`` and where ``packet`` ends (s): how far a file's data really goes."""
    if packet.pts is None or not packet.time_base:
        return end
    here = float((packet.pts + (packet.duration or 0)) * packet.time_base)
    return here if end is None else max(end, here)


def missing_tail(stream: av.video.stream.VideoStream, data_end: float | None, fps: float) -> float | None:
    """The duration a file's header announces when its data stops well short of it (a cut-off copy), else None.

    Frame counts are no test: an edit list can legitimately hide frames the header counts.
    """
    if data_end is None or not stream.duration or stream.time_base is None:
        return None
    announced = float(((stream.start_time or 0) + stream.duration) * stream.time_base)
    return announced if data_end + max(0.5, 2.0 / fps) < announced else None


def read_image(path: str, size: int = FRAME_SIZE) -> np.ndarray:
    """Decode one still image to ``size`` x ``size`` RGB with PyAV (no imaging library needed)."""
    try:
        with av.open(path) as container:
            for frame in container.decode(video=0):
                return RGBScaler(size)(frame)
    except av.FFmpegError as exc:
        raise UsageError(f"{path}: not a readable image ({exc})") from None
    raise UsageError(f"{path}: image holds no picture")
