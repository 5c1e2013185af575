"""What a timeline needs to know of the media its clips cut: where it is, its exact frame rate, size and audio.

Shared by the OpenTimelineIO (``otio.py``) and FCPXML (``fcpxml.py``) writers. Times in both are
frame counts at the rational rate of ``core.scenes.frame_rate`` (24000/1001 for 23.976), the
frame grid every editor conforms the footage to, so clip edges fall exactly on scene edges.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from ...core.contracts import Source
from ...core.scenes import frame_rate
from ...sources.file import local_path


@dataclass(frozen=True)
class Media:
    name: str  # the file name, for clip and asset names
    url: str  # file:// URL of a local file, else the source as given
    rate: Fraction  # frames per second
    width: int
    height: int
    frames: int
    audio_channels: int = 0  # 0: no audio
    audio_rate: int = 0

    @classmethod
    def of(cls, name: str, source: Source, frames: int) -> Media:
        """The media behind ``source`` (``name``: what the user gave), its audio read from the file when local."""
        path = local_path(name)
        channels = sample_rate = 0
        if os.path.isfile(path):
            with av.open(path) as container:
                if container.streams.audio:
                    audio = container.streams.audio[0].codec_context
                    channels, sample_rate = audio.channels, audio.sample_rate
            url = Path(path).resolve().as_uri()
        else:
            url = name
        return cls(os.path.basename(name.rstrip("/")) or name, url, frame_rate(source.fps), source.width, source.height,
                   frames, channels, sample_rate)
