"""The scene list as an OpenTimelineIO timeline (``detect --otio``), for editors that import OTIO.

One clip per scene on a video track (and on an audio track when the media has sound), each
referencing the source media with the scene's frames as its source range, and a marker at every
cut on the timeline. A gradual transition becomes an OTIO dissolve (``SMPTE_Dissolve``) between
the two scenes' video clips, reaching from its first frame to its last across the boundary. OpenTimelineIO is an optional extra (``pip install 'reprocut[timeline]'``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...core.errors import UsageError
from ...core.events import TransitionEvent
from ...core.scenes import Scene, openings
from .timeline import Media

INSTALL = "pip install 'reprocut[timeline]'"


def require_otio():
    """The ``opentimelineio`` module, or a one-line error that says how to install it."""
    try:
        import opentimelineio
    except ImportError:
        raise UsageError(f"--otio needs the OpenTimelineIO package: {INSTALL}") from None
    return opentimelineio


def to_otio(scenes: list[Scene], media: Media, transitions: Sequence[TransitionEvent] = ()) -> str:
    """The timeline as OTIO JSON: clip ranges, transition offsets and marker times in frames at the media's rate."""
    otio = require_otio()
    rate = float(media.rate)

    def span(start: int, frames: int):
        return otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(frames, rate))

    timeline = otio.schema.Timeline(name=f"{media.name} scenes")
    kinds = [otio.schema.TrackKind.Video] + ([otio.schema.TrackKind.Audio] if media.audio_channels else [])
    opening = openings(scenes, transitions)
    for kind in kinds:
        track = otio.schema.Track(name=kind, kind=kind)
        for i, s in enumerate(scenes, 1):
            t = opening.get(s.start_frame)
            if t is not None and i > 1 and kind == otio.schema.TrackKind.Video:
                track.append(otio.schema.Transition(
                    name=f"{t.kind} to scene {i}", transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                    in_offset=otio.opentime.RationalTime(s.start_frame - t.start, rate),
                    out_offset=otio.opentime.RationalTime(t.end + 1 - s.start_frame, rate), metadata={"reprocut": {"kind": t.kind}}))
            reference = otio.schema.ExternalReference(target_url=media.url, available_range=span(0, media.frames))
            track.append(otio.schema.Clip(name=f"Scene {i}", media_reference=reference,
                                          source_range=span(s.start_frame, s.end_frame - s.start_frame)))
        timeline.tracks.append(track)
    for i, s in enumerate(scenes[1:], 2):
        timeline.tracks.markers.append(otio.schema.Marker(name=f"cut to scene {i}", marked_range=span(s.start_frame, 0)))
    return otio.adapters.write_to_string(timeline, "otio_json")
