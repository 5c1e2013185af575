"""Online detection of gradual transitions (fades, dissolves, wipes): pure logic, arrays in, events out.

Fed the frames the scorer gets (indices, times, walls, 64x64 pixels, the encoder's posteriors), it
compares small, blurred copies of them (``frames.py``) in several ways, each normalised by what this
stream's own frames do, one part per way:

- ``fades.py``: from a flat frame (black, white, any colour), back while the picture's distance from
  it shrank (a fade out) and forward while it grows (a fade in);
- ``blends.py``: windows of 1/3 to 8/3 s whose inner frames are blends of their end frames (a dissolve,
  even between shots that move as much per frame as the dissolve changes);
- ``twin.py``: twin comparison, a run of large changes that went straight from one picture to another
  (fades, dissolves), or swept across the frame (``wipe.py``), or blurred through (``burst.py``).

``detector.py`` combines them: it asks them in a fixed order per frame and drops what overlaps a
transition already sent. Each transition is emitted once it has ended, a few frames after its last
frame (well within 0.5 s); a fade out followed by a fade in through a colour held less than a shot
is one transition (``fades.py``), which has ended when the fade in has. Cuts are never held back: a
cut inside a transition (or on the frame after it) goes out at once, and the transition, when it
comes, is that scene change, or none if it holds two (``core/reconcile.py``).

Usage::

    detector = TransitionDetector(TransitionConfig(fps=25))
    for batch in batches:
        for event in detector.push(batch.index, batch.time, batch.wall, batch.pixels, mu, logvar):
            print(event.start, event.end, event.kind)
    events = detector.finish()
"""

from .config import BlendConfig, BurstConfig, TransitionConfig, TwinConfig
from .detector import TransitionDetector

__all__ = ["BlendConfig", "BurstConfig", "TransitionConfig", "TransitionDetector", "TwinConfig"]
