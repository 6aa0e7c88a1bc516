"""Sign-in end to end: a local OIDC provider, a Streamlit server with ``[auth]``, Debian Chromium.

The test starts ``oidc-provider-mock`` on loopback with two accounts (a
district-team manager and a SaLTo partner), writes a temporary secrets file
with ``[auth]`` pointing at it and the role mapping, and serves the dashboard
with it (``STREAMLIT_SECRETS_FILES``; the repository's own
``.streamlit/secrets.toml`` is never touched). Chromium then signs in through
the provider's login form exactly as a user would: Streamlit's
``/auth/login`` → the provider → ``/oauth2callback`` → a signed cookie, so
nothing in the app is bypassed. Every request that does not go to this
computer is blocked. Screenshots go to ``tests/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlparse

import pytest

from geo.demo.store import build_demo_store
from tests.conftest import REPO
from tests.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LOAD_TIMEOUT_MS,
    SCREENSHOTS,
    _chromium_or_fail,
    _free_port,
    _wait_until_idle,
    serving,
)

pytestmark = pytest.mark.browser

MANAGER = ("manager-vestre-aker", {"name": "Mona Leder", "groups": ["feltkart-vestre-aker"]})
PARTNER = ("partner-salto", {"name": "Per Partner", "groups": ["forum-salto"]})
PARTNER_REFUSED = ("oversikt", "dekning", "moter", "tid_pa_uka", "innsats_og_behov", "endringer", "hotspots",
                   "data", "audit")
"""URL paths a partner may type: every page but their situation picture (their default, at "")."""
MAP_FRAME = 'iframe[title*="st_folium"]'


def _secrets(issuer: str) -> str:
    return f'''[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "feltkart-test"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{issuer}/.well-known/openid-configuration"

[feltkart.roles]
claim = "groups"
admin = ["feltkart-admin"]

[feltkart.roles.manager]
feltkart-vestre-aker = ["vestre-aker"]

[feltkart.roles.partner]
forum-salto = ["salto"]
'''


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    import oidc_provider_mock

    _chromium_or_fail()
    users = [oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in (MANAGER, PARTNER)]
    with oidc_provider_mock.run_server_in_thread(user_claims=users) as provider:  # binds localhost only
        yield f"http://localhost:{provider.server_port}"


@pytest.fixture(scope="module")
def server(issuer, tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser_auth")
    store = folder / "demo.gpkg"
    build_demo_store(store, start=date(2024, 10, 7), end=date(2024, 10, 20))
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(_secrets(issuer), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STREAMLIT_SECRETS_FILES", str(secrets_file))
        with serving(store) as url:
            yield url


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium):
    """A fresh browser profile (no cookies) that reaches only this computer."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname in
                  ("127.0.0.1", "localhost") else route.abort())
    yield context.new_page()
    context.close()


