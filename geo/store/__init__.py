"""Storage behind one small interface (:class:`geo.store.base.Store`)."""

from __future__ import annotations

from pathlib import Path

from geo.store.base import NotAFeltkartStore, Store, StoreBusyError, StoreError
from geo.store.gpkg import GpkgStore


def open_store(location: str | Path, *, create: bool = True) -> Store:
    """Open the store at ``location``: a ``.gpkg`` file path (the embedded default)
    or a PostGIS URL ``postgresql://user@host:port/database`` (shared deployments).

    With ``create=False`` opening never writes and never creates a table; a file that is
    not a Feltkart store is refused untouched either way (:class:`NotAFeltkartStore`)."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        from geo.store.postgis import PostgisStore  # psycopg is only needed for PostGIS

        return PostgisStore(text, create=create)
    if not text.lower().endswith(".gpkg"):
        raise StoreError(
            f"store must be a GeoPackage file ending in .gpkg or a PostGIS URL (postgresql://user@host:port/database); "
            f"got {text!r}"
        )
    return GpkgStore(Path(text), create=create)


__all__ = ["GpkgStore", "NotAFeltkartStore", "Store", "StoreBusyError", "StoreError", "open_store"]
