"""Audit of a suppression pattern against an attacker who solves the published equations.

What the attacker knows (everything one export shows, for all its tables at once):

- every shown number, and every equation between numbers of the export (a total
  is the sum of its cells; the same total printed in two tables is one number;
  the encounters in the field areas add up to the distinct total through the
  overlaps of the areas, ...);
- that ``<k`` stands for a count from 1 to k−1, that ``x`` stands for a count of
  at least k (small counts are always printed ``<k``, zero is always printed);
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

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

SHOWN, SMALL, HIDDEN, LATENT = 0, 1, 2, 3
"""Status codes: printed; printed as ``<k`` (primary); printed as ``x`` (secondary); never printed."""

MAX_TRIALS = 4
"""Candidates tried (by re-solving) before a further entry is suppressed; see :func:`secure`."""

UNBOUNDED = 10**7
"""Upper bound given to every unknown (no count in one export comes near it); an interval
reaching half of it is open above."""

_INT_TOL = 1e-6


@dataclass(frozen=True, slots=True)
class Protection:
    """When a suppression pattern is accepted.

    - A primary entry (``<k``, true value 1..k−1) and a sensitive latent quantity
      whose true value is 1..k−1 keep the whole range 1..k−1 feasible, except
      for what the marks alone already rule out (the range it would have if every
      number ≥ k were suppressed: two ``<k`` cells under a ``<k`` total cannot
      both be k−1, whatever else is shown).
    - A secondary entry (``x``) keeps a feasible interval at least
      ``secondary_width`` wide (upper − lower; default k), or as wide as the
      marks alone allow when that is less.
    """

    k: int
    secondary_width: int

    @classmethod
    def default(cls, k: int) -> Protection:
        """The default protection for ``k``: secondary intervals at least k wide."""
        return cls(k=k, secondary_width=k)


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

        ``latent`` quantities are never printed; ``sensitive`` ones must be
        protected like a ``<k`` cell when their true value is 1..k−1;
        ``lower`` is what the attacker knows as their lower bound.
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

    def __init__(self, system: System, protection: Protection) -> None:
        self.system = system
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
        self._cache: dict[tuple, tuple[float, float]] = {}
        self._gains: dict[tuple, dict[int, float]] = {}

    # --- what must be checked -------------------------------------------------------------------
    def targets(self, status: np.ndarray) -> np.ndarray:
        """Suppressed published entries and sensitive latent quantities with a true value 1..k−1."""
        small_latent = self.latent & self.sensitive & (self.values > 0) & (self.values < self.k)
        return np.flatnonzero((status == SMALL) | (status == HIDDEN) | small_latent)

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
        """None when entry ``i`` is protected enough under ``status``; else the finding."""
        lo, hi = self.interval(i, status)
        if self._meets(i, status, lo, hi, None):
            return None
        # what the marks alone (<k, x, 0) already rule out is not held against the pattern
        if self._meets(i, status, lo, hi, self.interval(i, self._baseline(status))):
            return None
        return Finding(i, self.system.keys[i], lo, hi, secondary=bool(status[i] == HIDDEN))

    def _meets(self, i: int, status: np.ndarray, lo: float, hi: float,
               baseline: tuple[float, float] | None) -> bool:
        if status[i] == HIDDEN:
            width = float(self.protection.secondary_width)
            if baseline is not None:
                width = min(width, baseline[1] - baseline[0])
            return hi - lo >= width
        need_lo, need_hi = 1.0, float(self.k - 1)
        if baseline is not None:
            need_lo, need_hi = max(need_lo, baseline[0]), min(need_hi, baseline[1])
        return lo <= need_lo and hi >= need_hi

    def _baseline(self, status: np.ndarray) -> np.ndarray:
        """``status`` with every shown nonzero published count suppressed: what the marks alone say."""
        base = status.copy()
        base[(status == SHOWN) & (self.values > 0) & ~self.latent] = HIDDEN
        return base

    # --- intervals ----------------------------------------------------------------------------------
    def interval(self, i: int, status: np.ndarray) -> tuple[float, float]:
        """Smallest and largest whole value of entry ``i`` consistent with what ``status`` publishes."""
        if status[i] == SHOWN:
            return float(self.values[i]), float(self.values[i])
        group, eqs = self.group(i, status)
        key = (tuple(group), tuple(int(s) for s in status[group]), i)
        if key not in self._cache:
            self._cache[key] = self._solve(i, group, eqs, status, key)
        return self._cache[key]

    def dual_gains(self, i: int, status: np.ndarray, *, lower: bool, upper: bool) -> dict[int, float]:
        """Shown entries whose value the LP bound of entry ``i`` depends on (nonzero dual
        sensitivity), for its lower and/or upper bound: the ones worth suppressing next."""
        if status[i] == SHOWN:
            return {}
        self.interval(i, status)
        group, _ = self.group(i, status)
        key = (tuple(group), tuple(int(s) for s in status[group]), i)
        gains_lo, gains_hi = self._gains[key]
        out: dict[int, float] = {}
        for use, gains in ((lower, gains_lo), (upper, gains_hi)):
            if use:
                for v, g in gains.items():
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
            else:  # latent
                lb[j] = self.lower[v]
        return lb, ub

    def _solve(self, i: int, group: list[int], eqs: list[int], status: np.ndarray, key: tuple) -> tuple[float, float]:
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
        target = position[i]
        bounds, directions = [], []
        for sign in (1.0, -1.0):  # minimise x_i, then maximise it
            c = np.zeros(len(group))
            c[target] = sign
            value, marginals = _lp_bound(c, a, b, lb, ub)
            bounds.append(math.inf if sign * value >= UNBOUNDED / 2 else sign * value)
            gains: dict[int, float] = {}
            for r, terms in enumerate(shown_terms):
                if abs(marginals[r]) < 1e-9:
                    continue
                for v, coef in terms.items():
                    # d(bound)/d(value of v) = marginal of row r times d(b_r)/d(v) = −coef
                    gains[v] = gains.get(v, 0.0) + abs(marginals[r] * coef)
            directions.append(gains)
        self._gains[key] = (directions[0], directions[1])
        return float(bounds[0]), float(bounds[1])


def _lp_bound(c: np.ndarray, a: np.ndarray, b: np.ndarray, lb: np.ndarray,
              ub: np.ndarray) -> tuple[float, np.ndarray]:
    """min c·x over whole numbers x with a·x = b, lb ≤ x ≤ ub: the value and the LP duals of a·x = b.

    The LP relaxation is solved first; when its optimum is a whole-number point
    it is the integer optimum too. Otherwise the integer programme is solved.
    """
    result = linprog(c, A_eq=a if len(b) else None, b_eq=b if len(b) else None,
                     bounds=np.column_stack([lb, ub]), method="highs")
    if result.status != 0:
        raise RuntimeError(f"disclosure audit: the published equations have no solution ({result.message}); "
                           "this is a bug in how the export was modelled")
    marginals = result.eqlin.marginals if len(b) else np.zeros(0)
    x = result.x
    if np.all(np.abs(x - np.round(x)) < _INT_TOL):
        return float(np.round(result.fun)), marginals
    constraints = [LinearConstraint(a, b, b)] if len(b) else []
    exact = milp(c, constraints=constraints, integrality=np.ones(len(c)), bounds=Bounds(lb, ub))
    if exact.status != 0:
        raise RuntimeError(f"disclosure audit: integer programme failed ({exact.message})")
    return float(np.round(exact.fun)), marginals


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
    entry is suppressed: among the shown nonzero entries of the equations
    around it, those the LP bound depends on (nonzero dual sensitivity) come
    first, each ordered by value (least information lost first) and then by
    entry order; up to :data:`MAX_TRIALS` of them are tried (with the line
    rule after each), and the first that widens the interval is kept, the
    first in that order otherwise. Entries in ``fixed`` (e.g. published by
    another release) keep their status. Deterministic: the same system and
    status give the same pattern.
    """
    auditor = Auditor(system, protection)
    status = system.initial_status(protection.k) if status is None else status.copy()
    frozen = np.zeros(len(system), dtype=bool)
    frozen[list(fixed)] = True
    apply_line_rule(system, status, frozen=frozen)
    while True:
        found = auditor.findings(status, first_only=True)
        if not found:
            return status
        choice = _next_suppression(auditor, status, found[0], frozen)
        if choice is None:
            finding = found[0]
            raise RuntimeError(f"disclosure audit cannot protect {finding.key!r} (feasible "
                               f"{finding.lower:g}..{finding.upper:g}) with what is left to suppress")
        status[choice] = HIDDEN
        apply_line_rule(system, status, frozen=frozen)