def sign_in(page, server: str, issuer: str, subject: str) -> None:
    """Through the dashboard's button, the provider's login form and Streamlit's callback."""
    page.goto(f"{server}/", timeout=LOAD_TIMEOUT_MS)
    page.get_by_role("button", name="Logg inn").click(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_url(f"{issuer}/**", timeout=LOAD_TIMEOUT_MS)
    page.get_by_role("button", name=subject).click()
    page.wait_for_url(f"{server}/**", timeout=LOAD_TIMEOUT_MS)
    page.get_by_text("Innlogget som").wait_for(timeout=LOAD_TIMEOUT_MS)
    _wait_until_idle(page)


def open_path(page, server: str, path: str) -> None:
    page.goto(f"{server}/{path}", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stSidebar"], [data-testid="stAlert"]', timeout=LOAD_TIMEOUT_MS)
    _wait_until_idle(page)


def menu(page) -> list[str]:
    """Titles in the sidebar's page menu (each link also holds its icon's ligature name)."""
    return [text.strip().splitlines()[-1] for text in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]


def map_shapes(page) -> int:
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-container").wait_for(timeout=LOAD_TIMEOUT_MS)
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    return frame.locator("path.leaflet-interactive").count()


def test_a_visitor_who_has_not_signed_in_sees_only_the_sign_in_button(browser, server):
    browser.goto(f"{server}/moter", timeout=LOAD_TIMEOUT_MS)
    browser.get_by_role("button", name="Logg inn").wait_for(timeout=LOAD_TIMEOUT_MS)
    _wait_until_idle(browser)
    assert browser.locator('[data-testid="stSidebarNav"]').count() == 0
    assert browser.locator(MAP_FRAME).count() == 0 and browser.locator('[data-testid="stMetric"]').count() == 0
    browser.screenshot(path=str(SCREENSHOTS / "auth_signed_out.png"), full_page=True)


def test_a_district_manager_signs_in_and_sees_their_team_with_encounter_points(browser, server, issuer):
    sign_in(browser, server, issuer, MANAGER[0])
    sidebar = browser.locator('[data-testid="stSidebar"]').inner_text()
    assert "Mona Leder" in sidebar and "(leder)" in sidebar and "Team: vestre-aker" in sidebar
    assert "Datalager" not in sidebar  # no store picker
    assert menu(browser) == ["Oversikt", "Dekning", "Møter", "Tid på uka", "Innsats og behov", "Områdeprofil",
                             "Endringer over tid", "Hotspots", "Planlegging", "Situasjonsbilde"]
    browser.locator("h1", has_text="Oversikt").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    map_shapes(browser)  # the page has drawn down to its map
    browser.screenshot(path=str(SCREENSHOTS / "auth_manager_oversikt.png"), full_page=True)
    open_path(browser, server, "moter")
    before = map_shapes(browser)
    browser.locator('[data-testid="stCheckbox"]', has_text="Vis enkeltmøter").click()  # the point layer
    _wait_until_idle(browser)
    browser.wait_for_function(
        "([sel, n]) => { const f = document.querySelector(sel); const d = f && f.contentDocument;"
        " return d && d.querySelectorAll('path.leaflet-interactive').length > n; }",
        arg=[MAP_FRAME, before], timeout=LOAD_TIMEOUT_MS)
    browser.screenshot(path=str(SCREENSHOTS / "auth_manager_moter_points.png"), full_page=True)
    open_path(browser, server, "data")
    assert "ikke åpen for rollen leder" in browser.locator('[data-testid="stMain"] [data-testid="stAlert"]').first.inner_text()


def test_a_partner_sees_only_their_situation_picture_without_points_or_tracks(browser, server, issuer):
    sign_in(browser, server, issuer, PARTNER[0])
    assert menu(browser) == []  # one page open to the role: Streamlit draws no menu at all
    browser.locator("h1", has_text="Situasjonsbilde").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    browser.get_by_text("Sammendrag").first.wait_for(timeout=LOAD_TIMEOUT_MS)  # the preview is drawn
    browser.get_by_role("button", name="PDF (A4)").wait_for(timeout=LOAD_TIMEOUT_MS)  # the downloads too
    sidebar = browser.locator('[data-testid="stSidebar"]').inner_text()
    assert "Per Partner" in sidebar and "samarbeidspartner" in sidebar and "Situasjonsbilder: salto" in sidebar
    assert "Team" not in sidebar.replace("Team:", "") and "Datalager" not in sidebar
    assert browser.locator(MAP_FRAME).count() == 0  # no interactive map: no single point, no track
    assert browser.get_by_text("Eksportlogg", exact=True).count() == 0  # the export log expander
    browser.screenshot(path=str(SCREENSHOTS / "auth_partner_situasjonsbilde.png"), full_page=True)


@pytest.mark.parametrize("path", PARTNER_REFUSED)
def test_a_partner_typing_a_manager_pages_url_is_refused(browser, server, issuer, path):
    sign_in(browser, server, issuer, PARTNER[0])
    open_path(browser, server, path)
    alert = browser.locator('[data-testid="stMain"] [data-testid="stAlert"]').first  # the sidebar may warn too
    alert.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert "ikke åpen for rollen samarbeidspartner" in alert.inner_text()
    assert browser.locator("h1").count() == 0 and browser.locator(MAP_FRAME).count() == 0
    assert browser.locator('[data-testid="stMetric"], [data-testid="stDataFrame"]').count() == 0
    if path == "moter":
        browser.screenshot(path=str(SCREENSHOTS / "auth_partner_moter_refused.png"), full_page=True)


def test_serving_on_every_address_without_sign_in_is_refused_before_anything_listens(tmp_path):
    port = _free_port()
    no_auth = tmp_path / "secrets.toml"
    no_auth.write_text('[feltkart.stores]\ndemo = "data/demo.gpkg"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "STREAMLIT_SECRETS_FILES"}
    done = subprocess.run([sys.executable, "-m", "ui.serve", "--server.headless", "true", "--server.port", str(port),
                           "--server.address", "0.0.0.0", "--secrets.files", str(no_auth)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "refusing --server.address 0.0.0.0" in done.stderr and "[auth]" in done.stderr
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # nothing was started
