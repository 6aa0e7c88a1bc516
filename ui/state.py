"""Cached access to the store and to ``geo`` queries, at the UI edge.

Pages call :func:`query` with a function of ``geo`` whose first parameter is
the store (``query(path, presence_by_cell, filters, res=10)``); results are
cached per store, its version, the function and the arguments, so a widget
change that repeats a question answers from memory and an import invalidates
everything at once. A store's version is its change token (committed write
transactions, any process or client; with a GeoPackage's file identity, so a
replaced file is a new store). Logging an export or an audit entry changes
neither, so a download keeps every cached answer.

Every question is checked for the session's user before the cache is asked
(:func:`ui.auth.permitted`, the policy in :mod:`geo.access`): a refused one
stops the page with a clear message, a manager's team scope is forced into
the arguments (so it is part of the cache key), and answers listing field
areas are cut to the user's teams after the cache. A cached answer is
therefore never served to a user who may not see it.

Only configured stores are opened (:mod:`ui.stores`): a path or URL that is not
in the configuration is refused, so the dashboard cannot be made to open a file
or connect to a server its operator did not name.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import streamlit as st

from geo.progress import Progress
from geo.queries import Filters
from geo.queries.summary import patrol_day_span
from geo.store import Store, open_store
from geo.access import visible_rows
from geo.store.gpkg_version import file_version
from geo.store.postgis import is_postgis_url
from ui.auth import current_user, permitted, qualified_name
from ui.stores import check_configured, is_configured, stores
from ui.stores import default_store as configured_default


def default_store() -> Path | str:
    """The store opened by default: ``$FELTKART_STORE`` (a ``.gpkg`` path or a PostGIS URL,
    kept as text: ``Path`` would fold its ``//``), else the first configured (``ui.stores``),
    else ``data/demo.gpkg``."""
    location = configured_default()
    return location if is_postgis_url(location) else Path(location)


def configured_stores() -> dict[str, str]:
    """The stores the dashboard opens, name → location, in their configured order (:func:`ui.stores.stores`:
    ``$FELTKART_STORE``, ``config/stores.toml``, ``[feltkart.stores]`` in the secrets). Only admins choose
    among them (or type a configured path); everyone else works on the default."""
    return stores()


def store_available(path: str) -> bool:
    """Whether ``path`` names a store to open: a configured store (``ui.stores``) that is an
    existing file, or a PostGIS URL (whose server is checked when it is opened)."""
    return is_configured(path) and (is_postgis_url(path) or Path(path).is_file())

OPEN_STORES = 8
"""Open store connections kept (a GeoPackage replaced by a new file gets a new one)."""

P = ParamSpec("P")
R = TypeVar("R")
QUERY_PACKAGE = "geo."
AREA_GEOMETRIES = "geo.queries.places.area_geometries"
"""Only functions of ``geo`` are run through :func:`query`."""


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
def _cached(path: str, version: object, function_name: str, args: tuple, kwargs: tuple,
            _progress: Progress | None = None) -> object:
    # ``_progress`` is not hashed (a leading underscore): it is no part of the key
    module, _, name = function_name.rpartition(".")
    function = getattr(importlib.import_module(module), name)
    extra = {} if _progress is None else {"progress": _progress}
    return function(get_store(path), *args, **dict(kwargs), **extra)


def query(path: str, function: Callable[Concatenate[Store, P], R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """``function(store, *args, **kwargs)`` for the store at ``path``, cached per store version.

    ``function`` is a module-level function of ``geo`` taking the store first;
    it is cached by its qualified name, so editors and type checkers see the call.
    The session's user must be allowed to ask it (:mod:`geo.access`).
    """
    return _query(path, None, function, args, kwargs)


def query_with_progress(path: str, progress: Progress, function: Callable[Concatenate[Store, P], R], /,
                        *args: P.args, **kwargs: P.kwargs) -> R:
    """:func:`query`, and ``function`` gets ``progress=progress`` when it runs (not on a cache hit).

    The callback is no part of the cache key (``ui.progress.progress_status`` makes one)."""
    return _query(path, progress, function, args, kwargs)


def _query(path: str, progress: Progress | None, function: Callable, args: tuple, kwargs: dict):
    name = qualified_name(function)
    if not name.startswith(QUERY_PACKAGE) or "<" in name:
        raise ValueError(f"query() runs module-level functions of geo only; got {name}")
    user = current_user()
    args, kwargs = permitted(user, function, args, kwargs)  # before the cache: refused questions are never answered
    answer = _cached(path, store_version(path), name, args, tuple(sorted(kwargs.items())), _progress=progress)
    return visible_rows(user, name, answer, owners=lambda: area_owners(path))  # type: ignore[return-value]


def area_owners(path: str) -> dict[str, str]:
    """Each field area's owning team (of its latest version), for the access check's area rows."""
    areas = _cached(path, store_version(path), AREA_GEOMETRIES, (Filters(),), ())
    return dict(zip(areas["area_id"], areas["team"]))


def store_date_range(path: str) -> tuple[date, date] | None:
    """First and last service day with patrols in the store."""
    return query(path, patrol_day_span)


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

