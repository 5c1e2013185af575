"""Scoring detected cuts against labels: pure functions, no I/O.

The rules are those of the label format (``docs/labels.md``):

- hard cuts are matched one-to-one to detections within ``tolerance`` frames; the matching
  maximises the number of hits first and then minimises the total frame offset, so a
  detection exactly on a cut is never the one left over when two detections crowd it;
- an unmatched detection inside a gradual or dont_care span, or within ``tolerance`` of an
  optional boundary, is neither a hit nor a false alarm; every other one is a false alarm;
- gradual transitions are scored on their own, against the detected transitions (spans): a
  labelled span is found when a detected transition overlaps it within ``gradual_tolerance``
  frames; a detected transition that overlaps (within the same slack) no labelled gradual span,
  no dont_care span and no hard cut is a false alarm; gradual precision is found / (found + false
  alarms), recall found / labelled, F1 ``2 found / (2 found + false alarms + missed)``;
- false alarms inside hard-negative spans are counted by the span's kind;
- the scene list (the scene starts that ``detect --json``/``--csv`` and ``split`` use: each
  transition one boundary, the cuts it holds no second one) is scored as one list of
  boundaries (``score_scenes``): a labelled hard cut is found by a scene start within
  ``tolerance`` frames, a labelled gradual span by one scene start inside it widened by
  ``gradual_tolerance`` frames on each side; starts and labelled boundaries are paired one-to-one,
  as many pairs as possible, then the closest (to the cut, or to the span's middle frame). A
  start left over is ignored inside a dont_care span or within ``tolerance`` of an optional
  boundary, and is a false alarm otherwise, even inside a gradual span whose boundary another
  start already gave (an *invented* boundary: a fade cut in two). Precision is found / (found +
  false alarms), recall found / (labelled cuts + labelled spans), so a merged boundary (two
  labelled cuts, one scene start) shows as a miss and an invented one as a false alarm.

Rates with nothing to divide by are None (undefined), never a made-up 0 or 1: a clip without
cuts has no recall, a run without detections no precision. F1 is ``2TP / (2TP + FP + FN)``,
defined whenever there was anything to find or anything found.

Usage::

    score = score_clip(labels, [30, 181, 400], tolerance=2, transitions=[(210, 240)], scenes=[30, 181, 225, 400])
    print(score.precision, score.misses, score.false_alarms, score.gradual.f1, score.scenes.f1)
    print(micro([score, other]).f1)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .labels import Labels


@dataclass
class EvalConfig:
    """How detections are scored against labels (``reprocut eval``, and bench's accuracy section)."""

    tolerance: int = 2  # frames a detection may be off a hard cut (docs/labels.md)
    gradual_tolerance: int = 3  # frames a detected transition may fall short of a labelled gradual span


def ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def prf(tp: int, fp: int, fn: int) -> tuple[float | None, float | None, float | None]:
    """Precision, recall and F1; None where undefined."""
    return ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(2 * tp, 2 * tp + fp + fn)


def assign(windows: Sequence[tuple[int, int, int]], points: Sequence[int]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """One-to-one pairing of labelled ``windows`` (first, last, centre) with ``points`` (frames) that lie inside them:
    (pairs (window index, point), indices of the windows left alone, points left alone).

    As many pairs as possible, and among those the smallest total distance from each point to its
    window's centre. A point can only pair with a window that holds it, so windows and points
    split into independent groups wherever nothing overlaps, and each small group is solved
    exactly as an assignment problem.
    """
    # scipy takes ~1 s to import: paid when scoring, not when a command that only needs EvalConfig starts
    from scipy.optimize import linear_sum_assignment

    items = sorted([(int(w[0]), int(w[1]), 0, i) for i, w in enumerate(windows)] + [(int(p), int(p), 1, int(p)) for p in points])
    pairs: list[tuple[int, int]] = []
    alone: list[int] = []
    extra: list[int] = []

    def solve(group: list[tuple[int, int, int, int]]) -> None:
        w = [i for *_, kind, i in group if kind == 0]
        d = [p for *_, kind, p in group if kind == 1]
        if not w or not d:
            alone.extend(w)
            extra.extend(d)
            return
        lo, hi, centre = (np.array([windows[i][k] for i in w])[:, None] for k in range(3))
        dets = np.array(d)[None, :]
        inside = (lo <= dets) & (dets <= hi)
        dist = np.abs(dets - centre)
        big = (int(dist[inside].max(initial=0)) + 1) * (len(w) + len(d) + 1)  # any extra pair outweighs every distance
        rows, cols = linear_sum_assignment(np.where(inside, dist, big))
        used_w, used_d = set(), set()
        for r, c in zip(rows, cols):
            if inside[r, c]:
                pairs.append((w[r], d[c]))
                used_w.add(r)
                used_d.add(c)
        alone.extend(i for k, i in enumerate(w) if k not in used_w)
        extra.extend(p for k, p in enumerate(d) if k not in used_d)

    group: list[tuple[int, int, int, int]] = []
    reach = 0  # the last frame any window or point of the group reaches
    for item in items:
        if group and item[0] > reach:
            solve(group)
            group = []
        group.append(item)
        reach = item[1] if len(group) == 1 else max(reach, item[1])
    if group:
        solve(group)
    return pairs, sorted(alone), sorted(extra)


def match(truth: Sequence[int], detections: Sequence[int], tolerance: int) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """One-to-one matching within ``tolerance``: (pairs (truth, detection), unmatched truth, unmatched detections)."""
    if tolerance < 0:
        raise ValueError("tolerance must be >= 0")
    truth = sorted(int(t) for t in truth)
    pairs, alone, extra = assign([(t - tolerance, t + tolerance, t) for t in truth], detections)
    return sorted((truth[i], d) for i, d in pairs), [truth[i] for i in alone], extra


def _inside(frame: int, spans: Iterable[tuple[int, ...]]) -> tuple[int, ...] | None:
    return next((s for s in spans if s[0] <= frame <= s[1]), None)


def overlaps(a: tuple[int, ...], b: tuple[int, ...], slack: int) -> bool:
    """Spans [first, last] that share a frame once either is widened by ``slack`` frames on each side."""
    return a[0] - slack <= b[1] and b[0] - slack <= a[1]


class Rates:
    """Precision, recall and F1 from ``tp``, ``fp`` and ``fn`` (None where undefined)."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        return prf(self.tp, self.fp, self.fn)[0]

    @property
    def recall(self) -> float | None:
        return prf(self.tp, self.fp, self.fn)[1]

    @property
    def f1(self) -> float | None:
        return prf(self.tp, self.fp, self.fn)[2]


class Tally(Rates):
    """Rates of a dataclass that lists its ``missed`` and its ``false_alarms``; two add up field by field (lists
    joined, counts summed): the micro-average over clips."""

    missed: list
    false_alarms: list

    @property
    def fp(self) -> int:
        return len(self.false_alarms)

    @property
    def fn(self) -> int:
        return len(self.missed)

    def __add__(self, other: Tally) -> Tally:
        return type(self)(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


@dataclass
class GradualScore(Tally):
    """Labelled gradual spans found or missed by detected transitions, and the transitions that are false alarms."""

    found: list[tuple[int, int]] = field(default_factory=list)  # labelled spans a detected transition overlaps
    missed: list[tuple[int, int]] = field(default_factory=list)
    false_alarms: list[tuple[int, int]] = field(default_factory=list)  # detected spans that overlap nothing labelled
    detected: int = 0  # transitions detected

    @property
    def tp(self) -> int:
        return len(self.found)


def score_gradual(labels: Labels, transitions: Iterable[tuple[int, int]], slack: int = EvalConfig.gradual_tolerance) -> GradualScore:
    """Score one clip's detected transitions, as (first, last) frames, against its labelled gradual spans."""
    if slack < 0:
        raise ValueError("gradual tolerance must be >= 0")
    spans = sorted((int(a), int(b)) for a, b in transitions)
    score = GradualScore(detected=len(spans))
    for label in labels.gradual:
        (score.found if any(overlaps(label, t, slack) for t in spans) else score.missed).append(label)
    excused = [*labels.gradual, *labels.dont_care, *((c, c) for c in labels.cuts)]
    score.false_alarms = [t for t in spans if not any(overlaps(t, e, slack) for e in excused)]
    return score


@dataclass
class SceneScore(Tally):
    """The scene list's starts against every labelled boundary: hard cuts and gradual spans, one boundary each."""

    cuts: list[tuple[int, int]] = field(default_factory=list)  # (labelled cut, scene start) found
    gradual: list[tuple[tuple[int, int], int]] = field(default_factory=list)  # (labelled span, scene start) found
    missed: list[tuple[int, int]] = field(default_factory=list)  # labelled cuts (c, c) and spans left without a start
    false_alarms: list[int] = field(default_factory=list)  # starts that match nothing labelled
    invented: list[int] = field(default_factory=list)  # those of them inside a labelled gradual span (widened): a second start
    ignored: list[tuple[int, str]] = field(default_factory=list)  # (start, dont_care | optional)
    labelled_cuts: int = 0
    labelled_gradual: int = 0

    @property
    def tp(self) -> int:
        return len(self.cuts) + len(self.gradual)


def score_scenes(labels: Labels, starts: Iterable[int], tolerance: int = EvalConfig.tolerance,
                 gradual_tolerance: int = EvalConfig.gradual_tolerance) -> SceneScore:
    """Score one clip's scene list, given the first frame of every scene after the first (the module's rules)."""
    if tolerance < 0 or gradual_tolerance < 0:
        raise ValueError("tolerances must be >= 0")
    truth = [(c, c) for c in labels.cuts] + list(labels.gradual)
    windows = [(c - tolerance, c + tolerance, c) for c in labels.cuts]
    windows += [(a - gradual_tolerance, b + gradual_tolerance, (a + b + 1) // 2) for a, b in labels.gradual]
    pairs, alone, extra = assign(windows, sorted(int(s) for s in starts if s > 0))
    score = SceneScore(missed=sorted(truth[i] for i in alone), labelled_cuts=len(labels.cuts),
                       labelled_gradual=len(labels.gradual))
    for i, start in sorted(pairs, key=lambda p: p[1]):
        if i < len(labels.cuts):
            score.cuts.append((labels.cuts[i], start))
        else:
            score.gradual.append((truth[i], start))
    for start in extra:
        if _inside(start, labels.dont_care):
            score.ignored.append((start, "dont_care"))
        elif any(abs(start - o) <= tolerance for o in labels.optional):
            score.ignored.append((start, "optional"))
        else:
            score.false_alarms.append(start)
            if _inside(start, windows[len(labels.cuts):]):
                score.invented.append(start)
    return score


@dataclass
class ClipScore(Rates):
    name: str
    cuts: int  # labelled hard cuts
    hits: list[tuple[int, int]] = field(default_factory=list)  # (labelled frame, detected frame)
    misses: list[int] = field(default_factory=list)  # labelled frames without a detection
    false_alarms: list[int] = field(default_factory=list)  # detected frames that count against precision
    ignored: list[tuple[int, str]] = field(default_factory=list)  # (detected frame, gradual | dont_care | optional)
    false_alarm_kinds: dict[str, int] = field(default_factory=dict)  # hard-negative kind -> false alarms inside
    gradual: GradualScore = field(default_factory=GradualScore)
    scenes: SceneScore | None = None  # the scene list's boundaries, where it was scored

    @property
    def tp(self) -> int:
        return len(self.hits)

    @property
    def fp(self) -> int:
        return len(self.false_alarms)

    @property
    def fn(self) -> int:
        return len(self.misses)


def score_clip(labels: Labels, detections: Iterable[int], tolerance: int = EvalConfig.tolerance,
               transitions: Iterable[tuple[int, int]] = (), gradual_tolerance: int = EvalConfig.gradual_tolerance,
               scenes: Iterable[int] | None = None) -> ClipScore:
    """Score one clip's detected cut frames (duplicates count: a second detection of one cut is a false alarm),
    its detected transitions, as (first, last) frames, and, given, the first frames of its scene list's scenes."""
    dets = sorted(int(d) for d in detections)
    pairs, misses, extra = match(labels.cuts, dets, tolerance)
    score = ClipScore(labels.name, len(labels.cuts), pairs, misses)
    for d in extra:
        if _inside(d, labels.gradual):
            score.ignored.append((d, "gradual"))
        elif _inside(d, labels.dont_care):
            score.ignored.append((d, "dont_care"))
        elif any(abs(d - o) <= tolerance for o in labels.optional):
            score.ignored.append((d, "optional"))
        else:
            score.false_alarms.append(d)
            negative = _inside(d, labels.hard_negatives)
            if negative:
                kind = negative[2]
                score.false_alarm_kinds[kind] = score.false_alarm_kinds.get(kind, 0) + 1
    score.gradual = score_gradual(labels, transitions, gradual_tolerance)
    if scenes is not None:
        score.scenes = score_scenes(labels, scenes, tolerance, gradual_tolerance)
    return score


@dataclass
class Totals(Rates):
    """Micro-averaged counts over clips: every cut and every detection weighs the same."""

    clips: int
    cuts: int
    tp: int
    fp: int
    fn: int
    gradual: GradualScore
    false_alarm_kinds: dict[str, int]
    scenes: SceneScore | None = None  # the scene lists of the clips that had theirs scored


def micro(scores: Iterable[ClipScore]) -> Totals:
    scores = list(scores)
    scored = [s.scenes for s in scores if s.scenes is not None]
    kinds: dict[str, int] = {}
    for s in scores:
        for kind, n in s.false_alarm_kinds.items():
            kinds[kind] = kinds.get(kind, 0) + n
    return Totals(
        clips=len(scores),
        cuts=sum(s.cuts for s in scores),
        tp=sum(s.tp for s in scores),
        fp=sum(s.fp for s in scores),
        fn=sum(s.fn for s in scores),
        gradual=sum((s.gradual for s in scores), GradualScore()),
        false_alarm_kinds=dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        scenes=sum(scored, SceneScore()) if scored else None,
    )
