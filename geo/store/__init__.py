"""Storage behind one small interface (:class:`geo.store.base.Store`)."""

from __future__ import annotations

from pathlib import Path

from geo.store.base import Store
from geo.store.gpkg import GpkgStore, StoreError


def open_store(location: str | Path, *, create: bool = True) -> Store:
    """Open the store at ``location``: a ``.gpkg`` file path.

    Shared deployments will use a PostGIS URL here once that backend exists;
    until then such a URL is refused with a clear message.
    """
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        raise StoreError(
            "PostGIS stores are not available in this version; use a GeoPackage file path (e.g. data/demo.gpkg)"
        )
    if not text.lower().endswith(".gpkg"):
        raise StoreError(f"store must be a GeoPackage file ending in .gpkg; got {text!r}")
    return GpkgStore(Path(text), create=create)


__all__ = ["GpkgStore", "Store", "StoreError", "open_store"]
