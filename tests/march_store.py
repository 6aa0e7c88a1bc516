"""Fixtures: the one-month demo store of issue 11 (2024-03-01..31), read-only, and the shipped presets.

Import them into a test module (``from tests.march_store import book, month_store, store``).
"""

from __future__ import annotations

from datetime import date

import pytest

from geo.report.presets import load_presets
from geo.store import open_store
from tests.conftest import shared_demo_store

MARCH = (date(2024, 3, 1), date(2024, 3, 31))


@pytest.fixture(scope="module")
def month_store(tmp_path_factory):
    return shared_demo_store(tmp_path_factory, *MARCH)


@pytest.fixture(scope="module")
def store(month_store):
    return open_store(month_store, create=False)


@pytest.fixture(scope="module")
def book():
    return load_presets()
