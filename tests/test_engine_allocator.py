"""Process-wide settings (glibc's allocator) are made by the CLI and the benchmark, never by importing or running the engine.

The dashboard imports ``geo`` and runs the engine inside the Streamlit server
(the Data page imports files), so neither may change a setting of the whole
process. The import check runs in a fresh interpreter: this test process may
already have called ``geo.cli.main``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo import cli
from geo.engine import allocator

ROOT = Path(__file__).resolve().parents[1]

IMPORT_AND_RUN_THE_ENGINE = r"""
import ctypes, importlib, os, pkgutil, sys
calls = []
real = ctypes.CDLL
class Recording(real):
    def __getattr__(self, name):
        if name == "mallopt":
            calls.append(name)
        return super().__getattr__(name)
ctypes.CDLL = Recording

import geo
for module in pkgutil.walk_packages(geo.__path__, "geo."):
    if module.name != "geo.__main__":
        importlib.import_module(module.name)

import pandas as pd
from geo.engine import allocator
from geo.engine.presence import compute_presence, prepare_areas
from tests.builders import BASE, area, area_versions, oslo, square, track
points = track("p1", oslo("2024-06-07 20:00"), [(BASE[0] + 3 * i, BASE[1]) for i in range(50)], interval_s=5)
compute_presence(points, prepare_areas(area_versions([area("a", square())])))
print(calls, allocator.configure.cache_info().currsize, os.environ.get("GLIBC_TUNABLES"))
"""


def test_importing_and_running_the_engine_changes_no_process_wide_setting():
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    proc = subprocess.run([sys.executable, "-c", IMPORT_AND_RUN_THE_ENGINE], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["[]", "0", "None"]  # no mallopt, configure never called, no tunables


def test_the_command_line_configures_the_process_first(monkeypatch):
    calls = []
    monkeypatch.setattr(allocator, "configure", lambda: calls.append("configure"))
    assert cli.main(["summary"]) == 2  # a usage error still comes after the settings
    assert calls == ["configure"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt and tunables are Linux-only")
def test_configure_tunes_this_process_and_the_processes_it_starts():
    code = ("import os, subprocess, sys; from geo.engine import allocator; ok = allocator.configure(); "
            "child = subprocess.run([sys.executable, '-c', 'import os; print(os.environ[\"GLIBC_TUNABLES\"])'], "
            "capture_output=True, text=True).stdout.strip(); print(ok, child)")
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"} | {"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == [
        "True",
        "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824",
    ]
