"""The demo's own need field (geo.demo.need_field) and a smoke run of the backtest (bench/planning.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bench.planning import ALLOCATIONS, backtest, markdown, summary
from geo.demo import hotspots
from geo.demo.encounters import ENCOUNTERS_PER_NEED_MINUTE
from geo.demo.need_field import INTENSITY, need_field
from geo.planning import load_config
from tests.conftest import shared_demo_store
from tests.test_pages import FIRST, LAST


def test_garages_have_the_generators_constant_intensity_per_hour_of_stay():
    field = need_field(dt.date(2024, 3, 4), dt.date(2024, 3, 10))
    garages = field[field["area_id"].str.startswith("p-hus")]
    expected = 60 * ENCOUNTERS_PER_NEED_MINUTE * (hotspots.BACKGROUND_INTENSITY + hotspots.GARAGE_INTENSITY)
    assert garages[INTENSITY].to_numpy() == pytest.approx(np.full(len(garages), expected))
    assert len(field) == 11 * 7 * 3  # 11 areas valid in 2024 (Brugata, Vaterland, Oslo S, Akerselva, Urtegata,
    # five garages, Hovseter) × 7 days × 3 shifts


def test_the_field_follows_the_area_versions_and_has_no_time_of_day():
    field = need_field(dt.date(2022, 12, 31), dt.date(2023, 1, 1))
    on = field.groupby("service_day")["area_id"].agg(set)
    assert "urtegata" not in on[dt.date(2022, 12, 31)] and "urtegata" in on[dt.date(2023, 1, 1)]
    per_shift = field.groupby(["area_id", "service_day"])[INTENSITY].nunique()
    assert (per_shift == 1).all()  # the same for day, evening and night
    with pytest.raises(ValueError, match="first_day 2023-01-02 is after last_day 2023-01-01; swap them"):
        need_field(dt.date(2023, 1, 2), dt.date(2023, 1, 1))


def test_the_lower_akerselva_grows_from_2022_to_2024_as_planted():
    early = need_field(dt.date(2023, 1, 2), dt.date(2023, 1, 8))
    late = need_field(dt.date(2024, 6, 3), dt.date(2024, 6, 9))
    mean = lambda f: f[f["area_id"] == "akerselva-nedre"][INTENSITY].mean()  # noqa: E731
    assert mean(late) > mean(early)


def test_backtest_smoke_on_four_weeks(tmp_path_factory):
    store = shared_demo_store(tmp_path_factory, FIRST, LAST)
    results = backtest(str(store), first="2024-W42", last="2024-W42", config=load_config())
    assert results["week"].tolist() == ["2024-W42"]
    assert (results[list(ALLOCATIONS)] > 0).all(axis=None)
    table = summary(results)
    assert set(table["ratio"]) >= {"plan / historical", "plan / uniform", "plan / oracle"}
    assert markdown(table).startswith("| weeks | ratio | n | median |")
