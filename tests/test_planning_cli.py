"""``python -m geo plan`` and ``plan-vs-actual``: output, files and exit codes (0 ok, 2 usage/infeasible)."""

from __future__ import annotations

import io
import json
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from geo.cli import main
from tests.test_planning_history import build_tiny_store

CONFIG = """
team = "uteseksjonen"
[patrols]
tuesday = { day = 1 }
friday = { night = 1 }
sunday = { evening = 1 }
[areas]
fixed = ["sq", "far"]
min_minutes_per_week = 12.5
max_share = 0.8
[garages]
areas = []
"""


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planning_cli")
    build_tiny_store(folder).close()
    return folder / "store.gpkg"


@pytest.fixture
def store(tiny_path, tmp_path):
    """A copy of the tiny store per test (the CLI may save plans into it)."""
    return str(shutil.copy(tiny_path, tmp_path / "store.gpkg"))


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "planning.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return str(path)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_plan_prints_csv_with_the_required_columns(store, config):
    code, out, err = run("plan", "--store", store, "--week", "2024-W25", "--config", config)
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns[:2]) == ["area_id", "area_name"]
    assert {"area_id", "weekday", "shift", "visits", "planned_minutes", "expected_encounters"} <= set(table.columns)
    assert set(table["area_id"]) == {"sq", "far"} and (table["visits"] > 0).all()
    assert "plan 2024-W25 (2024-06-17–2024-06-23)" in err and "solved in" in err
    assert "note: history: 2 weeks with patrols" in err


def test_plan_as_json_and_into_files(store, config, tmp_path):
    code, out, _ = run("plan", "--store", store, "--week", "2024-W25", "--config", config, "--format", "json")
    assert code == 0 and {r["area_id"] for r in json.loads(out)} == {"sq", "far"}
    for suffix, start in ((".csv", b"area_id,area_name"), (".pdf", b"%PDF"), (".json", b"[")):
        target = tmp_path / f"plan{suffix}"
        code, out, err = run("plan", "--store", store, "--week", "2024-W25", "--config", config, "--out", str(target))
        assert code == 0, err
        assert target.read_bytes().startswith(start)
        assert out.startswith(f"{target}: plan 2024-W25")


def test_save_then_plan_against_actual(store, config):
    code, _, err = run("plan-vs-actual", "--store", store, "--week", "2024-W24")
    assert code == 2 and "error: no plan saved for week 2024-W24" in err
    code, _, err = run("plan", "--store", store, "--week", "2024-W24", "--config", config, "--save")
    assert code == 0 and "saved as version 1 of 2024-W24" in err
    code, out, err = run("plan-vs-actual", "--store", store, "--week", "2024-W24")
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert {"planned_minutes", "actual_minutes", "gap"} <= set(table.columns)
    assert "plan 2024-W24 version 1 against actual:" in err
    code, out, _ = run("plan-vs-actual", "--store", store, "--week", "2024-W24", "--format", "json")
    assert code == 0 and isinstance(json.loads(out), list)


@pytest.mark.parametrize("args, message", [
    (["--week", "2024-10"], r"error: week must be an ISO week like 2024-W07; got '2024-10'"),
    (["--week", "2024-W53"], r"error: week '2024-W53' does not exist"),
    (["--week", "2024-W25", "--history-weeks", "0"], r"error: .*history\.weeks: must be a whole number from 1 to 104"),
    (["--week", "2024-W25", "--out", "plan.txt"], r"error: --out must end in \.csv, \.json or \.pdf"),
    (["--week", "2024-W20"], r"error: no patrols of team 'uteseksjonen' before week 2024-W20"),
])
def test_bad_usage_exits_2_with_a_clear_message(store, config, args, message):
    code, _, err = run("plan", "--store", store, "--config", config, *args)
    assert code == 2
    assert re.search(message, err), err


def test_conflicting_rules_exit_2_naming_the_rule(store, tmp_path):
    path = tmp_path / "strict.toml"
    path.write_text(CONFIG.replace("min_minutes_per_week = 12.5", "min_minutes_per_week = 5000"), encoding="utf-8")
    code, _, err = run("plan", "--store", store, "--week", "2024-W25", "--config", str(path))
    assert code == 2
    assert "error: the rules cannot all be met for week 2024-W25; relax this rule: areas.min_minutes_per_week" in err


def test_a_mistake_in_the_planning_file_exits_2_naming_the_key(store, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[patrols]\nfriday = { nite = 2 }\n", encoding="utf-8")
    code, _, err = run("plan", "--store", store, "--week", "2024-W25", "--config", str(path))
    assert code == 2 and "error: bad.toml: patrols.friday.nite: unknown shift; allowed: day, evening, night" in err
    path.write_text('[areas]\nfixed = ["sq", "nowhere"]\n', encoding="utf-8")
    code, _, err = run("plan", "--store", store, "--week", "2024-W25", "--config", str(path))
    assert code == 2 and "areas.fixed: 'nowhere' is not a field area in the store; known areas: far, sq" in err


def test_a_missing_store_and_missing_arguments_exit_2(tmp_path):
    code, _, err = run("plan", "--store", str(tmp_path / "none.gpkg"), "--week", "2024-W25")
    assert code == 2 and "does not exist" in err
    code, _, err = run("plan", "--store", str(tmp_path / "none.gpkg"))
    assert code == 2 and "--week" in err