def _next_suppression(auditor: Auditor, status: np.ndarray, finding: Finding, frozen: np.ndarray) -> int | None:
    i = finding.entry
    candidates = _candidates(auditor, status, i, frozen)
    if not candidates:
        return None
    lo, hi = finding.lower, finding.upper
    if finding.secondary:
        gains = auditor.dual_gains(i, status, lower=True, upper=True)
    else:
        gains = auditor.dual_gains(i, status, lower=lo > 1, upper=hi < auditor.k - 1)
    values = auditor.values
    ordered = sorted(candidates, key=lambda v: (gains.get(v, 0.0) == 0.0, values[v], v))
    for v in ordered[:MAX_TRIALS]:
        trial = status.copy()
        trial[v] = HIDDEN
        apply_line_rule(auditor.system, trial, frozen=frozen)
        lo, hi = auditor.interval(i, trial)
        if lo < finding.lower or hi > finding.upper:
            return v
    return ordered[0]


def _candidates(auditor: Auditor, status: np.ndarray, i: int, frozen: np.ndarray) -> list[int]:
    """Shown nonzero printed entries in the equations of ``i``'s group; when there are none,
    the equations one step further out, and so on."""
    _, equations = auditor.group(i, status)
    seen = set(equations)
    frontier = set(equations)
    while frontier:
        members = {int(v) for e in frontier for v in auditor.members[e]}
        out = sorted(v for v in members if status[v] == SHOWN and auditor.values[v] > 0
                     and not auditor.latent[v] and not frozen[v])
        if out:
            return out
        frontier = {e for v in members for e in auditor.equations_of[v]} - seen
        seen |= frontier
    return []


__all__ = [
    "HIDDEN", "LATENT", "MAX_TRIALS", "SHOWN", "SMALL", "Auditor", "Finding", "Protection", "System",
    "apply_line_rule", "secure",
]
