"""Stream-copying each scene into a file of its own (``reprocut split --copy``): fast and lossless, not frame-exact.

Packets are copied, not decoded, so a file can only start on a keyframe: each file holds whole
GOPs, from the keyframe at or before its scene's first frame to the frame before the first
keyframe at or after its end, and the audio packets of that time span, in the source's own
container format. Frames are numbered by their packets' presentation timestamps, which gives
the decoded order for ordinary files (closed GOPs, every packet one frame).
"""

from __future__ import annotations

import logging
import math
import os
from bisect import bisect_left, bisect_right

import av

from ..core.errors import UsageError
from ..sources.decode import open_video, stream_fps
from ..runtime.progress import Progress
from .shots import Shot, SplitConfig, finish

log = logging.getLogger(__name__)


def extension(video: str) -> str:
    """The source's own container: its codecs go back into it unchanged."""
    return os.path.splitext(video)[1] or ".mkv"


def frame_index(src: av.container.InputContainer, vin: av.video.stream.VideoStream, video: str) -> tuple[list[int], list[int]]:
    """The presentation timestamps of the video's frames, in order, and the numbers of its keyframes (from packets only)."""
    entries = []
    for packet in src.demux(vin):
        if packet.size == 0:
            continue  # the demuxer's end-of-stream packet
        if packet.pts is None:
            raise UsageError(f"{video}: its video packets carry no timestamps, so --copy cannot place them (use --encode)")
        entries.append((packet.pts, packet.is_keyframe))
    entries.sort()
    return [pts for pts, _ in entries], [i for i, (_, key) in enumerate(entries) if key]


def _copy(src, vin, ain, shot: Shot, start: int, stop: float) -> int:
    """Copy the video packets with start <= pts < stop and the audio of that span into ``shot.tmp``; the frames copied."""
    vt = vin.time_base
    t_start, t_stop = float(start * vt), stop * vt if stop != math.inf else math.inf
    src.seek(start - int(1 / vt), stream=vin, backward=True)  # a second early: audio packets may sit before the keyframe
    frames, video_done, audio_done = 0, False, ain is None
    with av.open(shot.tmp, "w") as out:
        ov = out.add_stream_from_template(vin)
        oa = out.add_stream_from_template(ain) if ain is not None else None
        a_shift = round(start * vt / ain.time_base) if ain is not None else 0
        for packet in src.demux(*(s for s in (vin, ain) if s is not None)):
            if packet.size == 0 or packet.pts is None:
                continue
            if packet.stream is vin:
                if packet.pts >= stop and packet.is_keyframe:
                    video_done = True  # the next GOP: nothing before ``stop`` follows
                elif start <= packet.pts < stop:
                    packet.pts -= start
                    if packet.dts is not None:
                        packet.dts -= start
                    packet.stream = ov
                    out.mux(packet)
                    frames += 1
            else:
                t = float(packet.pts * packet.time_base)
                if t >= t_stop:
                    audio_done = True
                elif t >= t_start:
                    packet.pts -= a_shift
                    if packet.dts is not None:
                        packet.dts -= a_shift
                    packet.stream = oa
                    out.mux(packet)
            if video_done and audio_done:
                break
    return frames


def write(video: str, shots: list[Shot], cfg: SplitConfig) -> None:
    """Copy whole GOPs around each shot's scene into its file."""
    with open_video(video) as src:
        vin = src.streams.video[0]
        ain = src.streams.audio[0] if src.streams.audio else None
        pts, keys = frame_index(src, vin, video)
        step = 1 / stream_fps(vin)
        progress = Progress(len(shots), "split", unit="file")
        for shot in shots:
            if shot.start >= len(pts):
                log.warning("scene %d starts at frame %d, after the video's last frame (%d): no file", shot.scene, shot.start, len(pts) - 1)
                continue
            k = bisect_right(keys, shot.start) - 1
            first = keys[k] if k >= 0 else 0
            j = bisect_left(keys, min(shot.end, len(pts)))
            last = keys[j] if j < len(keys) else len(pts)
            frames = _copy(src, vin, ain, shot, pts[first], pts[last] if last < len(pts) else math.inf)
            if frames != last - first:
                log.warning("scene %d: copied %d frames where frames %d-%d were expected (an open GOP?)", shot.scene, frames, first, last)
            shot.file_start, shot.file_end = first, first + frames
            shot.start_time = float(pts[first] * vin.time_base)
            shot.end_time = float(pts[last] * vin.time_base) if last < len(pts) else float(pts[-1] * vin.time_base) + step
            finish(shot)
            progress.update()
        progress.close()
