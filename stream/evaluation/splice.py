"""Spliced edits: a labelled clip's own shots re-cut into new edits whose every cut and transition is known.

Hand labels are few and a detector tuned on them saturates them; splicing turns a few labelled
clips into thousands of labelled boundaries of the same footage (docs/splice.md). This module
plans the edits, as pure functions of the labels and a seed; ``splice_files.py`` renders and
writes them:

- ``pieces``: the stretches of each shot that are safe to take: between labelled boundaries,
  away from gradual, dont_care, hard-negative spans and optional boundaries by ``margin`` frames
  (an optional boundary does not split its shot, so the two sides are never put next to each
  other), and without flat frames (black, one colour: a cut between two shows nothing);
- ``plan_edit``: segments of ``min_segment``-``max_segment`` frames from those pieces, never two
  of the same shot in a row, joined by hard cuts or, a ``transition_share`` of the joins, by a
  fade (to black or to a flat colour), a dissolve or a wipe of ``min_transition``-``max_transition``
  frames. A transition blends frames that continue the shot before it and frames that lead into
  the shot after it, taken from the same pieces, so every shown segment stays whole;
- ``edit_labels``: the label file of an edit (``docs/labels.md``): its cuts, its transitions as
  gradual spans, its family and where it came from;
- ``render``: the edit's frames from the source's (numpy, no I/O).

Usage::

    edit = plan_edit(pieces(labels, frames=720, margin=3, min_segment=4), SpliceConfig(splice=1), rng_for(0, "clip", 0))
    edit_labels(edit, labels, "clips/x.mp4", fps=24.0, seed=0)
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ..core.errors import UsageError
from .labels import Labels

KINDS = ("fade to black", "fade to colour", "dissolve", "wipe")  # the generated transitions, drawn alike
WIPES = ("left", "right", "down", "up")  # where a wipe's edge moves


@dataclass
class SpliceConfig:
    """How ``reprocut eval --splice`` re-cuts each labelled clip into new edits (docs/splice.md)."""

    splice: int = 0  # edits per labelled clip (0: none)
    seed: int = 0  # the same seed writes the same edits
    workdir: str | None = None  # where the edits and their labels are kept (None: a temp dir, removed)
    segments: int = 20  # shots per edit
    min_segment: int = 4  # frames each segment shows unblended
    max_segment: int = 48
    margin: int = 3  # frames kept away from every labelled boundary, span and optional boundary
    transition_share: float = 0.2  # share of the joins that are transitions rather than hard cuts
    min_transition: int = 8  # frames
    max_transition: int = 40
    max_side: int = 320  # pixels: edits are written at the clip's own size, scaled down to this longer side
    flat: float = 6.0  # grey levels: a frame whose standard deviation is under this (black, one colour) is no shot

    def check(self) -> None:
        """A user's impossible settings, as one line each."""
        if self.splice < 0:
            raise UsageError("--splice must be 0 or more edits per clip")
        if self.workdir and not self.splice:
            raise UsageError("--workdir keeps spliced edits: give --splice N too")
        if self.segments < 2:
            raise UsageError("a spliced edit needs at least 2 segments")
        if not 1 <= self.min_segment <= self.max_segment or not 2 <= self.min_transition <= self.max_transition:
            raise UsageError("segment and transition lengths must be 1 <= min <= max (transitions: 2 or more frames)")
        if not 0.0 <= self.transition_share <= 1.0 or self.margin < 0 or self.max_side < 16:
            raise UsageError("transition share must lie in 0..1, margin be 0 or more and max side 16 or more pixels")


@dataclass(frozen=True)
class Piece:
    """Source frames ``first``..``last`` (inclusive) of one shot that a segment may show."""

    shot: int
    first: int
    last: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class Join:
    """How one segment passes to the next: a hard cut (``frames`` 0) or a transition of ``frames`` frames."""

    kind: str = "cut"  # cut, or one of KINDS
    frames: int = 0
    colour: tuple[int, int, int] = (0, 0, 0)  # the flat colour a fade passes through
    direction: str = ""  # a wipe's: one of WIPES

    @property
    def outgoing(self) -> int:
        """Frames after the shot before it that the transition shows (blended, or fading out)."""
        return self.frames // 2 if self.kind.startswith("fade") else self.frames

    @property
    def incoming(self) -> int:
        """Frames before the shot after it that the transition shows (blended, or fading in)."""
        return self.frames - self.outgoing if self.kind.startswith("fade") else self.frames


