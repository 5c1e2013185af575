"""Rules that tell "the same picture changed" from "another picture" without calibration.

Each rule is a small object called on a run of frames (``Frames``) at some positions, returning a bool
per position; ``Rules`` combines them with what the signals say. Vetoes say "no cut, whatever the score";
``UnrelatedCuts`` and ``LatentUnrelated`` say "a cut, whatever else". The layout rules read the pictures'
coarse luma layouts (``signals.layouts``), which ignore brightness, so a dip, a glow or a smear over the same
picture leaves them as they were; they need the pix signal. The latent rules stand in for them with the KL alone; with
both, the guard asks them too, and ``LatentUnrelated`` finds the unrelated pictures the layouts cannot tell (flat
colour under the same overlay).

    guard = SamePictureGuard()
    vetoed = guard(frames, np.arange(len(frames)))  # True: the frame keeps the previous one's picture
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .frames import Frames
from .kl import prior_kl, symmetric_kl
from .signals import SIGNALS, layout_similarity, pixel_change, veils

KL = SIGNALS.index("kl")


class Rule(Protocol):
    def __call__(self, f: Frames, pos: np.ndarray) -> np.ndarray:
        """[len(pos)] bool: the rule holds for the frames of ``f`` at ``pos``."""


def similarity(f: Frames, pos: np.ndarray, a: int, b: int) -> np.ndarray:
    """Layout correlation of frames ``pos + a`` and ``pos + b``; NaN where either lies off the run."""
    ok = (pos + a >= 0) & (pos + b < len(f))
    out = np.full(len(pos), np.nan)
    out[ok] = layout_similarity(f.layout[pos[ok] + a], f.layout[pos[ok] + b])
    return out


@dataclass
class SamePictureConfig:
    layout: float = 0.8  # layout correlation from which two frames show the same picture (dev cuts: <= 0.55 but smears)
    colour: float = 0.05  # colour-balance shift up to which a same-layout frame is the same picture (a recolour is a cut)
    latent: bool = True  # with the KL in use, veto only where a latent rule agrees that the picture stayed


class SamePictureGuard:
    """Veto: the frame keeps the previous frame's layout and colour balance (a dip, a glow, a key-pose jump
    or zoom punch of limited animation, a smear), so it is no cut however much the signals jump.

    Two shots of one place or one person can share a layout and a colour balance too (the same snow field,
    the same singer in the same set). The VAE's posterior tells their content apart where a coarse luma grid
    cannot, so with the KL in use the guard vetoes only where a ``latent`` rule agrees that the picture
    stayed: the latent's change is small beside what the posteriors hold, or no jump at all."""

    def __init__(self, cfg: SamePictureConfig | None = None, latent: tuple[Rule, ...] = ()):
        self.cfg = cfg or SamePictureConfig()
        self.latent = latent

    def __call__(self, f: Frames, pos: np.ndarray) -> np.ndarray:
        cross = similarity(f, pos, -1, 0)
        shift = np.abs(f.colour[pos] - f.colour[np.maximum(pos - 1, 0)]).sum(1)
        same = (cross >= self.cfg.layout) & (shift <= self.cfg.colour)
        if self.latent and self.cfg.latent:
            same &= np.logical_or.reduce([rule(f, pos) for rule in self.latent])
        return same


@dataclass
class VeilConfig:
    rest: float = 0.1  # the share of the change that one veil leaves unexplained, at most (dev cuts that fit: >= 0.19; 0: off)
    grey: float = 20.0  # the veil's colour: its channels within this many levels of their mean (a light, not a tint)...
    light: float = 128.0  # ...each at least this bright
    layout: float = 0.3  # the layouts still correlate above this: the picture shows through (a cut to white hides it)
    back: int = 6  # the frames before, each compared: lightning flickers, each frame a new veil over the same picture
    least: float = 0.02  # the change from the frame compared, at least (mean, 0-1): a return to a picture is no veil


