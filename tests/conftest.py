"""Shared pytest fixtures: where the real geodata lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
"""Real, openly licensed Oslo geodata beside the project (see its MANIFEST.md)."""

GPX_DIR = SHARED_DATA / "gpx"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"../shared/data not found next to the project at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def gpx_dir(shared_data: Path) -> Path:
    return shared_data / "gpx"
