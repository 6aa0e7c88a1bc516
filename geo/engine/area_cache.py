"""Prepared field-area lookup grids, built once per area set and reused.

:func:`geo.engine.presence.prepare_areas` rasterises every field-area version
into lookup grids (about 0.5 s for the demo's 30 versions). The grids depend
only on the area set, which changes a few times a year, while tracks are
imported every day. So they are cached:

- in this process, by the area set's key (a dict of the last few sets);
- on disk, as a pickle in the cache directory (``$FELTKART_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/feltkart``, else ``~/.cache/feltkart``), so that the next
  import, the demo build and the benchmark start warm.

The key is a SHA-256 of everything the grids are built from (area ids,
versions, validity dates, the ``indoor`` flags and the EPSG:4326 geometry as WKB) plus
:data:`GRID_FORMAT`, which must be raised whenever ``AreaIndex`` changes. A
cache file that cannot be read is rebuilt, never trusted: the cache only ever
saves time. Pickles execute code when loaded, so the cache directory must be
private to the user running Feltkart, as ``~/.cache`` is.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from collections import OrderedDict
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.engine.presence import PreparedAreas, indoor_flags, prepare_areas
from geo.schema import AREA_ID, AREA_VERSION, VALID_FROM, VALID_TO

GRID_FORMAT = 5
"""Version of the pickled ``PreparedAreas`` layout; part of every cache key."""

MEMORY_SLOTS = 4
"""How many area sets this process keeps in memory."""

CACHE_ENV = "FELTKART_CACHE_DIR"

_in_memory: OrderedDict[str, PreparedAreas] = OrderedDict()
_in_memory_lock = threading.Lock()  # dashboard sessions import on their own threads


def default_cache_dir() -> Path:
    """Where prepared grids are kept on disk (see the module docstring)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "feltkart"


def area_set_key(areas: gpd.GeoDataFrame) -> str:
    """SHA-256 (hex) of the area set as ``prepare_areas`` sees it, in its row order."""
    digest = hashlib.sha256(f"feltkart-area-grids/{GRID_FORMAT}/{len(areas)}".encode())
    if len(areas):
        attributes = pd.DataFrame({
            "id": areas[AREA_ID].astype(str),
            "version": areas[AREA_VERSION].astype("int64"),
            "from": pd.to_datetime(areas[VALID_FROM]).astype("int64"),
            "to": pd.to_datetime(areas[VALID_TO]).astype("int64"),  # NaT → a fixed sentinel
            "indoor": indoor_flags(areas),
        })
        digest.update(pd.util.hash_pandas_object(attributes, index=False).to_numpy().tobytes())
        digest.update(str(areas.crs).encode())
        for wkb in shapely.to_wkb(areas.geometry.to_numpy(), hex=False):
            digest.update(len(wkb).to_bytes(8, "little"))
            digest.update(wkb)
    return digest.hexdigest()


def prepare_areas_cached(areas: gpd.GeoDataFrame, *, cache_dir: Path | None = None) -> PreparedAreas:
    """``prepare_areas(areas)``, from memory or the disk cache when this area set was prepared before.

    ``cache_dir`` defaults to :func:`default_cache_dir`. A cache that cannot be
    written (read-only home, full disk) is skipped silently: the result is the
    same, only slower next time.
    """
    key = area_set_key(areas)
    with _in_memory_lock:
        if key in _in_memory:
            _in_memory.move_to_end(key)
            return _in_memory[key]
    path = (cache_dir or default_cache_dir()) / f"areas-{key}.pickle"
    prepared = _read(path)
    if prepared is None:
        prepared = prepare_areas(areas)
        _write(path, prepared)
    with _in_memory_lock:
        _in_memory[key] = prepared
        while len(_in_memory) > MEMORY_SLOTS:
            _in_memory.popitem(last=False)
    return prepared


def clear_memory() -> None:
    """Forget the in-process copies (the disk cache stays)."""
    with _in_memory_lock:
        _in_memory.clear()


def _read(path: Path) -> PreparedAreas | None:
    try:
        with open(path, "rb") as file:
            prepared = pickle.load(file)
    except OSError:  # missing, or the cache directory is unusable
        return None
    except Exception:  # noqa: BLE001 - a damaged or stale cache file is rebuilt, never trusted
        _remove(path)
        return None
    return prepared if isinstance(prepared, PreparedAreas) else None


def _write(path: Path, prepared: PreparedAreas) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # one per writer
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as file:
            pickle.dump(prepared, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: readers never see half a file
    except OSError:
        _remove(tmp)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
