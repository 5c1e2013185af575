"""The transition detector's settings: what every part shares, and one nested dataclass per part with constants of its own.

``fps`` and ``kl_floor`` belong to the stream (the pipeline sets them from the source and the scorer);
the rest are measured on the 16x16 copies (``frames.py``), as mean absolute values on a 0-1 scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..decider import DeciderConfig


@dataclass(frozen=True)
class TwinConfig:
    """Twin comparison (``twin.py``): when a change opens a candidate and when the candidate ends."""

    open_ratio: float = 3.0  # a frame opens a candidate when it changes this many times the recent typical change...
    history_s: float = 2.0  # ...measured over this long (and so is the typical latent change)
    settle: float = 0.35  # the candidate ends when changes fall below its threshold or below this share of its
    # median change for ``quiet`` frames (the new shot moves, but less)
    motion: float = 0.5  # a straight candidate whose last picture is its first moved is motion (a pan, a jerk of the
    # camera), no fade or dissolve: each quarter of it found in the first picture leaves less than this share of their
    # difference (the move explains most of the change)...
    reach: float = 0.125  # ...within this share of the frame's side of where the quarter was


@dataclass(frozen=True)
class BurstConfig:
    """Blur and flash transitions (``burst.py``): a short candidate in which several frames move the latent as a cut does."""

    ratio: float = 10.0  # frames whose latent change is this many times the recent typical one...
    frames: int = 3  # ...at least this many of them...
    max_s: float = 0.5  # ...within a candidate no longer than this...
    smear: float = 0.25  # ...and as many that change at least this share of its largest change (a cut and motion: one)


@dataclass(frozen=True)
class BlendConfig:
    """Blends (``blends.py``): windows whose inner frames are blends of their end frames, or pieces of them (wipes)."""

    windows_s: tuple[float, ...] = (0.33, 0.67, 1.33, 2.67)  # the window lengths tested (a window inside a long
    # dissolve sees only its share of the change, under ``cut_level`` where the two shots look alike or are still)
    mixed: float = 0.2  # a wipe's window holds a frame with at least this share of its changing pixels at the end, and
    # at most its complement...
    line: float = 0.8  # ...and its pixels' switch times line up at least this closely (``wipe.sweeps``): closer than
    # twin comparison asks, as here no change per frame above the shot's motion says that something happened
    wait_s: float = 0.25  # a run of such windows ends after this long without one


@dataclass
class TransitionConfig:
    """The values every part uses, and each part's own (``twin``, ``burst``, ``blend``)."""

    fps: float = 25.0
    kl_floor: float = 0.05  # noise floor of the latent change (the scorer's)
    floor: float = 0.004  # the least change that counts (~1/255): a candidate's lower threshold, a fade's tolerance (half)
    quiet: int = 3  # frames without progress that end a candidate, a fade in, or (at least) a run of blends
    min_frames: int = 4  # shorter changes are cuts (with a smear), not transitions
    max_s: float = 4.0  # longer changes are motion (a pan), not transitions
    cut_level: float = 0.1  # a transition moves the 16x16 copy at least this far from its start
    straight: float = 0.6  # share of the path that must be direct travel from start to end (fades, direct candidates)
    step: float = 0.5  # no frame of a fade or a direct dissolve makes more than this share of its travel (a cut does)
    misfit: float = 0.2  # a blend's or a wipe's inner frames are no farther from blends (or pieces) of its first and
    # last pictures than this share of their distance
    flat: float = 0.02  # a picture whose 16x16 copy varies less than this (RMS) is a flat colour (fades)
    arrived: float = 0.98  # a fade in ends at its first frame this share of the way to the farthest from the colour:
    # the shot's own motion after it drifts on, to the frame before the next cut, which it would then hold
    hold_s: float = DeciderConfig.min_scene_len  # a flat colour held this long between a fade out and a fade in is a
    # scene of its own (two fades); held shorter, the two are one fade through it (the scorer's shortest scene)
    twin: TwinConfig = field(default_factory=TwinConfig)
    burst: BurstConfig = field(default_factory=BurstConfig)
    blend: BlendConfig = field(default_factory=BlendConfig)

    def __post_init__(self) -> None:
        if self.fps <= 0:
            raise ValueError("fps must be positive")

    @property
    def max_frames(self) -> int:
        """The longest transition in frames (``max_s``, and never under ``min_frames``)."""
        return max(self.min_frames, round(self.max_s * self.fps))
