"""An attacker with a spreadsheet and an integer-programme solver (issue 11), for tests and the bench.

Written independently of ``geo.report.audit``: it reads only what a partner
gets (the CSV export, or a table as printed), writes down every equation a
reader can see, and asks :func:`scipy.optimize.milp` for the smallest and
largest value of every hidden number:

- a printed number is that number; ``<k`` is 1..k−1; ``x`` is at least
  ``x_lower`` (0 as in the issue, or k: small numbers are always printed
  ``<k``); ``:`` (withheld) is at least 1; every count is a whole number ≥ 0;
- category × age: rows and columns add up to their totals; the trend's rows
  add up to the same category totals; the time-of-week rows add up to the
  weekday totals, and those to the encounter total; the field areas add up to
  the distinct total through the combinations of areas the encounters lie in
  (side knowledge passed in, e.g. read from the store: this attacker knows
  more than a partner), or, without it, each area is at most the total and
  together at least the total; the listed places hold at most the total;
  new contacts are at most the total; people met are at least the total;
- the trend's periods and the time-of-week weekdays are the same encounters:
  per trend period and weekday there is one unknown count (one per calendar
  day in range), summing to the period's column and to the weekday's total.

:func:`attack_csv` returns one row per hidden number with its interval, and
:func:`judge` says which intervals are narrower than the protection issue 11
asks for.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

BIG = 10**7
TOTAL_LABEL = "Totalt"
AREA_TOTAL_LABEL = "Totalt (distinkte møter)"


@dataclass
class Equations:
    """Unknowns with bounds and linear equations/inequalities between them (keys are any hashables)."""

    lower: dict[Hashable, float] = field(default_factory=dict)
    upper: dict[Hashable, float] = field(default_factory=dict)
    marks: dict[Hashable, str] = field(default_factory=dict)
    rows: list[tuple[dict[Hashable, float], float, float]] = field(default_factory=list)

    def number(self, key: Hashable, text: str, *, k: int, x_lower: int) -> None:
        """A printed number: fixed, ``<k``, ``x`` or a derived unknown (``?``)."""
        text = text.strip()
        if key in self.marks:
            if self.marks[key] != text:
                raise ValueError(f"{key!r} is printed as {self.marks[key]!r} and as {text!r}")
            return
        self.marks[key] = text
        value = _integer(text)
        if value is not None:
            self.lower[key] = self.upper[key] = value
        elif text == f"<{k}":
            self.lower[key], self.upper[key] = 1, k - 1
        elif text == "x":
            self.lower[key], self.upper[key] = x_lower, BIG
        elif text == ":":
            self.lower[key], self.upper[key] = 1, BIG
        elif text == "?":
            self.lower[key], self.upper[key] = 0, BIG
        else:
            raise ValueError(f"{key!r}: cannot read {text!r} as a count")

    def unknown(self, key: Hashable) -> None:
        if key not in self.marks:
            self.marks[key] = "?"
            self.lower[key], self.upper[key] = 0, BIG

    def equal(self, terms: dict[Hashable, float]) -> None:
        self.rows.append((terms, 0.0, 0.0))

    def at_most(self, terms: dict[Hashable, float], bound: float = 0.0) -> None:
        self.rows.append((terms, -math.inf, bound))

    def interval(self, key: Hashable, lower_override: dict[Hashable, tuple[float, float]] | None = None
                 ) -> tuple[float, float]:
        """min and max of ``key`` over whole numbers satisfying everything."""
        keys = list(self.marks)
        position = {key_: i for i, key_ in enumerate(keys)}
        lo = np.array([self.lower[key_] for key_ in keys], dtype=float)
        hi = np.array([self.upper[key_] for key_ in keys], dtype=float)
        for key_, (a, b) in (lower_override or {}).items():
            lo[position[key_]], hi[position[key_]] = a, b
        a = np.zeros((len(self.rows), len(keys)))
        row_lo = np.zeros(len(self.rows))
        row_hi = np.zeros(len(self.rows))
        for r, (terms, low, high) in enumerate(self.rows):
            for key_, coef in terms.items():
                a[r, position[key_]] += coef
            row_lo[r], row_hi[r] = low, high
        out = []
        for sign in (1.0, -1.0):
            c = np.zeros(len(keys))
            c[position[key]] = sign
            result = milp(c, constraints=[LinearConstraint(a, row_lo, row_hi)] if len(self.rows) else [],
                          integrality=np.ones(len(keys)), bounds=Bounds(lo, hi))
            if result.status != 0:
                raise AssertionError(f"attacker: no solution for {key!r}: {result.message}")
            out.append(sign * round(result.fun))
        return float(out[0]), float(out[1]) if out[1] < BIG - 1 else math.inf


def _integer(text: str) -> int | None:
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    return int(cleaned) if re.fullmatch(r"\d+", cleaned) else None


# --- reading an export ----------------------------------------------------------------------------------
def read_csv(data: bytes) -> pd.DataFrame:
    """The export's long table: ``tabell``, ``rad``, ``kolonne``, ``verdi``."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    return pd.DataFrame(rows, columns=["tabell", "rad", "kolonne", "verdi"])


