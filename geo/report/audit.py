"""Audit of a suppression pattern against an attacker who solves the published equations.

What the attacker knows (everything one export shows, for all its tables at once):

- every shown number, and every equation between numbers of the export (a total
  is the sum of its cells; the same total printed in two tables is one number;
  the encounters in the field areas add up to the distinct total through the
  overlaps of the areas, ...);
- that ``<k`` stands for a count from 1 to k−1, that ``x`` stands for a count of
  at least k (small counts are always printed ``<k``), that ``:`` (withheld)
  stands for a count of at least 1, and that zero is always printed;
- that every count is a whole number ≥ 0.

For each suppressed entry, and for each *latent* quantity that is not printed but
is a difference of printed ones (the encounters that are not new contacts, those
outside the listed H3 cells, ...), :class:`Auditor` computes its *feasible
interval*: the smallest and largest value consistent with all of the above. Bounds
come from a linear programme (:func:`scipy.optimize.linprog`, HiGHS) per connected
group of unknowns; where the LP optimum is not attained at a whole-number point,
the bound is recomputed as an integer programme (:func:`scipy.optimize.milp`),
so every interval is exact for whole numbers.

:class:`Protection` says when an interval is wide enough, and :func:`secure`
suppresses more entries, least information first, until every interval is.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

SHOWN, SMALL, HIDDEN, LATENT, WITHHELD = 0, 1, 2, 3, 4
"""Status codes: printed; printed ``<k`` (primary); printed ``x`` (secondary, at least k); never
printed (a difference of printed numbers); printed ``:`` (withheld: at least 1, no more said)."""

_RELAXES = {(SHOWN, HIDDEN), (SHOWN, WITHHELD), (SMALL, WITHHELD), (HIDDEN, WITHHELD)}
"""Status changes that only widen what an entry may be (the suppression loop makes no others)."""

MAX_TRIALS = 4
"""Candidates tried (by re-solving) before a further entry is suppressed; see :func:`secure`."""

UNBOUNDED = 10**7
"""Upper bound given to every unknown (no count in one export comes near it); an interval
reaching half of it is open above."""

_INT_TOL = 1e-6


@dataclass(frozen=True, slots=True)
class Protection:
    """When a suppression pattern is accepted.

    - Every suppressed count whose true value is 1..k−1 (a ``<k``, a withheld
      ``:``) keeps the whole range 1..k−1 feasible.
    - Every other suppressed count (an ``x``, a withheld ``:``) keeps a feasible
      interval at least ``secondary_width`` wide (upper − lower; default k).
    - A sensitive latent quantity (never printed: the encounters on one day,
      in one overlap of areas, not new contacts) whose true value is 1..k−1
      keeps an interval at least ``latent_width`` wide (default k−2: as many
      possible values as a ``<k``).

    Except where nothing can widen it (:meth:`Auditor.floor`: zeros are always
    printed, so a total over two nonzero cells is at least 2): then the
    interval must be as wide as that.
    """

    k: int
    secondary_width: int
    latent_width: int

    @classmethod
    def default(cls, k: int) -> Protection:
        """The default protection for ``k``: secondary intervals at least k wide, latent small
        quantities as uncertain as a ``<k`` (k−1 possible values)."""
        return cls(k=k, secondary_width=k, latent_width=k - 2)


@dataclass(slots=True)
class System:
    """Every number of one export: published entries, latent quantities and the equations between them.

    Entries are identified by hashable keys; adding the same key twice returns
    the same entry (a total printed in two tables is one number), and its value
    must agree. Every equation is checked against the true values when it is
    added, so a wrong model fails loudly instead of protecting the wrong thing.
    """

    keys: list[Hashable] = field(default_factory=list)
    values: list[int] = field(default_factory=list)
    latent: list[bool] = field(default_factory=list)
    sensitive: list[bool] = field(default_factory=list)
    lower: list[int] = field(default_factory=list)
    equations: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    _index: dict[Hashable, int] = field(default_factory=dict)

    def add(self, key: Hashable, value: int, *, latent: bool = False, sensitive: bool = True, lower: int = 0) -> int:
        """The entry ``key`` (created when new) holding the true count ``value``.

        ``latent`` quantities are never printed; ``sensitive`` ones must stay
        uncertain (:attr:`Protection.latent_width`) when their true value is
        1..k−1; ``lower`` is what the attacker knows as their lower bound.
        """
        value = int(value)
        if value < 0:
            raise ValueError(f"{key!r}: a count cannot be negative; got {value}")
        if key in self._index:
            i = self._index[key]
            if self.values[i] != value or self.latent[i] != latent:
                raise ValueError(f"{key!r} was added as {self.values[i]} and again as {value}")
            return i
        self._index[key] = len(self.keys)
        self.keys.append(key)
        self.values.append(value)
        self.latent.append(latent)
        self.sensitive.append(sensitive)
        self.lower.append(int(lower))
        return self._index[key]

    def index(self, key: Hashable) -> int:
        return self._index[key]

    def __contains__(self, key: Hashable) -> bool:
        return key in self._index

    def sum_of(self, parts: Iterable[Hashable], total: Hashable) -> None:
        """Publish the equation ``sum(parts) == total`` (keys of entries already added)."""
        members = [self._index[p] for p in parts]
        t = self._index[total]
        if sum(self.values[m] for m in members) != self.values[t]:
            raise ValueError(f"{total!r} = {self.values[t]} is not the sum of its {len(members)} parts")
        variables = np.asarray([*members, t], dtype=np.int64)
        coefs = np.asarray([1] * len(members) + [-1], dtype=np.int64)
        self.equations.append((variables, coefs))

    def __len__(self) -> int:
        return len(self.keys)

    def initial_status(self, k: int, *, forced: Iterable[Hashable] = ()) -> np.ndarray:
        """Primary suppression: 1..k−1 is ``<k``; entries in ``forced`` (nonzero) are at least ``x``."""
        values = np.asarray(self.values, dtype=np.int64)
        status = np.where((values > 0) & (values < k), SMALL, SHOWN).astype(np.int8)
        for key in forced:
            i = self._index[key]
            if status[i] == SHOWN and values[i] > 0:
                status[i] = HIDDEN
        status[np.asarray(self.latent, dtype=bool)] = LATENT
        return status


@dataclass(frozen=True, slots=True)
class Finding:
    """An entry whose feasible interval is too narrow under :class:`Protection`."""

    entry: int
    key: Hashable
    lower: float
    upper: float
    secondary: bool
    low_side: bool = True
    high_side: bool = True
    """Which bounds are too narrow: the lower (too high), the upper (too low); both for a width."""

    @property
    def pinned(self) -> bool:
        return self.lower == self.upper


class Auditor:
    """Feasible intervals of the unknown entries of a :class:`System` under a status vector.

    Shown entries are substituted as constants; the remaining unknowns split
    into groups connected by equations, and each group is solved on its own
    (results are cached per group and status, so suppressing one more entry
    re-solves only the group it joins).
    """

    def __init__(self, system: System, protection: Protection, *, frozen: np.ndarray | None = None) -> None:
        self.system = system
        self.frozen = np.zeros(len(system), dtype=bool) if frozen is None else np.asarray(frozen, dtype=bool)
        self.protection = protection
        self.k = protection.k
        self.values = np.asarray(system.values, dtype=np.int64)
        self.latent = np.asarray(system.latent, dtype=bool)
        self.sensitive = np.asarray(system.sensitive, dtype=bool)
        self.lower = np.asarray(system.lower, dtype=np.int64)
        self.members = [v for v, _ in system.equations]
        self._coefs = [c for _, c in system.equations]
        self.equations_of: list[list[int]] = [[] for _ in range(len(system))]
        for e, variables in enumerate(self.members):
            for v in variables:
                self.equations_of[int(v)].append(e)
        self._cache: dict[tuple, float] = {}
        self._gains: dict[tuple, dict[int, float]] = {}
        self._binding: dict[tuple, tuple[list[int], list[int]]] = {}
        self._points: list[np.ndarray] = [self.values.astype(np.float64)]
        self._pool = self._points[0][None, :]
        self._pool_status: np.ndarray | None = None
        self._floor_status: np.ndarray | None = None

    # --- what must be checked -------------------------------------------------------------------
    def targets(self, status: np.ndarray) -> np.ndarray:
        """Suppressed published entries and sensitive latent quantities with a true value 1..k−1."""
        small_latent = self.latent & self.sensitive & (self.values > 0) & (self.values < self.k)
        return np.flatnonzero((status == SMALL) | (status == HIDDEN) | (status == WITHHELD) | small_latent)

    def findings(self, status: np.ndarray, *, first_only: bool = False) -> list[Finding]:
        """Every target whose interval does not meet the protection, in entry order."""
        out = []
        for i in self.targets(status):
            finding = self.check(int(i), status)
            if finding is not None:
                out.append(finding)
                if first_only:
                    break
        return out

    def check(self, i: int, status: np.ndarray) -> Finding | None:
        """None when entry ``i`` is protected enough under ``status``; else the finding.

        Whole-number points known to be feasible (the true counts, and every
        optimum found so far under this status or a narrower one) settle most
        checks without solving: if they already take entry ``i`` over the
        required range, the exact interval can only be wider.
        """
        pool = self._feasible_points(status)
        lo, hi = float(pool[:, i].min()), float(pool[:, i].max())
        if self.meets(i, lo, hi):
            return None
        secondary = bool(self.values[i] >= self.k or self.latent[i])  # a width to keep, not a range
        low_side = secondary or lo > 1
        high_side = secondary or hi < self.k - 1
        if low_side:  # a side the known points already settle needs no solving
            lo = self.bound(i, status, upper=False, record=True)
        if high_side:
            hi = self.bound(i, status, upper=True, record=True)
        if self.meets(i, lo, hi) or self.meets(i, lo, hi, floor=self.floor(i)):
            return None
        if not secondary:
            low_side, high_side = lo > 1, hi < self.k - 1
        return Finding(i, self.system.keys[i], lo, hi, secondary, low_side, high_side)

    def meets(self, i: int, lo: float, hi: float, *, floor: tuple[float, float] | None = None) -> bool:
        """Whether an interval [lo, hi] of entry ``i`` is wide enough (:class:`Protection`), or, with
        ``floor``, as wide as it can ever be (see :meth:`floor`)."""
        if self.values[i] >= self.k or self.latent[i]:
            width = float(self.protection.latent_width if self.latent[i] else self.protection.secondary_width)
            if floor is not None:
                width = min(width, floor[1] - floor[0])
            return hi - lo >= width
        need_lo, need_hi = 1.0, float(self.k - 1)
        if floor is not None:
            need_lo, need_hi = max(need_lo, floor[0]), min(need_hi, floor[1])
        return lo <= need_lo and hi >= need_hi

    def floor(self, i: int) -> tuple[float, float]:
        """Entry ``i``'s interval if every nonzero count were withheld (``:``, at least 1) and only
        the zeros (always printed) were shown: what no suppression can widen. A total over m
        nonzero cells is at least m, so a ``<k`` total over two ``<k`` cells cannot be 1."""
        if self._floor_status is None:
            self._floor_status = np.where(self.latent, LATENT,
                                          np.where(self.values > 0, WITHHELD, SHOWN)).astype(np.int8)
        return self.interval(i, self._floor_status)

    def all_hidden(self, status: np.ndarray) -> np.ndarray:
        """``status`` with every shown nonzero count that may be suppressed printed as ``x``."""
        base = status.copy()
        base[(status == SHOWN) & (self.values > 0) & ~self.latent & ~self.frozen] = HIDDEN
        return base

    def hiding_can_help(self, i: int, status: np.ndarray) -> bool:
        """Whether suppressing every shown number (that may be) as ``x`` would protect entry ``i``;
        if not, what the marks themselves say narrows it, and a mark must be withheld (``:``)."""
        lo, hi = self.interval(i, self.all_hidden(status))
        return self.meets(i, lo, hi) or self.meets(i, lo, hi, floor=self.floor(i))

    def binding_marks(self, i: int, status: np.ndarray, *, upper: bool) -> list[int]:
        """Entries whose mark holds entry ``i``'s bound back under ``status``: a ``<k`` at its
        upper end k−1 or an ``x`` at its lower end k (the ones to withhold), from the LP's bound
        marginals."""
        group, _ = self.group(i, status)
        self.bound(i, status, upper=upper)
        at_lower, at_upper = self._binding[(tuple(group), tuple(int(s) for s in status[group]), i, upper)]
        return sorted({v for v in at_upper if status[v] == SMALL} | {v for v in at_lower if status[v] == HIDDEN})

    # --- intervals ----------------------------------------------------------------------------------
    def interval(self, i: int, status: np.ndarray, *, record: bool = False) -> tuple[float, float]:
        """Smallest and largest whole value of entry ``i`` consistent with what ``status`` publishes.

        ``record``: keep the optimal points as feasible points for later checks
        under ``status`` (only for the status the suppression loop is at, whose
        successors only suppress more, so the points stay feasible).
        """
        return (self.bound(i, status, upper=False, record=record),
                self.bound(i, status, upper=True, record=record))

    def bound(self, i: int, status: np.ndarray, *, upper: bool, record: bool = False) -> float:
        """The smallest (or, ``upper``, the largest) whole value of entry ``i`` under ``status``
        (inf when open above); see :meth:`interval`."""
        if status[i] == SHOWN:
            return float(self.values[i])
        group, eqs = self.group(i, status)
        key = (tuple(group), tuple(int(s) for s in status[group]), i, upper)
        if key not in self._cache:
            self._cache[key] = self._solve(i, group, eqs, status, key, upper=upper, record=record)
        return self._cache[key]

    def _feasible_points(self, status: np.ndarray) -> np.ndarray:
        """The known feasible points, as rows; reset unless ``status`` only widens (:data:`_RELAXES`)
        what the status they were found under allowed."""
        if self._pool_status is not None:
            changed = np.flatnonzero(status != self._pool_status)
            if any((int(self._pool_status[j]), int(status[j])) not in _RELAXES for j in changed):
                self._points = [self.values.astype(np.float64)]
        self._pool_status = status.copy()
        if len(self._points) != len(self._pool):
            self._pool = np.vstack(self._points)
        return self._pool

    def dual_gains(self, i: int, status: np.ndarray, *, lower: bool, upper: bool) -> dict[int, float]:
        """Shown entries whose value the LP bound of entry ``i`` depends on (nonzero dual
        sensitivity), for its lower and/or upper bound: the ones worth suppressing next."""
        if status[i] == SHOWN:
            return {}
        group, _ = self.group(i, status)
        out: dict[int, float] = {}
        for use, side in ((lower, False), (upper, True)):
            if use:
                self.bound(i, status, upper=side)
                for v, g in self._gains[(tuple(group), tuple(int(s) for s in status[group]), i, side)].items():
                    out[v] = out.get(v, 0.0) + g
        return out

    def group(self, i: int, status: np.ndarray) -> tuple[list[int], list[int]]:
        """The unknowns connected to ``i`` through equations, and those equations."""
        seen = {i}
        stack = [i]
        eqs: set[int] = set()
        while stack:
            v = stack.pop()
            for e in self.equations_of[v]:
                if e in eqs:
                    continue
                eqs.add(e)
                for w in self.members[e]:
                    w = int(w)
                    if w not in seen and status[w] != SHOWN:
                        seen.add(w)
                        stack.append(w)
        return sorted(seen), sorted(eqs)

    def _bounds_of(self, group: list[int], status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = self.k
        lb = np.zeros(len(group))
        ub = np.full(len(group), float(UNBOUNDED))
        for j, v in enumerate(group):
            s = status[v]
            if s == SMALL:
                lb[j], ub[j] = 1, k - 1
            elif s == HIDDEN:
                lb[j] = k
            elif s == WITHHELD:
                lb[j] = 1
            else:  # latent
                lb[j] = self.lower[v]
        return lb, ub

    def _solve(self, i: int, group: list[int], eqs: list[int], status: np.ndarray, key: tuple, *,
               upper: bool, record: bool = False) -> float:
        position = {v: j for j, v in enumerate(group)}
        a = np.zeros((len(eqs), len(group)))
        b = np.zeros(len(eqs))
        shown_terms: list[dict[int, float]] = []
        for r, e in enumerate(eqs):
            terms: dict[int, float] = {}
            for v, c in zip(self.members[e], self._coefs[e]):
                v = int(v)
                if v in position:
                    a[r, position[v]] += c
                else:
                    b[r] -= c * self.values[v]
                    terms[v] = terms.get(v, 0.0) + float(c)
            shown_terms.append(terms)
        lb, ub = self._bounds_of(group, status)
        sign = -1.0 if upper else 1.0  # maximise x_i as minimising −x_i
        c = np.zeros(len(group))
        c[position[i]] = sign
        optimum = _lp_bound(c, a, b, lb, ub)
        if record and np.all(optimum.point < UNBOUNDED / 2):
            full = self.values.astype(np.float64)
            full[group] = optimum.point
            self._points.append(full)
        gains: dict[int, float] = {}
        for r, terms in enumerate(shown_terms):
            if abs(optimum.duals[r]) < 1e-9:
                continue
            for v, coef in terms.items():
                # d(bound)/d(value of v) = dual of row r times d(b_r)/d(v) = −coef
                gains[v] = gains.get(v, 0.0) + abs(optimum.duals[r] * coef)
        self._gains[key] = gains
        members = np.asarray(group)
        self._binding[key] = (members[optimum.at_lower].tolist(), members[optimum.at_upper].tolist())
        value = sign * optimum.value
        return math.inf if value >= UNBOUNDED / 2 else float(value)


class _Optimum(NamedTuple):
    """What one bound's solve gives: the optimal value, the LP duals of the equations, an
    optimal whole-number point, and which variables sit at a bound that holds the optimum back."""

    value: float
    duals: np.ndarray
    point: np.ndarray
    at_lower: np.ndarray
    at_upper: np.ndarray


def _lp_bound(c: np.ndarray, a: np.ndarray, b: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> _Optimum:
    """min c·x over whole numbers x with a·x = b, lb ≤ x ≤ ub.

    The LP relaxation is solved first; when its optimum is a whole-number point
    it is the integer optimum too. Otherwise the integer programme is solved
    (duals and binding bounds are those of the LP relaxation).
    """
    result = linprog(c, A_eq=a if len(b) else None, b_eq=b if len(b) else None,
                     bounds=np.column_stack([lb, ub]), method="highs")
    if result.status != 0:
        raise RuntimeError(f"disclosure audit: the published equations have no solution ({result.message}); "
                           "this is a bug in how the export was modelled")
    duals = result.eqlin.marginals if len(b) else np.zeros(0)
    at_lower, at_upper = np.abs(result.lower.marginals) > 1e-9, np.abs(result.upper.marginals) > 1e-9
    x = result.x
    if np.all(np.abs(x - np.round(x)) < _INT_TOL):
        return _Optimum(float(np.round(result.fun)), duals, np.round(x), at_lower, at_upper)
    constraints = [LinearConstraint(a, b, b)] if len(b) else []
    exact = milp(c, constraints=constraints, integrality=np.ones(len(c)), bounds=Bounds(lb, ub))
    if exact.status != 0:
        raise RuntimeError(f"disclosure audit: integer programme failed ({exact.message})")
    return _Optimum(float(np.round(exact.fun)), duals, np.round(exact.x), at_lower, at_upper)


# --- the suppression loop -----------------------------------------------------------------------------------
def apply_line_rule(system: System, status: np.ndarray, *, frozen: np.ndarray | None = None) -> None:
    """In every equation among printed entries only, a single suppressed member takes the
    smallest nonzero shown member with it (never a ``frozen`` one); repeated to a fixed
    point, in place."""
    values = np.asarray(system.values, dtype=np.int64)
    latent = np.asarray(system.latent, dtype=bool)
    movable = (values > 0) & ~latent
    if frozen is not None:
        movable &= ~frozen
    lines = [v for v, _ in system.equations if not latent[v].any()]
    changed = True
    while changed:
        changed = False
        for members in lines:
            if np.count_nonzero(status[members]) == 1:
                candidates = members[(status[members] == SHOWN) & movable[members]]
                if candidates.size:
                    status[candidates[np.argmin(values[candidates])]] = HIDDEN
                    changed = True


def secure(system: System, protection: Protection, *, status: np.ndarray | None = None,
           fixed: Sequence[int] = ()) -> np.ndarray:
    """The final status of every entry: primary suppression, the line rule, then the audit.

    While some entry's interval is too narrow (:class:`Protection`), one more
    entry is suppressed. If hiding shown numbers can protect it at all, a shown
    nonzero number of the equations around it becomes ``x``: those the LP
    bound depends on (nonzero dual sensitivity) first, each ordered by value
    (least information lost first) and then by entry order; up to
    :data:`MAX_TRIALS` of them are tried (with the line rule after each), and
    the first that widens the interval is kept, the first in that order
    otherwise. If not (the marks themselves narrow it: a ``<k`` total over
    several ``<k`` cells), a mark that holds the bound back (an LP bound
    marginal with every shown number hidden) is withheld instead (``:``),
    smallest first. Entries in ``fixed`` (e.g. printed
    elsewhere in another form) keep their status. Deterministic: the same
    system and status give the same pattern.
    """
    frozen = np.zeros(len(system), dtype=bool)
    frozen[list(fixed)] = True
    auditor = Auditor(system, protection, frozen=frozen)
    status = system.initial_status(protection.k) if status is None else status.copy()
    apply_line_rule(system, status, frozen=frozen)
    while True:
        found = auditor.findings(status, first_only=True)
        if not found:
            return status
        finding = found[0]
        withhold = not auditor.hiding_can_help(finding.entry, status)
        choice = _next_suppression(auditor, status, finding, frozen, withhold=withhold)
        if choice is None:
            raise RuntimeError(f"disclosure audit cannot protect {finding.key!r} (feasible "
                               f"{finding.lower:g}..{finding.upper:g}) with what is left to suppress")
        status[choice] = WITHHELD if withhold else HIDDEN
        apply_line_rule(system, status, frozen=frozen)


def _next_suppression(auditor: Auditor, status: np.ndarray, finding: Finding, frozen: np.ndarray, *,
                      withhold: bool) -> int | None:
    if withhold:
        return _next_withheld(auditor, status, finding, frozen)
    return _next_hidden(auditor, status, finding, frozen)


def _next_hidden(auditor: Auditor, status: np.ndarray, finding: Finding, frozen: np.ndarray) -> int | None:
    """The shown number to print as ``x`` next (see :func:`secure`)."""
    i, values = finding.entry, auditor.values
    candidates = _candidates(auditor, status, i, frozen, kinds=(SHOWN,))
    gains = auditor.dual_gains(i, status, lower=finding.low_side, upper=finding.high_side)
    ordered = sorted(candidates, key=lambda v: (gains.get(v, 0.0) == 0.0, values[v], v))
    if not ordered:
        return None
    for v in ordered[:MAX_TRIALS]:
        trial = status.copy()
        trial[v] = HIDDEN
        apply_line_rule(auditor.system, trial, frozen=frozen)
        if finding.high_side and auditor.bound(i, trial, upper=True) > finding.upper:
            return v
        if finding.low_side and auditor.bound(i, trial, upper=False) < finding.lower:
            return v
    return ordered[0]


def _next_withheld(auditor: Auditor, status: np.ndarray, finding: Finding, frozen: np.ndarray) -> int | None:
    """The mark to withhold when hiding cannot help: one that holds the bound back with every
    shown number hidden (an LP bound marginal), the smallest first; the first whose withholding
    lets hiding help, else the first that widens that bound, else the first."""
    i = finding.entry
    base = auditor.all_hidden(status)
    sides = [side for side, use in ((True, finding.high_side), (False, finding.low_side)) if use]
    binding = sorted({v for side in sides for v in auditor.binding_marks(i, base, upper=side) if not frozen[v]},
                     key=lambda v: (auditor.values[v], v))
    if not binding:
        return None
    before = {side: auditor.bound(i, base, upper=side) for side in sides}
    widening = []
    for v in binding[:MAX_TRIALS]:
        trial = status.copy()
        trial[v] = WITHHELD
        if auditor.hiding_can_help(i, trial):
            return v
        trial_base = auditor.all_hidden(trial)
        if any((auditor.bound(i, trial_base, upper=side) > before[side]) if side else
               (auditor.bound(i, trial_base, upper=side) < before[side]) for side in sides):
            widening.append(v)
    return widening[0] if widening else binding[0]


def _candidates(auditor: Auditor, status: np.ndarray, i: int, frozen: np.ndarray, *,
                kinds: tuple[int, ...]) -> list[int]:
    """Printed nonzero entries of status ``kinds`` in the equations of ``i``'s group (``i`` itself
    included); when there are none, the equations one step further out, and so on."""
    _, equations = auditor.group(i, status)
    seen = set(equations)
    frontier = set(equations)
    first = True
    while frontier or first:
        members = {int(v) for e in frontier for v in auditor.members[e]} | ({i} if first else set())
        first = False
        out = sorted(v for v in members if status[v] in kinds and auditor.values[v] > 0
                     and not auditor.latent[v] and not frozen[v])
        if out:
            return out
        frontier = {e for v in members for e in auditor.equations_of[v]} - seen
        seen |= frontier
    return []


__all__ = [
    "HIDDEN", "LATENT", "MAX_TRIALS", "SHOWN", "SMALL", "WITHHELD", "Auditor", "Finding", "Protection", "System",
    "apply_line_rule", "secure",
]
