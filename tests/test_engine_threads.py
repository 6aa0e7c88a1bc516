"""The engine's results do not depend on how many threads compute them."""

from __future__ import annotations

import pytest
from pandas.testing import assert_frame_equal

from bench.data import bench_areas, generate_track_points
from geo.engine import segments
from geo.engine.presence import prepare_areas, presence_totals
from geo.engine.threads import engine_threads, map_ordered


def test_map_ordered_keeps_input_order_with_more_items_than_threads():
    assert map_ordered(lambda i: i * i, range(11), threads=3) == [i * i for i in range(11)]
    assert map_ordered(lambda i: i, [], threads=2) == []


def test_presence_totals_are_identical_with_one_and_with_three_threads(monkeypatch):
    points = generate_track_points(60_000)
    areas = prepare_areas(bench_areas())
    monkeypatch.setitem(segments.SortedPoints.of.__func__.__kwdefaults__, "chunk_points", 8_000)  # many chunks
    results = {}
    for threads in ("1", "3"):
        monkeypatch.setenv("FELTKART_THREADS", threads)
        totals = presence_totals(points, areas, res=10)
        results[threads] = (totals.per_area, totals.per_cell.sort_values("cell", ignore_index=True))
    assert len(segments.SortedPoints.of(points).chunks) > 3
    assert_frame_equal(results["1"][0], results["3"][0], check_exact=True)
    assert_frame_equal(results["1"][1], results["3"][1], check_exact=True)
    assert results["1"][0]["seconds"].sum() > 0


@pytest.mark.parametrize("value, message", [("0", "at least 1"), ("two", "whole number")])
def test_a_bad_thread_setting_is_refused(monkeypatch, value, message):
    monkeypatch.setenv("FELTKART_THREADS", value)
    with pytest.raises(ValueError, match=message):
        engine_threads()


def test_the_default_uses_the_available_cpus_up_to_the_cap(monkeypatch):
    monkeypatch.delenv("FELTKART_THREADS", raising=False)
    assert 1 <= engine_threads() <= 4
