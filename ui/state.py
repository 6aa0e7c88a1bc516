"""Cached access to the store and to ``geo`` queries, at the UI edge.

Pages call :func:`query` with the name of a function in ``geo.queries`` (or
``summary.<f>``, ``hotspots.<f>``, ``history.<f>``, ``drift.<f>``,
``effective.<f>`` for the other analysis modules); results are cached per store, its version and the
arguments, so a widget change that repeats a question answers from memory and an
import invalidates everything at once. A store's version is its change token
(committed write transactions, any process or client; with a GeoPackage's file
identity, so a replaced file is a new store). Logging an export or an audit
entry changes neither, so a download keeps every cached answer.

Only configured stores are opened (:mod:`ui.stores`): a path or URL that is not
in the configuration is refused, so the dashboard cannot be made to open a file
or connect to a server its operator did not name.
"""

from __future__ import annotations

import importlib
import os
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from geo.store import Store, open_store
from geo.store.gpkg_version import file_version
from geo.store.postgis import is_postgis_url
from ui.stores import check_configured, is_configured
from ui.stores import default_store as configured_default


def default_store() -> Path | str:
    """The store opened by default: ``$FELTKART_STORE`` (a ``.gpkg`` path or a PostGIS URL,
    kept as text: ``Path`` would fold its ``//``), else the first configured (``ui.stores``),
    else ``data/demo.gpkg``."""
    location = configured_default()
    return location if is_postgis_url(location) else Path(location)


def store_available(path: str) -> bool:
    """Whether ``path`` names a store to open: a configured store (``ui.stores``) that is an
    existing file, or a PostGIS URL (whose server is checked when it is opened)."""
    return is_configured(path) and (is_postgis_url(path) or Path(path).is_file())

OPEN_STORES = 8
"""Open store connections kept (a GeoPackage replaced by a new file gets a new one)."""

QUERY_MODULES = {
    "queries": "geo.queries", "summary": "geo.queries.summary", "hotspots": "geo.hotspots",
    "history": "geo.changes.history", "drift": "geo.changes.drift", "effective": "geo.changes.effective",
}
"""Modules :func:`query` may call, imported on first use (esda and libpysal alone take about a second)."""


@st.cache_resource(show_spinner=False, max_entries=OPEN_STORES)
def _open(path: str, file_identity: tuple[int, int] | None) -> Store:
    # Not closed on eviction: another session may still be running a query on it; the
    # connection closes when the last reference goes (sqlite3 and psycopg finalisers).
    return open_store(path, create=False)


def get_store(path: str) -> Store:
    """The open store for ``path`` (a file is reopened when it is replaced by another
    file, such as a rebuilt demo store; a PostGIS connection stays open). SQLite
    connections see what other connections commit, so writes need no reopening.

    Raises StoreError when ``path`` is not a configured store (:func:`ui.stores.check_configured`)."""
    path = check_configured(path)
    version = None if is_postgis_url(path) else file_version(path)
    return _open(path, version[:2] if version else None)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(path: str, version: float | str, module: str, name: str, args: tuple, kwargs: tuple) -> Any:
    function = getattr(importlib.import_module(QUERY_MODULES[module]), name)
    return function(get_store(path), *args, **dict(kwargs))


def query(path: str, name: str, *args: Any, **kwargs: Any) -> Any:
    """``geo.queries.<name>(store, *args, **kwargs)`` (or ``<module>.<name>``, see above), cached."""
    module, _, function = name.rpartition(".")
    return _cached(path, store_version(path), module or "queries", function, args, tuple(sorted(kwargs.items())))


def store_date_range(path: str) -> tuple[date, date] | None:
    """First and last service day with patrols in the store."""
    return query(path, "summary.patrol_day_span")


def clear_caches() -> None:
    """Forget every cached answer (after an import, a new area version or a saved draft)."""
    _cached.clear()
    _open.clear()


def store_version(path: str) -> tuple | str | None:
    """What the cached answers for ``path`` are keyed by: the store's change token (committed
    write transactions, any process; one indexed read), with a GeoPackage's file identity (a
    file replaced by another is another store). Logging an export or an audit entry changes neither."""
    if is_postgis_url(path):
        return get_store(path).change_token()
    identity = file_version(path)
    return None if identity is None else (*identity[:2], get_store(path).change_token())


def store_file_bytes(path: str) -> int | None:
    """Size of a GeoPackage store in bytes; None for a PostGIS store (no file)."""
    if is_postgis_url(path):
        return None
    try:
        return os.path.getsize(path)
    except OSError:
        return None

