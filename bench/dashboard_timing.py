"""Dashboard speed on a store: server-side rerun time per widget change, and page load in a browser.

Usage::

    .venv/bin/python -m bench.dashboard_timing --store data/demo.gpkg [--browser]

Server side: Streamlit's AppTest runs the real router (a copy of dashboard.py,
as the tests do) on each page, then changes one widget on it; the time of each
rerun is measured (warm cache excluded: every change asks a new question).
Browser: Debian Chromium (Playwright) opens each page on a fresh
``python -m ui.serve`` (once its health check answers: the launcher imports
the pages' modules before it listens; the time until then is reported as
``server_ready_s``) and measures until the page's title and, on map pages,
the Leaflet shapes are drawn. Targets: widget change ≤ 1 s server-side; a
page's first full draw ≤ 3 s on a freshly started server and ≤ 2 s on a warm one.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WIDGET_CHANGES = {  # page → (widget kind, key, new value)
    "pages/oversikt.py": ("radio", "overview_shade", "encounters"),
    "pages/dekning.py": ("select_slider", "coverage_res", 9),
    "pages/moter.py": ("multiselect", "encounters_categories", ["acute_help"]),
    "pages/tid_pa_uka.py": ("selectbox", "time_of_week_new", "yes"),
    "pages/innsats_og_behov.py": ("slider", "effort_days", 30),
    "pages/endringer.py": ("radio", "changes_kind", "quarter"),
    "pages/hotspots.py": ("radio", "hotspots_period", "year"),
    "pages/situasjonsbilde.py": ("selectbox", "report_preset", "sentrum"),
    "pages/data.py": (None, None, None),
}
SIDEBAR_CHANGES = [("selectbox", "period_preset", "this_tertial"), ("selectbox", "period_preset", "last_year")]
BROWSER_PAGES = {"": "Oversikt", "dekning": "Dekning", "moter": "Møter", "tid_pa_uka": "Tid på uka",
                 "innsats_og_behov": "Innsats og behov", "endringer": "Endringer over tid", "hotspots": "Hotspots",
                 "situasjonsbilde": "Situasjonsbilde", "data": "Data"}
SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
"""The app's root once the page's script run has finished (every element sent)."""
MAP_PAGES = {"", "dekning", "moter", "innsats_og_behov", "endringer", "hotspots"}


def server_side(store: str) -> dict[str, dict[str, float]]:
    """Seconds per AppTest run: first load of each page, one widget change, sidebar period changes."""
    from streamlit.testing.v1 import AppTest

    os.environ["FELTKART_STORE"] = store
    os.chdir(REPO)
    out: dict[str, dict[str, float]] = {}
    for page, (kind, key, value) in WIDGET_CHANGES.items():
        at = AppTest.from_string((REPO / "dashboard.py").read_text(encoding="utf-8"), default_timeout=300)
        at.run()
        began = time.perf_counter()
        at.switch_page(str(REPO / page)).run()
        result = {"first_run_s": time.perf_counter() - began}
        if kind:
            widget = getattr(at, kind)(key=key)
            began = time.perf_counter()
            widget.set_value(value).run()
            result["widget_change_s"] = time.perf_counter() - began
        for i, (skind, skey, svalue) in enumerate(SIDEBAR_CHANGES):
            began = time.perf_counter()
            getattr(at, skind)(key=skey).set_value(svalue).run()
            result[f"period_change_{i + 1}_s"] = time.perf_counter() - began
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception}")
        out[page] = result
    return out


SERVER_START_TIMEOUT_S = 180.0


def wait_until_healthy(port: int, server: subprocess.Popen, *, timeout: float = SERVER_START_TIMEOUT_S) -> float:
    """Seconds until the server on ``port`` answers ``/_stcore/health``; RuntimeError if it exits or times out."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"the dashboard server exited with code {server.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - began
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the dashboard server did not answer its health check within {timeout:.0f} s")


def browser(store: str) -> dict[str, dict[str, float]]:
    """Seconds from navigation until the page is drawn (title, and Leaflet shapes on map pages).

    Two passes over all pages, each page in a new browser tab (a new session):
    ``cold`` on a freshly started server process (imports and caches cold),
    ``warm`` a second time, as a new user meets a running server.
    """
    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=REPO, env={**os.environ, "FELTKART_STORE": store}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    times: dict[str, dict[str, float]] = {"cold": {}, "warm": {}, "cold_script_done": {}, "warm_script_done": {}}
    try:
        times["server_ready_s"] = wait_until_healthy(port, server)
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for run in ("cold", "warm"):
                for path, title in BROWSER_PAGES.items():
                    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
                    began = time.perf_counter()
                    page.goto(f"http://127.0.0.1:{port}/{path}", timeout=120_000)
                    page.locator("h1", has_text=title).first.wait_for(timeout=120_000)
                    if path in MAP_PAGES:
                        iframe = page.locator('iframe[title*="st_folium"]').first
                        iframe.wait_for(timeout=120_000)
                        iframe.scroll_into_view_if_needed()  # a map below the fold is drawn only once visible
                        frame = page.frame_locator('iframe[title*="st_folium"]').first
                        frame.locator("path.leaflet-interactive:not([d='M0 0'])").first.wait_for(timeout=120_000)
                    times[run][path or "oversikt"] = time.perf_counter() - began
                    # not timed as the draw: let the page's script finish (the rest of the page), so its
                    # leftover work does not slow the next page down
                    page.locator(SCRIPT_DONE).first.wait_for(timeout=300_000)
                    times[f"{run}_script_done"][path or "oversikt"] = time.perf_counter() - began
                    page.close()
            chromium.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default="data/demo.gpkg")
    parser.add_argument("--browser", action="store_true", help="also measure page loads in Chromium")
    parser.add_argument("--no-server-side", action="store_true", help="skip the AppTest widget-change timings")
    parser.add_argument("--out", default="bench/results/dashboard.json")
    args = parser.parse_args(argv)
    store = str(Path(args.store).resolve())
    result = {"store": store, "load_average": os.getloadavg(),
              "server_side": {} if args.no_server_side else server_side(store)}
    widget = [r["widget_change_s"] for r in result["server_side"].values() if "widget_change_s" in r]
    period = [v for r in result["server_side"].values() for k, v in r.items() if k.startswith("period_change")]
    if widget:
        print(f"{'page':28} {'first run':>10} {'widget':>8} {'period 1':>9} {'period 2':>9}")
        for page, r in result["server_side"].items():
            print(f"{page:28} {r['first_run_s']:10.2f} {r.get('widget_change_s', float('nan')):8.2f} "
                  f"{r['period_change_1_s']:9.2f} {r['period_change_2_s']:9.2f}")
        print(f"widget change: median {statistics.median(widget):.2f} s, max {max(widget):.2f} s (target < 1 s)")
        print(f"period change: median {statistics.median(period):.2f} s, max {max(period):.2f} s")
    if args.browser:
        result["browser_first_load_s"] = browser(store)
        cold, warm = result["browser_first_load_s"]["cold"], result["browser_first_load_s"]["warm"]
        print(f"browser: server healthy {result['browser_first_load_s']['server_ready_s']:.1f} s after start")
        done = result["browser_first_load_s"]["cold_script_done"], result["browser_first_load_s"]["warm_script_done"]
        print(f"{'browser first load':28} {'cold server':>12} {'warm server':>12}   (targets 3 s / 2 s)"
              f"   script finished: cold / warm")
        for page in cold:
            print(f"{page:28} {cold[page]:10.2f} s {warm[page]:10.2f} s   {done[0][page]:10.2f} s / {done[1][page]:.2f} s")
    result["load_average_end"] = os.getloadavg()
    print(f"load average {result['load_average'][0]:.1f} at start, {result['load_average_end'][0]:.1f} at end "
          f"({os.cpu_count()} CPUs)")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
