"""Stored XSS in the folium maps, in a real browser: a field area named like markup is shown as text.

folium's GeoJsonTooltip builds its table with ``innerHTML`` and the map's iframe may run
scripts in the page, so an unescaped area name ``<img src=x onerror=...>`` ran script on
hover. The dashboard is served on a store whose only field area carries that name; the test
hovers the area and checks that the handler never ran (in the map's frame or the page) and
that the tooltip shows the literal text.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from tests.builders import BASE, area, area_versions, encounters, make_store, oslo, patrols, square, straight_walk
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, DRAWN_SHAPE, LOAD_TIMEOUT_MS, SCREENSHOTS, _open
from tests.test_browser import _wait_until_idle, serving

pytestmark = pytest.mark.browser

X, Y = BASE
HOSTILE = "<img src=x onerror=window.__xss=1;parent.__xss=1>"


def _serving_one_area(folder, name: str, *, inside: bool) -> Iterator[str]:
    """Serve a store whose one field area is called ``name`` and has one patrol of an hour,
    walked (with one encounter) inside the area or, ``inside=False``, 2 km away (never visited)."""
    start = oslo("2024-10-10 18:00")
    offset = 0 if inside else 2000
    make_store(
        folder,
        name="store.gpkg",
        areas=area_versions([area("named", square(X, Y, 400), name=name, team=name if inside else "sentrum")]),
        patrol_rows=patrols(("p1", start, start + pd.Timedelta(hours=1))),
        points=straight_walk("p1", start, frm=(X + offset + 10, Y + 200), to=(X + offset + 390, Y + 200), step_m=10,
                             interval_s=10),
        encounter_rows=encounters(("e1", start + pd.Timedelta(minutes=5), X + 200, Y + 200, "p1")) if inside else None,
    )
    with serving(folder / "store.gpkg") as url:
        yield url


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    yield from _serving_one_area(tmp_path_factory.mktemp("xss"), HOSTILE, inside=True)


def test_a_hostile_area_name_is_text_in_the_map_tooltip(hostile_server):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            _open(page, hostile_server, "")
            map_frame = page.locator('iframe[title*="st_folium"]').first
            map_frame.scroll_into_view_if_needed()
            inner = map_frame.element_handle().content_frame()
            inner.wait_for_selector("path.leaflet-interactive", timeout=LOAD_TIMEOUT_MS)
            tooltip = inner.locator(".leaflet-tooltip")
            shown = False
            for _ in range(10):  # the map may still be settling (fit to the area, a rerun): hover again
                shapes = inner.locator(DRAWN_SHAPE)  # every drawn shape: the area's is not always the first
                for i in range(shapes.count()):
                    map_frame.scroll_into_view_if_needed()  # the page grows above the map as it loads
                    box = shapes.nth(i).bounding_box()  # page coordinates
                    if not box or box["width"] < 2:
                        continue
                    page.mouse.move(5, 5)
                    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
                    try:
                        tooltip.wait_for(timeout=2_000)
                        shown = True
                        break
                    except Exception:  # noqa: BLE001 - not this shape, or not shown yet
                        continue
                if shown:
                    break
                page.wait_for_timeout(1_000)
            tooltip.wait_for(timeout=LOAD_TIMEOUT_MS)
            page.screenshot(path=str(SCREENSHOTS / "xss_tooltip.png"))
            page.wait_for_timeout(500)  # an image error fires asynchronously
            assert inner.evaluate("() => window.__xss") is None
            assert page.evaluate("() => window.__xss") is None
            assert tooltip.locator("img").count() == 0
            assert HOSTILE in tooltip.inner_text()
        finally:
            browser.close()


MARKDOWN_NAME = "[Logg inn på nytt](https://evil.example/login) **haster**"
"""A field-area name written as a Markdown link: Streamlit renders labels, captions and alerts as Markdown."""


@pytest.fixture(scope="module")
def markdown_server(tmp_path_factory):
    """A store whose one field area is named like a link and was never visited (so Oversikt lists it)."""
    yield from _serving_one_area(tmp_path_factory.mktemp("markdown"), MARKDOWN_NAME, inside=False)


def test_a_name_or_link_value_written_as_markdown_stays_text(markdown_server):
    """Neither a stored area name nor a value in a shared link becomes a link in the page."""
    from urllib.parse import quote

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            _open(page, markdown_server, "?team=" + quote("[klikk her](https://evil.example/team)"))
            page.get_by_text("Trenger oppmerksomhet").first.wait_for(timeout=LOAD_TIMEOUT_MS)
            page.get_by_text("klikk her", exact=False).first.wait_for(timeout=LOAD_TIMEOUT_MS)  # the link's warning
            page.get_by_text("aldri besøkt").first.wait_for(timeout=LOAD_TIMEOUT_MS)  # the unvisited area's line
            _wait_until_idle(page)
            shown = page.evaluate("() => document.body.innerText.replaceAll('\\u2060', '')")  # minus word joiners
            assert MARKDOWN_NAME in shown  # the unvisited area, listed with its name as text
            assert "«[klikk her](https://evil.example/team)»" in shown  # the warning quotes the value as text
            page.screenshot(path=str(SCREENSHOTS / "markdown_names.png"), full_page=True)
            links = page.locator('a[href^="https://evil.example"]')
            assert links.count() == 0, [links.nth(i).evaluate("a => a.closest('[data-testid]').outerHTML.slice(0, 600)")
                                        for i in range(links.count())]
        finally:
            browser.close()
