"""Partner presets of the situation picture, read from ``config/presets.toml``.

A preset says which encounters a partner forum sees (categories, age groups,
field areas); everything else (period, k, team) is chosen per export. The
file is meant to be edited by a manager; mistakes give an error naming the
preset, the key and the allowed values.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from geo.errors import FeltkartError
from geo.schema import AgeGroup, Category

PRESETS_FILE = Path(__file__).resolve().parents[2] / "config" / "presets.toml"
"""The presets shipped with Feltkart (``config/presets.toml``)."""

DEFAULT_CELL_RESOLUTION = 9
DEFAULT_TOP_CELLS = 5
DEFAULT_PARTNER_PERIOD = "week"
PARTNER_PERIOD_KINDS = ("week", "month", "tertial", "quarter", "year")
"""Calendar periods a partner situation picture may cover (``settings.partner_period``)."""
SECTIONS = ("summary", "key_figures", "areas", "categories", "maps", "hotspots", "trend", "time_of_week")
"""Sections of a situation picture a preset may choose (``sections``; default all, in this order).
The title with period and k, the methods note and the footer are always printed: every
export says its period, filters, k and methods."""
_KEYS = {"name", "audience", "view", "categories", "age_groups", "areas", "sections"}


class PresetError(FeltkartError):
    """The presets file is missing, not TOML, or names an unknown code."""


@dataclass(frozen=True, slots=True)
class Preset:
    """What one partner forum sees.

    ``categories``, ``age_groups`` and ``areas`` are tuples of codes, or
    None for all. With ``areas`` set, only encounters lying in one of those
    field areas count (encounters outside every area are left out).
    """

    key: str
    name: str
    audience: str
    view: str
    categories: tuple[str, ...] | None = None
    age_groups: tuple[str, ...] | None = None
    areas: tuple[str, ...] | None = None
    sections: tuple[str, ...] | None = None

    def shows(self, section: str) -> bool:
        """Whether exports of this preset print ``section`` (one of :data:`SECTIONS`)."""
        if section not in SECTIONS:
            raise ValueError(f"section must be one of {', '.join(SECTIONS)}; got {section!r}")
        return self.sections is None or section in self.sections


@dataclass(frozen=True, slots=True)
class PresetBook:
    """Every preset of a presets file plus its report settings."""

    presets: dict[str, Preset]
    cell_resolution: int = DEFAULT_CELL_RESOLUTION
    top_cells: int = DEFAULT_TOP_CELLS
    partner_period: str = DEFAULT_PARTNER_PERIOD

    def get(self, key: str) -> Preset:
        """The preset ``key``; PresetError listing the known keys otherwise."""
        if key not in self.presets:
            raise PresetError(f"unknown preset {key!r}; use one of {', '.join(self.presets)}")
        return self.presets[key]


def load_presets(path: str | Path = PRESETS_FILE) -> PresetBook:
    """Read and check a presets file (TOML, see ``config/presets.toml``)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PresetError(f"presets file {path} not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"presets file {path} is not valid TOML: {exc}") from exc
    tables = data.get("preset")
    if not isinstance(tables, dict) or not tables:
        raise PresetError(f"{path.name}: no [preset.<key>] tables found")
    settings = data.get("settings", {})
    res = settings.get("cell_resolution", DEFAULT_CELL_RESOLUTION)
    if res not in (9, 10, 11):
        raise PresetError(f"{path.name}: settings.cell_resolution must be 9, 10 or 11; got {res!r}")
    top = settings.get("top_cells", DEFAULT_TOP_CELLS)
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= 50:
        raise PresetError(f"{path.name}: settings.top_cells must be a whole number 1–50; got {top!r}")
    period = settings.get("partner_period", DEFAULT_PARTNER_PERIOD)
    if period not in PARTNER_PERIOD_KINDS:
        raise PresetError(f"{path.name}: settings.partner_period must be one of {', '.join(PARTNER_PERIOD_KINDS)}; "
                          f"got {period!r}")
    presets = {key: _preset(path.name, key, table) for key, table in tables.items()}
    return PresetBook(presets=presets, cell_resolution=res, top_cells=top, partner_period=period)


def _preset(file: str, key: str, table: dict) -> Preset:
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise PresetError(f"{file}: preset {key!r} has unknown keys {unknown}; allowed: {sorted(_KEYS)}")
    for text_key in ("name", "audience", "view"):
        if not isinstance(table.get(text_key), str) or not table[text_key].strip():
            raise PresetError(f"{file}: preset {key!r} needs a non-empty text {text_key!r}")
    return Preset(
        key=key,
        name=table["name"],
        audience=table["audience"],
        view=table["view"],
        categories=_codes(file, key, "categories", table, tuple(c.value for c in Category)),
        age_groups=_codes(file, key, "age_groups", table, tuple(a.value for a in AgeGroup)),
        areas=_codes(file, key, "areas", table, None),
        sections=_codes(file, key, "sections", table, SECTIONS),
    )


def _codes(file: str, key: str, field: str, table: dict, allowed: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if field not in table:
        return None
    values = table[field]
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise PresetError(f"{file}: preset {key!r}: {field} must be a non-empty list of codes; got {values!r}")
    if allowed is not None:
        bad = [v for v in values if v not in allowed]
        if bad:
            raise PresetError(f"{file}: preset {key!r}: {field} {bad} not allowed; use values from {list(allowed)}")
    return tuple(values)
