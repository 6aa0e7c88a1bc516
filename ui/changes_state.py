"""Cached access to ``geo.changes`` for the Endringer over tid page, at the UI edge.

Like :func:`ui.state.query`: results are cached per store file, its
modification time and the arguments, so an import or a saved draft (which
change the file) invalidates them.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo.changes import drift, effective, history
from ui.state import _mtime, get_store

_MODULES = {"history": history, "drift": drift, "effective": effective}


@st.cache_data(show_spinner=False, max_entries=128)
def _cached(path: str, mtime: float, module: str, name: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(_MODULES[module], name)(get_store(path), *args, **dict(kwargs))


def changes_query(path: str, name: str, *args: Any, **kwargs: Any) -> Any:
    """``geo.changes.<module>.<function>(store, *args, **kwargs)``, cached; ``name`` is ``module.function``."""
    module, _, function = name.partition(".")
    return _cached(path, _mtime(path), module, function, args, tuple(sorted(kwargs.items())))


def clear_changes_cache() -> None:
    """Forget every cached answer (after a new area version or draft)."""
    _cached.clear()