class Veil:
    """Veto: the frame is the one before under a veil of light (lightning, a camera flash, a strobe, a lamp switched
    on) or with one lifted: one bright grey colour laid over the picture, by an amount that varies smoothly over the
    frame and leaves the picture showing through (its layout), explains its change from the frame before, or from one
    of the ``back`` frames before (a flicker lays a new veil over the same picture each frame; ``signals.veils``). The
    same-picture guard misses it where the veil lights one part more (the layout changes), where the colour balance
    moves towards grey and where the latent jumps; a flash longer than ``flash_frames`` then makes two false cuts, as
    it comes and as it goes. A cut replaces the picture: no one colour and smooth amount explain the new one, so the
    veil is a final veto (``Rules.final``): the latent can jump under a veil as far as between two shots."""

    def __init__(self, cfg: VeilConfig | None = None):
        self.cfg = cfg or VeilConfig()

    def __call__(self, f: Frames, pos: np.ndarray) -> np.ndarray:
        cfg, out = self.cfg, np.zeros(len(pos), bool)
        for k in range(1, cfg.back + 1) if cfg.rest > 0 else ():
            ok = np.flatnonzero(~out & (similarity(f, pos, -k, 0) > cfg.layout))  # NaN (off the run): not compared
            ok = ok[pixel_change(f.pixels[pos[ok] - k], f.pixels[pos[ok]]) >= cfg.least]
            if len(ok):
                p = pos[ok]
                rest, colour = veils(f.pixels[p - k], f.pixels[p])
                grey = np.abs(colour - colour.mean(1, keepdims=True)).max(1) <= cfg.grey
                out[ok] = (rest <= cfg.rest) & grey & (colour.min(1) >= cfg.light)
        return out


@dataclass
class UnrelatedConfig:
    layout: float = 0.5  # layout correlation up to which two pictures are unrelated (dev in-shot pairs: >= 0.6)
    gap: float = 0.5  # each side's own correlation exceeds the across one by this (dev cuts >= 0.53; a shake less)
    area: float = 0.25  # share of the layout that must change (dev cuts >= 0.37; an object jumping over a plain ground less)
    within: float = 0.8  # each side's own correlation, at least: it continues its own shot


class UnrelatedCuts:
    """A cut whatever the threshold, the other signals or the last cut: the frame's picture is unrelated to
    those before (and the next ``lookahead`` do not return to them) while each side continues its own shot.
    Dense fan edits need it: their dips inflate every neighbourhood, so such cuts hardly stand out."""

    def __init__(self, cfg: UnrelatedConfig | None = None, lookahead: int = 2):
        self.cfg = cfg or UnrelatedConfig()
        self.lookahead = lookahead

    def __call__(self, f: Frames, pos: np.ndarray) -> np.ndarray:
        cfg = self.cfg
        cross = similarity(f, pos, -1, 0)
        across = np.fmax.reduce([cross, similarity(f, pos, -2, 0)]
                                + [similarity(f, pos, -1, k) for k in range(1, self.lookahead + 1)])
        area = (np.abs(f.layout[pos] - f.layout[np.maximum(pos - 1, 0)]) > 0.5).mean(1)  # by half the contrast
        within = np.fmin(similarity(f, pos, -2, -1), similarity(f, pos, 0, 1))  # at a stream's start: the later side
        return (np.isfinite(cross) & (across <= cfg.layout) & (area >= cfg.area)
                & (within >= cfg.within) & (within - across >= cfg.gap))