@dataclass(frozen=True)
class Segment:
    """Source frames ``first``..``last`` of ``shot`` shown unblended, with ``lead`` frames before them and ``tail``
    frames after them taken by the transitions on either side."""

    shot: int
    first: int
    last: int
    lead: int = 0
    tail: int = 0

    @property
    def length(self) -> int:
        return self.last - self.first + 1


@dataclass
class Edit:
    """One planned edit: its segments, the joins between them (one fewer), and where its boundaries fall."""

    segments: list[Segment]
    joins: list[Join]
    cuts: list[int] = field(init=False, default_factory=list)  # first frame of each segment after a hard cut
    gradual: list[tuple[int, int]] = field(init=False, default_factory=list)  # first and last frame of each transition
    frames: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        position = 0
        for i, segment in enumerate(self.segments):
            if i and self.joins[i - 1].kind == "cut":
                self.cuts.append(position)
            position += segment.length
            if i < len(self.joins) and self.joins[i].frames:
                self.gradual.append((position, position + self.joins[i].frames - 1))
                position += self.joins[i].frames
        self.frames = position


def rng_for(seed: int, name: str, index: int) -> np.random.Generator:
    """The random stream of edit ``index`` of clip ``name``: the same whatever other clips the dataset holds."""
    return np.random.default_rng([seed, zlib.crc32(name.encode()), index])


def pieces(labels: Labels, frames: int, margin: int, min_segment: int, flat: np.ndarray | None = None) -> list[Piece]:
    """The safe stretches of every shot (module docstring), each at least ``min_segment`` frames long; ``flat``: True
    for each frame with no picture (black, one colour), left out too (a cut from black to black shows nothing)."""
    shot = np.zeros(frames, int)
    usable = np.ones(frames, bool) if flat is None else ~np.asarray(flat[:frames], bool)
    for c in labels.cuts:
        shot[c:] += 1
    for c in (*labels.cuts, *labels.optional):
        usable[max(0, c - margin):c + margin] = False
    for a, b in labels.gradual:
        shot[b + 1:] += 1
    for a, b, *_ in (*labels.gradual, *labels.dont_care, *labels.hard_negatives):
        usable[max(0, a - margin):b + margin + 1] = False
    out, start = [], None
    for i in range(frames + 1):
        ends = i == frames or not usable[i] or (start is not None and shot[i] != shot[start])
        if start is not None and ends:
            if i - start >= min_segment:
                out.append(Piece(int(shot[start]), start, i - 1))
            start = None
        if i < frames and usable[i] and start is None:
            start = i
    return out


def _join(rng: np.random.Generator, cfg: SpliceConfig) -> Join:
    """A drawn join: a hard cut, or a transition of a drawn kind and length."""
    if rng.random() >= cfg.transition_share:
        return Join()
    kind = KINDS[int(rng.integers(len(KINDS)))]
    colour = tuple(int(v) for v in rng.integers(0, 256, 3)) if kind == "fade to colour" else (0, 0, 0)
    direction = WIPES[int(rng.integers(len(WIPES)))] if kind == "wipe" else ""
    return Join(kind, int(rng.integers(cfg.min_transition, cfg.max_transition + 1)), colour, direction)


def _fit(join: Join, room: int, longest: int, cfg: SpliceConfig) -> Join:
    """``join`` shortened until the current piece has ``room`` for its outgoing frames and some piece of another shot,
    at most ``longest`` frames, for its incoming ones and a whole segment; a hard cut where no transition fits."""
    for frames in range(join.frames, cfg.min_transition - 1, -1):
        shorter = Join(join.kind, frames, join.colour, join.direction)
        if shorter.outgoing <= room and shorter.incoming + cfg.min_segment <= longest:
            return shorter
    return Join()