def equations_of_csv(data: bytes, *, k: int, x_lower: int, area_combinations: Iterable[frozenset[str]] | None = None,
                     ) -> Equations:
    """Everything a reader of the CSV can write down (see the module docstring)."""
    long = read_csv(data)
    eq = Equations()
    table = {name: part for name, part in long.groupby("tabell", sort=False)}

    def put(key: Hashable, text: str) -> bool:
        if text.strip() in ("", "–"):
            return False
        eq.number(key, text, k=k, x_lower=x_lower)
        return True

    figures = table["nøkkeltall"].set_index(["rad", "kolonne"])["verdi"]
    total, ptotal = ("T", "now"), ("T", "before")
    put(total, figures[("Registrerte møter", "periode")])
    has_before = put(ptotal, figures[("Registrerte møter", "sammenligningsperiode")])
    for period, t in (("periode", total), ("sammenligningsperiode", ptotal)):
        if period == "sammenligningsperiode" and not has_before:
            continue
        if put(("new", period), figures[("Nye kontakter", period)]):
            eq.at_most({("new", period): 1, t: -1})
        if put(("people", period), figures[("Personer møtt (sum per møte)", period)]):
            eq.at_most({t: 1, ("people", period): -1})

    cat_age = table["kategori_alder"]
    categories = [c for c in pd.unique(cat_age["rad"]) if c != TOTAL_LABEL]
    ages = [a for a in pd.unique(cat_age["kolonne"]) if a != TOTAL_LABEL]
    for _, row in cat_age.iterrows():
        r, c = row["rad"], row["kolonne"]
        key = total if (r, c) == (TOTAL_LABEL, TOTAL_LABEL) else ("cat", r) if c == TOTAL_LABEL else \
            ("age", c) if r == TOTAL_LABEL else ("ca", r, c)
        put(key, row["verdi"])
    for cat in categories:
        eq.equal({**{("ca", cat, a): 1 for a in ages}, ("cat", cat): -1})
    for age in ages:
        eq.equal({**{("ca", c, age): 1 for c in categories}, ("age", age): -1})
    eq.equal({**{("cat", c): 1 for c in categories}, total: -1})
    eq.equal({**{("age", a): 1 for a in ages}, total: -1})

    def rows_with_totals(name: str, cell: str, row_total: str) -> tuple[list, list]:
        """A table whose rows end in a total column: its numbers, and each row adding up to its total."""
        part = table[name]
        columns = [c for c in pd.unique(part["kolonne"]) if c != TOTAL_LABEL]
        for _, row in part.iterrows():
            put((row_total, row["rad"]) if row["kolonne"] == TOTAL_LABEL else (cell, row["rad"], row["kolonne"]),
                row["verdi"])
        names = list(pd.unique(part["rad"]))
        for r in names:
            eq.equal({**{(cell, r, c): 1 for c in columns}, (row_total, r): -1})
        return names, columns

    _, periods = rows_with_totals("utvikling", "tr", "cat")  # its row totals are the category totals
    weekdays, _ = rows_with_totals("tid_på_uka", "tw", "wd")
    eq.equal({**{("wd", d): 1 for d in weekdays}, total: -1})

    about = table["om"].set_index("rad")["verdi"]
    first, last = (dt.datetime.strptime(d, "%d.%m.%Y").date() for d in about["periode"].split("–"))
    if len(periods) > 1:
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        pairs = sorted({(_label(day, periods[0]), day.weekday()) for day in days})
        for p, d in pairs:
            eq.unknown(("day", p, d))
        for p in periods:
            eq.equal({**{("tr", c, p): 1 for c in categories}, **{("day", q, d): -1 for q, d in pairs if q == p}})
        for d, name in enumerate(weekdays):
            eq.equal({**{("day", p, e): 1 for p, e in pairs if e == d}, ("wd", name): -1})

    areas = table["feltområder"]
    for column, t in (("Registrerte møter", total), ("Sammenligningsperiode", ptotal)):
        part = areas[areas["kolonne"] == column]
        if part.empty:
            continue
        names = [n for n in part["rad"] if n != AREA_TOTAL_LABEL]
        for _, row in part.iterrows():
            if row["rad"] == AREA_TOTAL_LABEL:
                put(t, row["verdi"])
            else:
                put(("area", column, row["rad"]), row["verdi"])
        shown = [n for n in names if ("area", column, n) in eq.marks]
        if area_combinations is not None:
            combos = [c for c in {frozenset(c) & set(shown) for c in area_combinations} if c]
            for combo in combos:
                eq.unknown(("combo", column, tuple(sorted(combo))))
            for name in shown:
                eq.equal({**{("combo", column, tuple(sorted(c))): 1 for c in combos if name in c},
                          ("area", column, name): -1})
            eq.equal({**{("combo", column, tuple(sorted(c))): 1 for c in combos}, t: -1})
        else:
            for name in shown:
                eq.at_most({("area", column, name): 1, t: -1})
            eq.at_most({t: 1, **{("area", column, n): -1 for n in shown}})

    places = table.get("steder_med_flest_møter")
    if places is not None:
        for column, t in (("Registrerte møter", total), ("Sammenligningsperiode", ptotal)):
            part = places[places["kolonne"] == column]
            keys = [("place", column, row["rad"]) for _, row in part.iterrows() if put(("place", column, row["rad"]),
                                                                                       row["verdi"])]
            if keys and t in eq.marks:
                eq.at_most({**{key: 1 for key in keys}, t: -1})
    return eq


