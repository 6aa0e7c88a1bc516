"""Prepared area grids are cached per area set, and a cached copy gives the same presence."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from geo.engine import area_cache
from geo.engine.area_cache import area_set_key, prepare_areas_cached
from geo.engine.presence import presence_totals
from tests.builders import BASE, area, area_versions, oslo, square, straight_walk

X, Y = BASE
AREAS = area_versions([
    area("sq", square(X, Y, 100)),
    area("big", square(X - 50, Y - 50, 300), version=1, valid_to=dt.date(2024, 6, 1)),
    area("big", square(X - 50, Y - 50, 200), version=2, valid_from=dt.date(2024, 6, 1)),
])
WALK = straight_walk("p1", oslo("2024-06-07 20:00"), frm=(X - 100, Y + 50), to=(X + 200, Y + 50), step_m=2, interval_s=2)


@pytest.fixture
def cache_dir(tmp_path):
    area_cache.clear_memory()
    yield tmp_path
    area_cache.clear_memory()


def _totals(prepared) -> pd.DataFrame:
    return presence_totals(WALK, prepared, res=10).per_area.sort_values(["area_id", "version"], ignore_index=True)


def test_grids_read_back_from_disk_give_identical_presence(cache_dir):
    built = prepare_areas_cached(AREAS, cache_dir=cache_dir)
    assert len(list(cache_dir.glob("areas-*.grids"))) == 1
    area_cache.clear_memory()
    from_disk = prepare_areas_cached(AREAS, cache_dir=cache_dir)
    assert from_disk is not built
    assert_frame_equal(_totals(from_disk), _totals(built))
    # sq: the walk runs 100 m inside it at 1 m/s → 100 s; big v2 (200 m wide) → 200 s
    per = _totals(from_disk).set_index(["area_id", "version"])["seconds"]
    assert per[("sq", 1)] == pytest.approx(100.0)
    assert per[("big", 2)] == pytest.approx(200.0)


def test_the_same_area_set_is_served_from_memory(cache_dir):
    assert prepare_areas_cached(AREAS, cache_dir=cache_dir) is prepare_areas_cached(AREAS.copy(), cache_dir=cache_dir)


@pytest.mark.parametrize("change", ["geometry", "valid_to", "version", "area_id"])
def test_any_change_to_the_area_set_changes_the_key(change):
    changed = AREAS.copy()
    if change == "geometry":
        changed.loc[0, "geometry"] = changed.geometry.iloc[0].buffer(1e-6)
    elif change == "valid_to":
        changed.loc[2, "valid_to"] = dt.date(2025, 1, 1)
    elif change == "version":
        changed.loc[0, "version"] = 2
    else:
        changed.loc[0, "area_id"] = "sq2"
    assert area_set_key(changed) != area_set_key(AREAS)


def test_a_damaged_cache_file_is_rebuilt_not_trusted(cache_dir):
    prepare_areas_cached(AREAS, cache_dir=cache_dir)
    (path,) = cache_dir.glob("areas-*.grids")
    path.write_bytes(b"not a pickle")
    area_cache.clear_memory()
    prepared = prepare_areas_cached(AREAS, cache_dir=cache_dir)
    assert _totals(prepared).set_index(["area_id", "version"])["seconds"][("sq", 1)] == pytest.approx(100.0)
    assert path.stat().st_size > 100  # rewritten with the rebuilt grids


def test_an_unwritable_cache_directory_only_costs_time(cache_dir):
    blocked = cache_dir / "file-not-dir"
    blocked.write_text("")
    prepared = prepare_areas_cached(AREAS, cache_dir=blocked / "sub")
    assert len(prepared) == 3


def test_the_empty_area_set_is_cached_too(cache_dir):
    assert len(prepare_areas_cached(AREAS.iloc[:0], cache_dir=cache_dir)) == 0


def test_grids_on_disk_are_mapped_not_read(cache_dir):
    prepare_areas_cached(AREAS, cache_dir=cache_dir)
    area_cache.clear_memory()
    from_disk = prepare_areas_cached(AREAS, cache_dir=cache_dir)
    grid = from_disk.index.clusters[0][1][0]
    assert grid.code.size > 0 and not grid.code.flags.owndata  # a view of the mapped file
    assert grid.code.ctypes.data % area_cache.ALIGN == 0
    grid.code[:1] = grid.code[:1]  # copy-on-write: writable, and the file is never changed
    area_cache.clear_memory()
    assert_frame_equal(_totals(prepare_areas_cached(AREAS, cache_dir=cache_dir)), _totals(from_disk))


def test_a_planted_cache_file_cannot_run_code(cache_dir, tmp_path):
    import os
    import pickle
    import struct

    class Evil:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    payload = pickle.dumps(Evil(), protocol=5)
    path = cache_dir / f"areas-{area_set_key(AREAS)}{area_cache.SUFFIX}"
    path.write_bytes(struct.pack("<8sQQ", area_cache.MAGIC, len(payload), 0) + payload)
    prepared = prepare_areas_cached(AREAS, cache_dir=cache_dir)
    assert not (tmp_path / "pwned").exists()
    assert len(prepared) == 3  # rebuilt instead
    with open(path, "rb") as file:
        assert file.read(8) == area_cache.MAGIC and path.stat().st_size > 1000


def test_indoor_areas_are_read_back_from_disk_not_rebuilt(cache_dir):
    import numpy as np

    indoor = AREAS.assign(indoor=[True, False, False])  # sq is a garage
    built = prepare_areas_cached(indoor, cache_dir=cache_dir)
    assert area_set_key(indoor) != area_set_key(AREAS)  # the indoor flags are part of the key
    (path,) = cache_dir.glob("areas-*.grids")
    loaded = area_cache._read(path)  # None if the restricted unpickler refused a class of PreparedAreas
    assert loaded is not None and len(loaded.indoor) == len(built.indoor) == 1
    np.testing.assert_array_equal(loaded.indoor.version, built.indoor.version)
    assert sorted(loaded.indoor.cells) == sorted(built.indoor.cells)
    for res, cover in built.indoor.cells.items():
        np.testing.assert_array_equal(loaded.indoor.cells[res].cell, cover.cell)
        np.testing.assert_array_equal(loaded.indoor.cells[res].share, cover.share)
    assert loaded.indoor.polygons[0].equals(built.indoor.polygons[0])
