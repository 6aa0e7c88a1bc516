"""The package layering of ``geo/``: data flows file → engine → store once, and up to queries,
analyses, reports and the CLI; nothing below imports anything above it, and ``geo/`` never
imports Streamlit (STYLE.md, "Ours" 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parents[1] / "geo"

BASE = {"schema", "errors", "timeutil", "formatting", "progress"}
ALLOWED: dict[str, set[str]] = {
    "schema": set(),
    "errors": set(),
    "timeutil": {"schema"},
    "formatting": {"schema"},
    "progress": set(),
    "store": BASE,
    "engine": BASE | {"store"},  # geo.engine.refresh writes derived tables through the Store interface
    "io": BASE | {"store", "engine"},
    "queries": BASE | {"store", "engine"},
    "basemap": BASE,
    "maps": BASE | {"engine", "basemap"},
    "hotspots": BASE | {"store", "engine", "queries", "maps"},
    "changes": BASE | {"store", "engine", "io", "queries", "hotspots", "maps"},
    "report": BASE | {"store", "engine", "io", "queries", "hotspots", "maps", "basemap"},
    "planning": BASE | {"store", "engine", "queries", "report", "maps"},
    "access": BASE | {"store", "queries"},
    "demo": BASE | {"store", "engine", "basemap"},
    "retention": BASE | {"store", "engine"},
    "cli": {"*"},
    "__main__": {"cli"},
    "__init__": set(),
}
"""Which top-level parts of ``geo`` each part may import (besides itself)."""

FORBIDDEN_EVERYWHERE = ("streamlit", "ui", "pages", "folium_static")


def _imports(path: Path) -> list[str]:
    """Every absolute module name ``path`` imports, at any depth (function-level imports too)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            if node.module == "geo":
                names.extend(f"geo.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def _part(path: Path) -> str:
    return path.relative_to(GEO).with_suffix("").parts[0]


MODULES = sorted(p for p in GEO.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GEO.parent)))
def test_module_imports_only_lower_layers(path):
    part = _part(path)
    assert part in ALLOWED, f"{part!r} is a new top-level part of geo/: add it to ALLOWED with its layer"
    allowed = ALLOWED[part]
    for name in _imports(path):
        if not name.startswith("geo."):
            continue
        target = name.split(".")[1]
        if target == part or "*" in allowed:
            continue
        assert target in allowed, f"{path.relative_to(GEO.parent)} imports {name}: {part} may import only {sorted(allowed)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GEO.parent)))
def test_geo_never_imports_streamlit_or_the_views(path):
    for name in _imports(path):
        assert name.split(".")[0] not in FORBIDDEN_EVERYWHERE, f"{path.relative_to(GEO.parent)} imports {name}"


def test_the_layer_table_itself_has_no_cycle():
    """A part may not, through any chain, import itself: the table is a DAG."""
    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in ALLOWED.get(start, set()) - {"*"}:
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert not [part for part in ALLOWED if part != "cli" and reaches(part, part, set())]


def test_layering_check_catches_a_violation(tmp_path):
    """The check above is not vacuous: an upward import in a store module is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from geo.queries import key_figures\n")
    targets = [n.split(".")[1] for n in _imports(bad) if n.startswith("geo.")]
    assert targets == ["queries"] and "queries" not in ALLOWED["store"]