def _label(day: dt.date, example: str) -> str:
    """``day``'s trend label in the style of ``example`` (ISO week, month, quarter or year)."""
    if "-W" in example:
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if "-Q" in example:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if "-T" in example:
        return f"{day.year}-T{(day.month - 1) // 4 + 1}"
    if re.fullmatch(r"\d{4}-\d{2}", example):
        return f"{day:%Y-%m}"
    return str(day.year)


def area_combinations(store, preset, first: dt.date, last: dt.date) -> list[frozenset[str]]:
    """Side knowledge: the sets of (named) field-area rows the encounters of [first, last] lie in,
    read from the store (a partner knows at most which areas overlap; this is stronger)."""
    from geo.report.labels import OUTSIDE_NB

    encounters = store.encounters(first_day=first, last_day=last)
    pairs = store.derived("encounter_areas")
    areas = store.areas()
    names = dict(zip(areas["area_id"], areas["name"]))  # the latest version's name wins
    pairs = pairs[pairs["encounter_id"].isin(encounters["encounter_id"])]
    combos = pairs.groupby("encounter_id")["area_id"].agg(lambda s: frozenset(names.get(a, a) for a in s))
    out = set(combos)
    if preset.areas is None and len(combos) < len(encounters):
        out.add(frozenset({OUTSIDE_NB}))
    return sorted(out, key=sorted)


