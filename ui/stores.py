"""The stores the dashboard may open: those named in configuration, and no other.

:func:`geo.store.config.configured_stores` (``$FELTKART_STORE`` and
``config/stores.toml``) plus a ``[feltkart.stores]`` table in ``.streamlit/secrets.toml``
(the place for PostGIS URLs that carry a password)::

    [feltkart.stores]
    felles = "postgresql://feltkart:secret@db.example:5432/feltkart"

The sidebar offers these by name; :func:`check_configured` is the one check the
cached store layer (``ui.state.get_store``) applies before it opens anything.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.store import StoreError
from geo.store.config import configured_name, configured_stores, default_location


def stores() -> dict[str, str]:
    """Every configured store, name → location (see the module docstring)."""
    return configured_stores(extra=_secret_stores(), extra_source=".streamlit/secrets.toml")


def default_store() -> str:
    """The location opened when the user chose none (``$FELTKART_STORE``, else the first configured)."""
    return default_location(stores())


def is_configured(location: str | Path) -> bool:
    """Whether ``location`` (a path or URL) names a configured store."""
    return configured_name(location, stores()) is not None


def check_configured(location: str | Path) -> str:
    """``location`` as text if it is a configured store; a StoreError that says how to add it otherwise
    (without echoing a URL, which may hold a password)."""
    if not is_configured(location):
        shown = "this PostGIS URL" if str(location).startswith(("postgresql://", "postgres://")) else repr(Path(str(location)).name)
        raise StoreError(f"the store {shown} is not configured; an administrator adds it to config/stores.toml "
                         "or .streamlit/secrets.toml under [feltkart.stores], or starts the server with FELTKART_STORE")
    return str(location)


def _secret_stores() -> dict | None:
    try:
        if not st.secrets.load_if_toml_exists():
            return None
        table = (st.secrets.get("feltkart") or {}).get("stores")
    except Exception:  # noqa: BLE001 - an unreadable secrets file: Streamlit reports it itself
        return None
    return dict(table) if table is not None else None
