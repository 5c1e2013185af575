"""Re-encoding each scene into a file of its own, frame-exact: ``reprocut split`` (the default, ``--encode``).

One pass over the source. Every decoded frame, counted as ``detect`` counts them, goes to the
file of its scene, re-encoded with PyAV's libx264 at the source's size and in its pixel format
where libx264 takes it, with its own timestamp moved to start at 0, so a variable frame rate
stays as it was. The audio is cut, to the sample, at the times of the scenes' first frames and
encoded as AAC. A file stays open until the audio has passed its end, because containers
interleave audio a little ahead of or behind the video.
"""

from __future__ import annotations

import logging
import math
from fractions import Fraction

import av
import numpy as np
from av.video.frame import PictureType

from ..sources.decode import frame_time, open_video, stream_fps
from ..runtime.progress import Progress
from .shots import Shot, SplitConfig, finish

log = logging.getLogger(__name__)

ODD_SIZE_FORMATS = {"yuv444p", "yuvj444p", "yuv444p10le", "gray", "gray10le"}  # no chroma subsampling
INTERLEAVE_S = 10.0  # seconds: audio never lags the video by more in a container's interleaving
KEPT = ("color_range", "colorspace", "color_primaries", "color_trc", "sample_aspect_ratio")  # as the source says, when it does


def extension(video: str) -> str:
    """H.264 and AAC go in MP4, whatever the source's container."""
    return ".mp4"


def pixel_format(name: str, width: int, height: int) -> str:
    """The source's pixel format if libx264 takes it at this size; else 4:2:0, or 4:4:4 for an odd size."""
    odd = width % 2 or height % 2
    if name in {f.name for f in av.codec.Codec("libx264", "w").video_formats} and (not odd or name in ODD_SIZE_FORMATS):
        return name
    return "yuv444p" if odd else "yuv420p"


def aac_layout(layout: av.AudioLayout) -> str:
    """The source's channel layout, named where the source leaves it unnamed ("2 channels"): AAC needs a name."""
    unnamed = {1: "mono", 2: "stereo", 6: "5.1", 8: "7.1"}
    return unnamed.get(len(layout.channels), layout.name) if layout.name.endswith("channels") else layout.name


class _Output:
    """One scene's file being written: a video and an audio encoder, and the source time where it starts."""

    def __init__(self, shot: Shot, vin: av.video.stream.VideoStream, ain: av.audio.stream.AudioStream | None,
                 cfg: SplitConfig, first: av.VideoFrame, time: float):
        self.shot = shot
        self.container = av.open(shot.tmp, "w")
        self.video = self.container.add_stream("libx264", rate=vin.average_rate or vin.guessed_rate or 25)
        self.video.width, self.video.height = first.width, first.height
        self.video.pix_fmt = pixel_format(first.format.name, first.width, first.height)
        self.video.codec_context.time_base = vin.time_base
        self.video.options = {"crf": str(cfg.crf), "preset": cfg.preset}
        for name in KEPT:
            if getattr(vin.codec_context, name) is not None:
                setattr(self.video.codec_context, name, getattr(vin.codec_context, name))
        self.audio = None
        if ain is not None:
            self.audio = self.container.add_stream("aac", rate=ain.codec_context.sample_rate)
            self.audio.layout = aac_layout(ain.codec_context.layout)
        self.origin = first.pts
        self.last_pts = -1
        self.frames = 0
        self.samples = 0
        self.start_time, self.end_time = time, math.inf  # the end is known once the next frame is decoded

    def add_video(self, frame: av.VideoFrame) -> None:
        frame.pts = max(frame.pts - self.origin, self.last_pts + 1)  # times start at 0, strictly increasing
        frame.pict_type = PictureType.NONE  # let x264 choose the frame types
        self.last_pts = frame.pts
        self.frames += 1
        self.container.mux(self.video.encode(frame))

    def add_audio(self, samples: np.ndarray, like: av.AudioFrame) -> None:
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format=like.format.name, layout=like.layout.name)
        frame.sample_rate = like.sample_rate
        frame.time_base = Fraction(1, like.sample_rate)
        frame.pts = self.samples
        self.samples += frame.samples
        self.container.mux(self.audio.encode(frame))

    def close(self) -> None:
        self.container.mux(self.video.encode(None))
        if self.audio is not None:
            self.container.mux(self.audio.encode(None))
        self.container.close()
        shot = self.shot
        shot.file_start, shot.file_end = shot.start, shot.start + self.frames
        shot.start_time, shot.end_time = self.start_time, self.end_time
        if shot.file_end != shot.end:
            log.warning("scene %d: the video ends at frame %d, inside the scene (frames %d-%d): its file holds %d frames",
                        shot.scene, shot.file_end, shot.start, shot.end, self.frames)
        finish(shot)


