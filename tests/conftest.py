"""Shared pytest fixtures: where the real geodata lives."""

from __future__ import annotations

import fcntl
import os
import sys
from datetime import date
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


def shared_demo_store(tmp_path_factory: pytest.TempPathFactory, start: date, end: date) -> Path:
    """A demo store for local dates [start, end], built once per test session.

    Under pytest-xdist every worker has its own base temp directory; their
    common parent is shared, so the first worker builds the file under an
    exclusive lock and the others reuse it. Tests must not write to it.
    """
    from geo.demo.store import build_demo_store

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's directory, shared by its workers
    path = root / f"demo_{start:%Y%m%d}_{end:%Y%m%d}.gpkg"
    with open(root / f"{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            build_demo_store(path, start=start, end=end)
    return path


@pytest.fixture(scope="session")
def demo_store_years(tmp_path_factory) -> Path:
    """Demo store over three calendar years (2022–2024), where the planted hotspot drift shows. Read-only."""
    return shared_demo_store(tmp_path_factory, date(2022, 1, 1), date(2024, 12, 31))


@pytest.fixture(autouse=True, scope="session")
def private_grid_cache(tmp_path_factory) -> Path:
    """Prepared area grids are cached on disk (geo.engine.area_cache); tests use a fresh directory, not ~/.cache."""
    path = tmp_path_factory.mktemp("grid_cache")
    previous = os.environ.get("FELTKART_CACHE_DIR")
    os.environ["FELTKART_CACHE_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("FELTKART_CACHE_DIR", None)
    else:
        os.environ["FELTKART_CACHE_DIR"] = previous


@pytest.fixture(autouse=True)
def restore_main_module():
    """Streamlit's AppTest runs page scripts as ``__main__`` and leaves that module in
    ``sys.modules``; a process spawned afterwards (the demo build's worker) would then
    re-run the page script instead of starting cleanly. Put the real one back after each test."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(autouse=True, scope="session")
def streamlit_config_of_the_project() -> None:
    """Streamlit reads ``.streamlit/config.toml`` from the working directory the first time an option
    is read, and keeps what it found. Read it here from the project folder, so that a test which
    changes directory first (tests/test_uploads.py) cannot leave every later AppTest without the
    project's settings (no 127.0.0.1 address: the local-admin app refuses to serve)."""
    from streamlit import config

    previous = os.getcwd()
    os.chdir(REPO)
    try:
        config.get_config_options(force_reparse=True)
    finally:
        os.chdir(previous)
