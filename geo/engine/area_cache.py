"""Prepared field-area lookup grids, built once per area set and reused.

:func:`geo.engine.presence.prepare_areas` rasterises every field-area version
into lookup grids (about 0.5 s for the demo's 30 versions). The grids depend
only on the area set, which changes a few times a year, while tracks are
imported every day. So they are cached:

- in this process, by the area set's key (a dict of the last few sets);
- on disk, in the cache directory (``$FELTKART_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/feltkart``, else ``~/.cache/feltkart``), so that the next
  import, the demo build and the benchmark start warm.

On disk (``areas-<key>.grids``): a small header, the object graph as a pickle
(protocol 5) whose numpy arrays are *out of band*, and then every array's
bytes, 64-byte aligned. Loading maps the file into memory (copy-on-write) and
hands the mapped bytes to the unpickler, so the arrays are views of the file:
nothing is read or copied until the engine touches it. The grids of Oslo's
97 sub-districts are 240 MB, of which a week of patrols in the centre touches
a few MB; loading takes milliseconds instead of the second a full read took.

The key is a SHA-256 of everything the grids are built from (area ids,
versions, validity dates, the ``indoor`` flags and the EPSG:4326 geometry as WKB) plus
:data:`GRID_FORMAT`, which must be raised whenever ``AreaIndex`` changes. A
cache file that cannot be read is rebuilt, never trusted: the cache only ever
saves time. The unpickler only resolves the classes a ``PreparedAreas`` is
made of (:data:`_ALLOWED_GLOBALS`), so a planted file cannot run arbitrary
code; the cache directory should still be private to the user running
Feltkart, as ``~/.cache`` is.
"""

from __future__ import annotations

import hashlib
import io
import mmap
import os
import pickle
import struct
import threading
from collections import OrderedDict
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.engine.presence import PreparedAreas, indoor_flags, prepare_areas
from geo.schema import AREA_ID, AREA_VERSION, VALID_FROM, VALID_TO

GRID_FORMAT = 6
"""Version of the stored ``PreparedAreas`` layout (file format and classes); part of every cache key.

5 on main (pickled, indoor flags), 3 on the memory-mapped branch: 6 is both."""

SUFFIX = ".grids"
MAGIC = b"FELTGRID"
_HEADER = struct.Struct("<8sQQ")  # magic, pickle length, number of out-of-band buffers
_BUFFER = struct.Struct("<QQ")  # offset, length of one buffer
ALIGN = 64
"""Byte alignment of every array in the file (cache lines; numpy needs at most 16)."""

_ALLOWED_GLOBALS = {
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "scalar"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
    ("shapely.io", "from_wkb"),
    ("geo.engine.presence", "PreparedAreas"),
    ("geo.engine.areas", "AreaIndex"), ("geo.engine.areas", "_Grid"), ("geo.engine.areas", "_MixedPairs"),
    ("geo.engine.areas", "_ClusterLookup"),
    ("geo.engine.indoor", "IndoorAreas"), ("geo.engine.indoor", "CellCover"), ("geo.engine.indoor", "Overlaps"),
}
"""(module, name) pairs a cache file may refer to: the parts of a ``PreparedAreas``."""

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
    path = (cache_dir or default_cache_dir()) / f"areas-{key}{SUFFIX}"
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
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_COPY)  # writes stay private
    except (OSError, ValueError):  # missing, empty, or the cache directory is unusable
        return None
    try:
        prepared = _load(memoryview(mapped))
    except Exception:  # noqa: BLE001 - a damaged or stale cache file is rebuilt, never trusted
        _remove(path)
        return None
    return prepared if isinstance(prepared, PreparedAreas) else None


def _load(data: memoryview) -> object:
    """The object in ``data`` (see the module docstring); arrays are views of ``data``."""
    magic, pickle_len, n_buffers = _HEADER.unpack_from(data, 0)
    if magic != MAGIC:
        raise ValueError("not a Feltkart grid cache file")
    table = _HEADER.size
    spans = [_BUFFER.unpack_from(data, table + i * _BUFFER.size) for i in range(n_buffers)]
    start = table + n_buffers * _BUFFER.size
    if any(offset + length > len(data) for offset, length in spans) or start + pickle_len > len(data):
        raise ValueError("truncated grid cache file")
    buffers = [data[offset: offset + length] for offset, length in spans]
    return _Unpickler(io.BytesIO(data[start: start + pickle_len]), buffers=buffers).load()


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"grid cache refers to {module}.{name}, which is not part of prepared areas")
        return super().find_class(module, name)


def _dump(prepared: PreparedAreas, file) -> None:
    buffers: list[pickle.PickleBuffer] = []
    payload = pickle.dumps(prepared, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    offset = _aligned(_HEADER.size + len(raws) * _BUFFER.size + len(payload))
    spans = []
    for raw in raws:
        spans.append((offset, raw.nbytes))
        offset = _aligned(offset + raw.nbytes)
    file.write(_HEADER.pack(MAGIC, len(payload), len(raws)))
    file.write(b"".join(_BUFFER.pack(*span) for span in spans))
    file.write(payload)
    for (start, _), raw in zip(spans, raws):
        file.write(b"\0" * (start - file.tell()))
        file.write(raw)


def _aligned(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN


def _write(path: Path, prepared: PreparedAreas) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # one per writer
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as file:
            _dump(prepared, file)
        os.replace(tmp, path)  # atomic: readers never see half a file
    except OSError:
        _remove(tmp)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
