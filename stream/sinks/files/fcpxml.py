"""The scene list as a Final Cut Pro XML timeline (``detect --fcpxml``), for Final Cut Pro and DaVinci Resolve.

FCPXML 1.9 (media-rep assets; Final Cut Pro 10.5+ and Resolve 17+ import it), written with the
standard library: a format at the source's frame rate and size, the source as one asset, and a
project whose spine holds one asset-clip per scene, with a marker on the first frame of every
scene after a cut. Every time is a rational number of seconds on the frame grid ("1001/24000s"
is one frame at 23.976), as Final Cut Pro requires: times off the grid are refused on import.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

from ...core.scenes import Scene, drop_frame
from .timeline import Media

VERSION = "1.9"
AUDIO_RATES = {32000: "32k", 44100: "44.1k", 48000: "48k", 88200: "88.2k", 96000: "96k", 176400: "176.4k", 192000: "192k"}


def rational(seconds: Fraction) -> str:
    """FCPXML's time: "N/Ds", or "Ns" for whole seconds."""
    return f"{seconds.numerator}s" if seconds.denominator == 1 else f"{seconds.numerator}/{seconds.denominator}s"


def to_fcpxml(scenes: list[Scene], media: Media) -> str:
    def t(frames: int) -> str:
        return rational(frames / media.rate)

    tc_format = "DF" if drop_frame(float(media.rate)) else "NDF"
    root = ET.Element("fcpxml", version=VERSION)
    resources = ET.SubElement(root, "resources")
    ET.SubElement(resources, "format", id="r1", frameDuration=t(1), width=str(media.width), height=str(media.height))
    sound = {"hasAudio": "1", "audioSources": "1", "audioChannels": str(media.audio_channels),
             "audioRate": str(media.audio_rate)} if media.audio_channels else {"hasAudio": "0"}
    asset = ET.SubElement(resources, "asset", id="r2", name=media.name, start="0s", duration=t(media.frames), hasVideo="1",
                          format="r1", videoSources="1", **sound)
    ET.SubElement(asset, "media-rep", kind="original-media", src=media.url)
    event = ET.SubElement(ET.SubElement(root, "library"), "event", name="reprocut")
    project = ET.SubElement(event, "project", name=f"{media.name} scenes")
    layout = {"audioLayout": "mono" if media.audio_channels == 1 else "stereo" if media.audio_channels == 2 else "surround"}
    if media.audio_rate in AUDIO_RATES:
        layout["audioRate"] = AUDIO_RATES[media.audio_rate]
    total = sum(s.end_frame - s.start_frame for s in scenes)
    sequence = ET.SubElement(project, "sequence", format="r1", duration=t(total), tcStart="0s", tcFormat=tc_format,
                             **(layout if media.audio_channels else {}))
    spine = ET.SubElement(sequence, "spine")
    offset = 0
    for i, s in enumerate(scenes, 1):
        length = s.end_frame - s.start_frame
        clip = ET.SubElement(spine, "asset-clip", ref="r2", name=f"Scene {i}", offset=t(offset), start=t(s.start_frame),
                             duration=t(length), format="r1", tcFormat=tc_format)
        if i > 1:
            ET.SubElement(clip, "marker", start=t(s.start_frame), duration=t(1), value=f"cut to scene {i}")
        offset += length
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n' + ET.tostring(root, encoding="unicode") + "\n"