# --- attacking ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Interval:
    key: Hashable
    mark: str
    lower: float
    upper: float
    floor_lower: float
    floor_upper: float

    @property
    def pinned(self) -> bool:
        return self.lower == self.upper

    @property
    def width(self) -> float:
        return self.upper - self.lower


def attack(eq: Equations, *, k: int, floor: bool = True) -> list[Interval]:
    """The interval of every hidden number (``<k``, ``x``, ``:``), and (``floor``) the interval it
    would have if every nonzero number were withheld (at least 1; zeros are always printed): what
    no suppression could widen. Without ``floor`` the floor is unbounded (0..inf), so :func:`judge`
    asks for the full widths."""
    hidden = [key for key, mark in eq.marks.items() if mark in (f"<{k}", "x", ":")]
    withheld = {key: (1, BIG) for key, mark in eq.marks.items() if mark != "?" and _integer(mark) != 0}
    out = []
    for key in hidden:
        lo, hi = eq.interval(key)
        flo, fhi = eq.interval(key, withheld) if floor else (0.0, math.inf)
        out.append(Interval(key, eq.marks[key], lo, hi, flo, fhi))
    return out


def attack_csv(data: bytes, *, k: int, x_lower: int | None = None,
               area_combinations: Iterable[frozenset[str]] | None = None, floor: bool = True) -> list[Interval]:
    """:func:`attack` on an exported CSV (``x_lower`` defaults to k)."""
    eq = equations_of_csv(data, k=k, x_lower=k if x_lower is None else x_lower, area_combinations=area_combinations)
    return attack(eq, k=k, floor=floor)


def attack_table(text: pd.DataFrame, *, k: int, x_lower: int | None = None,
                 total_label: str = TOTAL_LABEL, floor: bool = True) -> list[Interval]:
    """:func:`attack` on one printed two-way table (rows and columns, totals named ``total_label``)."""
    eq = Equations()
    x_low = k if x_lower is None else x_lower
    for r in text.index:
        for c in text.columns:
            eq.number((r, c), str(text.loc[r, c]), k=k, x_lower=x_low)
    cells_r = [r for r in text.index if r != total_label]
    cells_c = [c for c in text.columns if c != total_label]
    if total_label in text.columns:
        for r in text.index:
            eq.equal({**{(r, c): 1 for c in cells_c}, (r, total_label): -1})
    if total_label in text.index:
        for c in text.columns:
            eq.equal({**{(r, c): 1 for r in cells_r}, (total_label, c): -1})
    return attack(eq, k=k, floor=floor)


def judge(intervals: list[Interval], *, k: int, secondary_width: int | None = None) -> list[Interval]:
    """The intervals narrower than issue 11 allows: a ``<k`` must keep every value 1..k−1; an ``x``
    must keep a width of ``secondary_width`` (default k); a ``:`` (whose value the reader does not
    know to be small or not) one of the two; each as far as its floor (every nonzero number
    withheld) allows, since zeros are printed and a total over two nonzero cells is at least 2."""
    width = k if secondary_width is None else secondary_width
    bad = []
    for iv in intervals:
        keeps_range = iv.lower <= max(1, iv.floor_lower) and iv.upper >= min(k - 1, iv.floor_upper)
        wide = iv.width >= min(width, iv.floor_upper - iv.floor_lower)
        if (iv.mark == "x" and not wide) or (iv.mark == f"<{k}" and not keeps_range) or \
                (iv.mark == ":" and not (keeps_range or wide)):
            bad.append(iv)
    return bad