def plan_edit(safe: list[Piece], cfg: SpliceConfig, rng: np.random.Generator) -> Edit:
    """``cfg.segments`` segments from the pieces of at least two shots, never two of one shot in a row."""
    shots = sorted({p.shot for p in safe})
    if len(shots) < 2:
        raise ValueError("a splice needs pieces of at least two shots")
    segments: list[Segment] = []
    joins: list[Join] = []
    lead, previous = 0, None
    for i in range(cfg.segments):
        hosts = [p for p in safe if p.shot != previous and p.length >= lead + cfg.min_segment]
        candidates = sorted({p.shot for p in hosts})  # each shot alike, however many pieces it has
        shot = candidates[int(rng.integers(len(candidates)))]
        hosts = [p for p in hosts if p.shot == shot]
        piece = hosts[int(rng.integers(len(hosts)))]
        join = Join()
        if i < cfg.segments - 1:
            longest = max(p.length for p in safe if p.shot != shot)
            join = _fit(_join(rng, cfg), piece.length - lead - cfg.min_segment, longest, cfg)
            joins.append(join)
        tail = join.outgoing
        length = int(rng.integers(cfg.min_segment, min(cfg.max_segment, piece.length - lead - tail) + 1))
        first = int(rng.integers(piece.first + lead, piece.last - tail - length + 2))
        segments.append(Segment(shot, first, first + length - 1, lead, tail))
        lead, previous = join.incoming, shot
    return Edit(segments, joins)


def edit_labels(edit: Edit, labels: Labels, clip: str, fps: float, seed: int, index: int) -> dict:
    """The label file of ``edit`` (docs/labels.md), spliced from ``labels``' clip; ``clip``: its path in the dataset."""
    return {
        "clip": clip, "fps": round(fps, 6), "frames": edit.frames, "family": labels.family,
        "cuts": edit.cuts, "gradual": [list(g) for g in edit.gradual],
        "source": {"spliced_from": labels.name, "seed": seed, "edit": index,
                   "segments": [[s.first, s.last] for s in edit.segments],
                   "transitions": [{"kind": j.kind, "frames": j.frames} for j in edit.joins if j.frames]},
        "notes": f"spliced by reprocut eval --splice from {labels.name} (seed {seed}, edit {index}): {len(edit.segments)} "
                 f"segments of its own shots, {len(edit.cuts)} hard cuts and {len(edit.gradual)} generated transitions",
    }


def render(edit: Edit, frame: Callable[[int], np.ndarray]) -> Iterator[np.ndarray]:
    """The edit's frames, in order, from ``frame(source index)`` (H x W x 3 uint8): each segment as it was, each
    transition generated from the frames around it."""
    for i, segment in enumerate(edit.segments):
        for f in range(segment.first, segment.last + 1):
            yield frame(f)
        join = edit.joins[i] if i < len(edit.joins) else Join()
        if join.frames:
            after = edit.segments[i + 1]
            yield from transition(join, [frame(f) for f in range(segment.last + 1, segment.last + 1 + join.outgoing)],
                                  [frame(f) for f in range(after.first - join.incoming, after.first)])


def transition(join: Join, before: list[np.ndarray], after: list[np.ndarray]) -> list[np.ndarray]:
    """``join.frames`` generated frames: the shot before (its ``outgoing`` frames that follow the segment) passing
    to the shot after (its ``incoming`` frames that lead into the segment)."""
    out = []
    if join.kind.startswith("fade"):
        colour = np.array(join.colour, np.float32)
        for k, img in enumerate(before):  # the picture goes, reaching the flat colour on the last frame
            w = (k + 1) / len(before)
            out.append(img * (1 - w) + colour * w)
        for k, img in enumerate(after):  # and comes back from it
            w = (k + 1) / (len(after) + 1)
            out.append(colour * (1 - w) + img * w)
    elif join.kind == "dissolve":
        for k, (a, b) in enumerate(zip(before, after)):
            w = (k + 1) / (join.frames + 1)
            out.append(a * (1 - w) + b.astype(np.float32) * w)
    else:  # a wipe: a straight edge crosses the picture, the new shot behind it
        across = join.direction in ("left", "right")
        size = before[0].shape[1 if across else 0]
        for k, (a, b) in enumerate(zip(before, after)):
            edge = min(size - 1, max(1, round(size * (k + 1) / (join.frames + 1))))  # every frame shows both shots
            span = slice(0, edge) if join.direction in ("right", "down") else slice(size - edge, size)
            img = a.copy()
            if across:
                img[:, span] = b[:, span]
            else:
                img[span] = b[span]
            out.append(img)
    return [np.clip(np.rint(img), 0, 255).astype(np.uint8) for img in out]