def adjacent_kl(kl: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """The larger KL of the frames just before and just after ``pos`` (a stream's first frame, or one not yet
    followed, counts as 0 there): how much the latent moves beside the frame."""
    after = np.where(pos + 1 < len(kl), kl[np.minimum(pos + 1, len(kl) - 1)], 0.0)
    return np.maximum(kl[np.maximum(pos - 1, 0)], after)


@dataclass
class LatentShareConfig:
    share: float = 0.1  # a cut's KL is at least this share of the two frames' KL to the prior (0: never vetoes)...
    alone: float = 0.05  # ...or this share where the KL decides alone: a veto no other signal confirms needs less change


class LatentShare:
    """Veto with the KL but not the pixels: the latent's change is small beside what the two posteriors hold
    (their KL to the prior). Two unrelated pictures share nothing of it; a pose jump changes a little.

    ``alone``: no other signal confirms the veto (no pix signal, so no same-picture guard around it), so it
    takes half the change to veto. Two shots that the encoder compresses together (look-alike shots of a
    camera, which the bundled model never saw in training) change the latent by little, and the KL alone
    would lose them to a share meant to confirm what the layouts already say."""

    def __init__(self, cfg: LatentShareConfig | None = None, alone: bool = False):
        self.cfg = cfg or LatentShareConfig()
        self.share = self.cfg.alone if alone else self.cfg.share

    def __call__(self, f: Frames, pos: np.ndarray) -> np.ndarray:
        share = self.share * prior_kl(f.mu, f.logvar)
        return f.raw[pos, KL] < share[pos] + share[np.maximum(pos - 1, 0)]


@dataclass
class LatentSpikeConfig:
    ratio: float = 2.0  # a cut's KL is at least this many times the frame before's and after's (0: never vetoes)


class LatentSpike:
    """Veto with the KL but not the pixels: the latent changes at the pace of an adjacent frame (a dip, a zoom:
    a gradual change), not in one jump."""

    def __init__(self, cfg: LatentSpikeConfig | None = None):
        self.cfg = cfg or LatentSpikeConfig()

    def __call__(self, f: Frames, pos: np.ndarray) -> np.ndarray:
        kl = f.raw[:, KL]
        return kl[pos] < self.cfg.ratio * adjacent_kl(kl, pos)


@dataclass
class LatentUnrelatedConfig:
    share: float = 1.0  # the pair's KL is at least this many times the posteriors' mean KL to the prior (0: never)...
    within: float = 10.0  # ...and this many times the KL of the frame before and of the frame after


class LatentUnrelated:
    """A cut whatever the threshold or the last cut, from the KL (``UnrelatedCuts`` without the layouts; with the
    pixels in use too, beside it, for pictures whose layouts say little: flat colours): the two posteriors are
    farther apart than each is from the prior, so the pictures share nothing; the latent hardly moves on the frame
    before or after, so each side continues its own shot; and within ``lookahead`` frames neither does the picture
    before come back nor is this one a return to a picture seen just before (a flash either way). A shot shorter
    than the minimum scene length (an edit's flash cut) then keeps its cuts.

    ``related``: with the pixels in use, a rule that says where the pictures themselves are related (their layouts
    correlate and the colour balance holds: a camera swinging across the same trees); the latent's word stands only
    where they are not (a recolour, flat colours under one overlay), never against them."""

    def __init__(self, cfg: LatentUnrelatedConfig | None = None, lookahead: int = 2, related: Rule | None = None):
        self.cfg = cfg or LatentUnrelatedConfig()
        self.lookahead = lookahead
        self.related = related

    def __call__(self, f: Frames, pos: np.ndarray) -> np.ndarray:
        cfg, kl, n = self.cfg, f.raw[:, KL], len(f)
        if cfg.share <= 0:
            return np.zeros(len(pos), bool)
        prior = prior_kl(f.mu, f.logvar)
        before = np.maximum(pos - 1, 0)
        unrelated = kl[pos] >= cfg.share * 0.5 * (prior[pos] + prior[before])
        alone = kl[pos] >= cfg.within * adjacent_kl(kl, pos)
        for k in range(1, self.lookahead + 1):
            # the picture before does not come back, and this one is no return to a picture just seen (after a
            # flash of up to ``lookahead`` frames); frames off the run are not known, so they do not stop it
            ahead, behind = np.minimum(pos + k, n - 1), np.maximum(pos - 1 - k, 0)
            unrelated &= (pos + k >= n) | self._apart(f, prior, before, ahead)
            unrelated &= (pos - 1 - k < 0) | self._apart(f, prior, behind, pos)
        if self.related is not None:  # asked only where the latent says unrelated
            said = np.flatnonzero(unrelated)
            unrelated[said] = ~self.related(f, pos[said])
        return (pos >= 1) & unrelated & alone

    def _apart(self, f: Frames, prior: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Frames ``a`` and ``b`` are farther apart than each is from the prior (NaN posteriors: not known, apart)."""
        kl = symmetric_kl(f.mu[a], f.logvar[a], f.mu[b], f.logvar[b])
        return ~(kl < self.cfg.share * 0.5 * (prior[a] + prior[b]))


@dataclass(frozen=True)
class Rules:
    """The rules in use: ``vetoes`` remove candidates, ``cuts`` make them (where the picture changes at all), and
    ``final`` vetoes remove both: what they say of a frame no cut rule overrides."""

    vetoes: tuple[Rule, ...] = ()
    cuts: tuple[Rule, ...] = ()
    final: tuple[Rule, ...] = ()

    def apply(self, f: Frames, pos: np.ndarray, agreed: np.ndarray, faint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(candidates, forced) at ``pos``: frames every signal agrees on (``agreed``) that no veto removes, and
        frames a cut rule makes a cut (``forced``) unless ``faint`` (their picture hardly changes); a final veto
        removes either."""
        vetoed, forced = np.zeros(len(pos), bool), np.zeros(len(pos), bool)
        asked = np.flatnonzero(agreed)  # a veto only matters where the signals agree
        for rule in self.vetoes if len(asked) else ():
            vetoed[asked] |= rule(f, pos[asked])
        for rule in self.cuts:
            forced |= rule(f, pos)
        asked = np.flatnonzero(agreed | forced)
        for rule in self.final if len(asked) else ():
            final = rule(f, pos[asked])
            vetoed[asked] |= final
            forced[asked] &= ~final
        return (agreed & ~vetoed) | (forced & ~faint), forced