class _Pending:
    """Decoded audio not yet handed to a file: ``samples`` from source time ``t0`` on."""

    def __init__(self, frame: av.AudioFrame, t0: float):
        self.like = frame
        self.samples = frame.to_ndarray()
        self.stride = 1 if frame.format.is_planar else len(frame.layout.channels)  # packed: channels interleaved
        self.rate = frame.sample_rate
        self.t0 = t0

    def index(self, t: float) -> int:
        """The sample at source time ``t``, clipped to this frame."""
        if not math.isfinite(t):
            return 0 if t < 0 else self.count
        return min(max(round((t - self.t0) * self.rate), 0), self.count)

    @property
    def count(self) -> int:
        return self.samples.shape[1] // self.stride

    def take(self, a: int, b: int) -> np.ndarray:
        return self.samples[:, a * self.stride : b * self.stride]


class _Splitter:
    """Routes the decoded frames and audio of one pass to the files of their scenes."""

    def __init__(self, shots: list[Shot], vin, ain, cfg: SplitConfig):
        self.shots, self.vin, self.ain, self.cfg = shots, vin, ain, cfg
        self.fps = stream_fps(vin)
        self.next = 0  # the next shot to open
        self.index = 0  # decoded frames so far
        self.current: _Output | None = None  # the file taking video frames
        self.open: list[_Output] = []  # files still taking audio
        self.pending: list[_Pending] = []
        self.horizon = -math.inf  # source time up to which the scenes' time spans are known
        self.audio_until = -math.inf if ain is not None else math.inf  # source time up to which audio is decoded
        self.last_end = 0.0

    @property
    def finished(self) -> bool:
        return self.next == len(self.shots) and not self.open

    def video(self, frame: av.VideoFrame) -> None:
        i, t = self.index, frame_time(frame, self.index, self.fps)
        if frame.pts is None:
            frame.pts = round(t / self.vin.time_base)
        self.index += 1
        if self.current is not None and i >= self.current.shot.end:
            self.current.end_time, self.current = t, None
        if self.current is None and self.next < len(self.shots) and self.shots[self.next].start == i:
            self.current = _Output(self.shots[self.next], self.vin, self.ain, self.cfg, frame, t)
            self.open.append(self.current)
            self.next += 1
        if self.current is not None:
            self.current.add_video(frame)
        step = float(frame.duration * frame.time_base) if frame.duration and frame.time_base else 1.0 / self.fps
        self.horizon, self.last_end = t, t + step
        self._route()

    def audio(self, frame: av.AudioFrame) -> None:
        t0 = float(frame.pts * frame.time_base) if frame.pts is not None else max(self.audio_until, 0.0)
        self.pending.append(_Pending(frame, t0))
        self.audio_until = t0 + frame.samples / frame.sample_rate
        self._route()

    def end(self) -> None:
        """The source has ended: the last scene ends with its last frame, and all audio is routed."""
        if self.current is not None:
            self.current.end_time, self.current = self.last_end, None
        self.horizon = self.audio_until = math.inf
        self._route()

    def _route(self) -> None:
        """Hand every pending sample before the horizon to the file whose time span holds it, and close
        the files whose audio is complete."""
        for p in self.pending:
            upto = p.index(self.horizon)
            for out in self.open:
                if out.audio is not None:
                    a, b = p.index(out.start_time), min(p.index(out.end_time), upto)
                    if b > a:
                        out.add_audio(p.take(a, b), p.like)
            p.samples, p.t0 = p.take(upto, p.count), p.t0 + upto / p.rate
        self.pending = [p for p in self.pending if p.count]
        while self.open and self.open[0] is not self.current and (
                self.open[0].end_time <= self.audio_until or self.open[0].end_time + INTERLEAVE_S < self.horizon):
            self.open.pop(0).close()  # (the second: the audio stopped early; files must not pile up open)


def write(video: str, shots: list[Shot], cfg: SplitConfig) -> None:
    """Decode ``video`` once and write each shot's file, frame-exact, with its slice of the audio."""
    with open_video(video) as src:
        vin = src.streams.video[0]
        vin.thread_type = "AUTO"
        ain = src.streams.audio[0] if src.streams.audio else None
        if ain is None:
            log.info("%s has no audio: the files hold video only", video)
        splitter = _Splitter(shots, vin, ain, cfg)
        progress = Progress(vin.frames or None, "split", unit="frame")
        try:
            for packet in src.demux(*(s for s in (vin, ain) if s is not None)):
                try:
                    frames = packet.decode()
                except av.FFmpegError as exc:
                    log.warning("%s: damaged data skipped near frame %d: %s", video, splitter.index, exc)
                    continue
                for frame in frames:
                    if packet.stream is vin:
                        splitter.video(frame)
                        progress.update()
                    else:
                        splitter.audio(frame)
                if splitter.finished:
                    break
            splitter.end()
        finally:
            progress.close()
            for out in splitter.open:  # stopped by an error or Ctrl-C: the caller removes the partial files
                out.container.close()
