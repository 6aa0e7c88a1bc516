"""Cached access to the store and to ``geo`` queries, at the UI edge.

Pages call :func:`query` with the name of a function in ``geo.queries`` (or
``summary.<f>``, ``hotspots.<f>``, ``history.<f>``, ``drift.<f>``,
``effective.<f>`` for the other analysis modules); results are cached per store file, its modification time and
the arguments, so a widget change that repeats a question answers from memory
and an import invalidates everything at once.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from geo import hotspots, queries, summary
from geo.changes import drift, effective, history
from geo.store import Store, open_store


def default_store() -> Path:
    """The store opened by default: ``$FELTKART_STORE`` or ``data/demo.gpkg``."""
    return Path(os.environ.get("FELTKART_STORE", "data/demo.gpkg"))

_QUERY_MODULES = {
    "queries": queries, "summary": summary, "hotspots": hotspots,
    "history": history, "drift": drift, "effective": effective,
}


@st.cache_resource(show_spinner=False)
def _open(path: str, mtime: float) -> Store:
    return open_store(path, create=False)


def get_store(path: str) -> Store:
    """The open store for ``path`` (reopened after the file changes)."""
    return _open(path, _mtime(path))


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(path: str, mtime: float, module: str, name: str, args: tuple, kwargs: tuple) -> Any:
    function = getattr(_QUERY_MODULES[module], name)
    return function(_open(path, mtime), *args, **dict(kwargs))


def query(path: str, name: str, *args: Any, **kwargs: Any) -> Any:
    """``geo.queries.<name>(store, *args, **kwargs)`` (or ``<module>.<name>``, see above), cached."""
    module, _, function = name.rpartition(".")
    return _cached(path, _mtime(path), module or "queries", function, args, tuple(sorted(kwargs.items())))


def store_date_range(path: str) -> tuple[date, date] | None:
    """First and last service day with patrols in the store."""
    return query(path, "summary.patrol_day_span")


def clear_caches() -> None:
    """Forget every cached answer (after an import, a new area version or a saved draft)."""
    _cached.clear()
    _open.clear()


def _mtime(path: str) -> float:
    try:
        return os.path.getmtime(path)
    except OSError:
        return 0.0
