"""The ``plans`` table on both backends: versioned per ISO week, ``saved_by`` nullable, created on the first save."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.schema import PLAN_COLUMNS, PLAN_LINE_COLUMNS, T_PLANS
from geo.store import open_store
from tests.test_store_postgis import cluster, pg_url  # noqa: F401  (fixtures: a throwaway PostGIS database)

LINES = pd.DataFrame({"area_id": ["oslo-s", "urtegata"], "weekday": [0, 4], "shift": ["day", "night"],
                      "visits": [3, 2], "planned_minutes": [37.5, 25.0], "expected_encounters": [2.25, 1.5]})


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def store(request, tmp_path):
    location = str(tmp_path / "plans.gpkg") if request.param == "gpkg" else request.getfixturevalue("pg_url")
    opened = open_store(location)
    yield opened
    opened.close()


def test_no_plans_before_the_first_save_and_opening_creates_no_table(store):
    plans = store.plans()
    assert plans.empty and list(plans.columns) == list(PLAN_COLUMNS)
    tables = store.query("SELECT name FROM sqlite_master WHERE type = 'table'") if store.dialect == "sqlite" else \
        store.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")
    assert T_PLANS not in set(tables["name"])


def test_each_save_is_the_weeks_next_version_and_keeps_the_earlier_ones(store):
    assert store.save_plan("2024-W10", LINES, settings='{"team": "uteseksjonen"}') == 1
    assert store.save_plan("2024-W10", LINES.iloc[:1], settings="{}", saved_by="manager-7") == 2
    assert store.save_plan("2024-W11", LINES, settings="{}") == 1
    plans = store.plans()
    assert list(plans.columns) == list(PLAN_COLUMNS)
    assert plans[["week", "version"]].values.tolist() == [["2024-W10", 1], ["2024-W10", 1], ["2024-W10", 2],
                                                         ["2024-W11", 1], ["2024-W11", 1]]
    week = store.plans(week="2024-W10")
    first = week[week["version"] == 1]
    pd.testing.assert_frame_equal(first[list(PLAN_LINE_COLUMNS)].reset_index(drop=True).astype(LINES.dtypes),
                                  LINES, check_dtype=False)
    assert first["saved_by"].isna().all() and first["settings"].iloc[0] == '{"team": "uteseksjonen"}'
    assert week.loc[week["version"] == 2, "saved_by"].tolist() == ["manager-7"]
    assert week["saved_utc"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$").all()
    assert store.plans(week="2030-W01").empty


def test_an_empty_plan_is_refused(store):
    with pytest.raises(ValueError, match="a plan needs at least one line to be saved"):
        store.save_plan("2024-W10", LINES.iloc[:0], settings="{}")
    assert store.plans().empty
