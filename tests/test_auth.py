"""Every role through the one access seam, under Streamlit's AppTest on a small demo store.

The signed-in user comes from Streamlit's own test harness, not from a path
in the app: ``AppTest.user`` is what ``st.user`` returns and
``AppTest.secrets`` what ``st.secrets`` returns during the run (``[auth]``
plus the role mapping). The running server has neither: there ``st.user``
is read only from the cookie Streamlit signs after the provider's callback
(``tests/test_browser_auth.py`` signs in through a real OIDC provider).
"""

from __future__ import annotations

import ast
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from geo.access import AccessDenied, Role, User
from geo.demo.store import build_demo_store
from geo.queries import Filters, key_figures, period_presets
from geo.report.export import preview_report
from geo.store import open_store
from tests.conftest import REPO
from ui.auth import LOCAL_ADMIN, export_file
from ui.navigation import PAGES

FIRST, LAST = date(2024, 9, 23), date(2024, 10, 20)
TIMEOUT_S = 120
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "c" * 40, "client_id": "feltkart",
        "client_secret": "not-used-under-apptest",
        "server_metadata_url": "http://localhost:9/.well-known/openid-configuration"}
ROLES = {"claim": "groups", "admin": ["fk-admin"], "manager": {"fk-ledere": "*", "fk-va": ["vestre-aker"]},
         "partner": {"forum-salto": ["salto"]}}
SECRETS = {"auth": AUTH, "feltkart": {"roles": ROLES}}
ADMIN = {"is_logged_in": True, "sub": "admin-1", "groups": ["fk-admin"], "name": "Ada"}
MANAGER_VA = {"is_logged_in": True, "sub": "manager-va", "groups": ["fk-va"], "name": "Mona"}
PARTNER = {"is_logged_in": True, "sub": "partner-salto", "groups": ["forum-salto"], "name": "Per"}
MANAGER_PAGES = [spec.file for spec in PAGES if spec.file not in ("situasjonsbilde.py", "data.py", "audit.py")]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    """A four-week demo store of its own (sign-ins may write to its audit log)."""
    path = tmp_path_factory.mktemp("auth") / "demo.gpkg"
    build_demo_store(path, start=FIRST, end=LAST)
    return str(path)


def start(store: str, monkeypatch, *, user: dict | None = None, secrets: dict | None = None,
          page: str | None = None) -> AppTest:
    """The dashboard as ``user`` (claims) under ``secrets``; no user and no secrets: the local admin."""
    monkeypatch.setenv("FELTKART_STORE", store)
    monkeypatch.chdir(REPO)
    at = AppTest.from_string((REPO / "dashboard.py").read_text(encoding="utf-8"), default_timeout=TIMEOUT_S)
    at.session_state["language"] = "nb"
    if user is not None:
        at.user = user
    if secrets is not None:
        at.secrets = secrets
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(str(REPO / "pages" / page)).run()
        assert not at.exception, at.exception
    return at


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def metric(at: AppTest, label: str) -> int:
    """A whole-number key figure as shown (``1 412`` with a Norwegian thousands space)."""
    return int("".join(ch for ch in next(m.value for m in at.metric if m.label == label) if ch.isdigit()))


def encounters(store: str, teams: tuple[str, ...] | None) -> int:
    first, last = period_presets(LAST)["last_4_weeks"]
    return int(key_figures(open_store(store, create=False), Filters(first_day=first, last_day=last, teams=teams))
               ["encounters"])


# --- without sign-in: one local admin, this computer only ----------------------------------------------------
def test_without_sign_in_the_local_admin_has_todays_dashboard(store, monkeypatch):
    at = start(store, monkeypatch)
    assert at.title[0].value == "Oversikt"
    assert any("Lokal administrator" in c.value for c in at.sidebar.caption)
    assert at.sidebar.radio(key="store_mode").options == ["Demodata (Oslo)", "Egen GeoPackage"]
    assert at.sidebar.selectbox(key="team").options[0] == "Alle team"
    assert metric(at, "Møter") == encounters(store, None)
    for page in ("data.py", "audit.py", "endringer.py"):
        at.switch_page(str(REPO / "pages" / page)).run()
        assert not at.exception and not errors(at), (page, errors(at))
    assert any("Ny versjon av et feltområde" in e.label for e in at.expander)  # the area editor


@pytest.mark.parametrize("address", ["0.0.0.0", "", "192.168.1.20"])
def test_without_sign_in_a_server_reachable_from_elsewhere_shows_nothing(store, monkeypatch, address):
    with patch_config_options({"server.address": address or None}):
        at = start(store, monkeypatch)
    assert len(errors(at)) == 1 and "bare på 127.0.0.1" in errors(at)[0] and "[auth]" in errors(at)[0]
    assert not at.title and not at.metric and not at.dataframe and not at.sidebar.selectbox


# --- sign-in ---------------------------------------------------------------------------------------------------
def test_a_session_that_is_not_signed_in_sees_only_the_sign_in_button(store, monkeypatch):
    at = start(store, monkeypatch, user={"is_logged_in": False}, secrets=SECRETS)
    assert [b.label for b in at.button] == ["Logg inn"]
    assert not at.metric and not at.dataframe and not at.sidebar.selectbox and not errors(at)


def test_an_account_without_a_role_is_refused(store, monkeypatch):
    at = start(store, monkeypatch, user={"is_logged_in": True, "sub": "u-9", "groups": ["kantine"]}, secrets=SECRETS)
    assert "id u-9" in errors(at)[0] and "ingen rolle" in errors(at)[0]
    assert [b.label for b in at.button] == ["Logg ut"] and not at.metric


def test_a_mistake_in_the_role_mapping_stops_everyone_with_its_key(store, monkeypatch):
    broken = {**SECRETS, "feltkart": {"roles": {**ROLES, "managers": {"x": "*"}}}}
    at = start(store, monkeypatch, user=ADMIN, secrets=broken)
    assert "unknown key managers; allowed keys: claim, admin, manager, partner, partner_min_k" in errors(at)[0]
    assert not at.metric


def test_a_signed_in_admin_is_named_in_the_sidebar_and_chooses_the_store(store, monkeypatch):
    at = start(store, monkeypatch, user=ADMIN, secrets=SECRETS)
    assert any("Ada" in m.value and "administrator" in m.value for m in at.sidebar.markdown)
    assert [b.label for b in at.sidebar.button] == ["Logg ut"]
    assert at.sidebar.radio(key="store_mode") is not None


# --- manager -------------------------------------------------------------------------------------------------------
def test_a_district_manager_sees_only_their_team_even_after_an_admin_filled_the_cache(store, monkeypatch):
    everyone, district = encounters(store, None), encounters(store, ("vestre-aker",))
    assert 0 < district < everyone
    admin = start(store, monkeypatch, user=ADMIN, secrets=SECRETS)
    assert metric(admin, "Møter") == everyone
    at = start(store, monkeypatch, user=MANAGER_VA, secrets=SECRETS)
    assert metric(at, "Møter") == district
    assert at.sidebar.selectbox(key="team").options == ["vestre-aker"]
    assert not at.sidebar.get("radio")  # no store picker
    assert any("Team: vestre-aker" in c.value for c in at.sidebar.caption)


def test_a_district_manager_sees_only_their_field_areas(store, monkeypatch):
    at = start(store, monkeypatch, user=MANAGER_VA, secrets=SECRETS)
    # tables show names first and keep the (hidden) ids in their data
    assert at.dataframe[0].value["area_id"].tolist() == ["hovseter", "__outside__"]  # Oversikt's per-area table
    at.switch_page(str(REPO / "pages" / "endringer.py")).run()
    timeline, comparison = at.dataframe[0].value, at.dataframe[2].value  # [1]: the change log (expander)
    assert set(timeline["area_id"]) == {"hovseter"} and set(comparison["area_id"]) == {"hovseter"}
    admin = start(store, monkeypatch, page="endringer.py")
    assert len(set(admin.dataframe[0].value["area_id"])) > 5  # the centre's areas are there for others


@pytest.mark.parametrize("page", MANAGER_PAGES)
def test_a_manager_opens_every_analysis_page(store, monkeypatch, page):
    at = start(store, monkeypatch, user=MANAGER_VA, secrets=SECRETS, page=page)
    assert at.title and not errors(at), errors(at)


def test_a_manager_may_show_single_encounter_points_but_not_edit_areas(store, monkeypatch):
    at = start(store, monkeypatch, user=MANAGER_VA, secrets=SECRETS, page="moter.py")
    at.toggle(key="encounters_points").set_value(True).run()
    assert not at.exception and not errors(at)
    at.switch_page(str(REPO / "pages" / "endringer.py")).run()
    assert not errors(at) and not any("Ny versjon av et feltområde" in e.label for e in at.expander)


@pytest.mark.parametrize("page", ["data.py", "audit.py"])
def test_a_manager_is_refused_the_admin_pages(store, monkeypatch, page):
    at = start(store, monkeypatch, user=MANAGER_VA, secrets=SECRETS, page=page)
    assert errors(at) and "ikke åpen for rollen leder" in errors(at)[0]
    assert not at.dataframe and not at.get("file_uploader")


# --- partner -------------------------------------------------------------------------------------------------------
def test_a_partner_lands_on_their_own_situation_picture(store, monkeypatch):
    at = start(store, monkeypatch, user=PARTNER, secrets=SECRETS)
    assert at.title[0].value == "Situasjonsbilde" and not errors(at)
    assert at.selectbox(key="report_preset").options == ["SaLTo"]
    assert at.slider(key="report_k").min == 5
    assert not any(e.label == "Eksportlogg" for e in at.expander)
    assert [s.key for s in at.sidebar.selectbox] == ["language", "period_preset", "compare_mode"]  # no team, no store
    assert not at.sidebar.get("radio") and not at.sidebar.get("text_input")
    assert not at.get("toggle")  # no point layer or any other manager widget


@pytest.mark.parametrize("page", [*MANAGER_PAGES, "data.py", "audit.py"])
def test_a_partner_opening_any_other_page_by_url_is_refused(store, monkeypatch, page):
    at = start(store, monkeypatch, user=PARTNER, secrets=SECRETS, page=page)
    assert len(errors(at)) == 1 and "ikke åpen for rollen samarbeidspartner" in errors(at)[0]
    assert not at.title and not at.metric and not at.dataframe and not at.get("arrow_vega_lite_chart")


def test_a_partners_download_is_checked_when_it_is_made(store):
    """The download callable re-checks the report it exports: another forum's picture is refused."""
    partner = User("partner-salto", Role.PARTNER, teams=frozenset(), presets=frozenset({"salto"}), min_k=5)
    week = {"first_day": date(2024, 10, 14), "last_day": date(2024, 10, 20)}  # a whole ended ISO week, as partners get
    trio = preview_report(open_store(store, create=False), "trio", **week, k=5).report
    with pytest.raises(AccessDenied, match="'trio' is not one of yours"):
        export_file(partner, store, trio, "csv", "trio.csv")
    salto = preview_report(open_store(store, create=False), "salto", **week, k=5).report
    assert len(export_file(partner, store, salto, "csv", "salto.csv")) > 0
    logged = open_store(store, create=False).exports()
    assert list(logged["preset"]) == ["salto"]  # only the allowed download reached the export log


# --- the seam itself -------------------------------------------------------------------------------------------
def test_every_page_file_is_routed_with_a_capability():
    assert sorted(p.name for p in (REPO / "pages").glob("*.py")) == sorted(spec.file for spec in PAGES)


@pytest.mark.parametrize("spec", PAGES, ids=lambda s: s.file)
def test_every_page_calls_the_access_seam_before_anything_else(spec):
    """The first statement that runs anything (not an import, a definition or a constant) asks the seam."""
    tree = ast.parse(spec.path.read_text(encoding="utf-8"))
    body = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef))]
    first = next(n for n in body if any(isinstance(c, ast.Call) for c in ast.walk(n)))
    assert isinstance(first, ast.Assign) and ast.unparse(first.value) == "require_page(__file__)", ast.unparse(first)


def test_the_local_admin_is_the_audit_logs_local_actor():
    assert LOCAL_ADMIN.subject == "local-admin" and LOCAL_ADMIN.role is Role.ADMIN


def test_sign_in_is_audit_logged_with_the_subject_id(store, monkeypatch):
    start(store, monkeypatch, user=MANAGER_VA, secrets=SECRETS)
    log = open_store(store, create=False).audit_log()
    signed_in = log[log["action"] == "sign_in"]
    assert "manager-va" in set(signed_in["actor"])


def test_a_raised_partner_floor_is_the_sliders_start(store, monkeypatch):
    raised = {**SECRETS, "feltkart": {"roles": {**ROLES, "partner_min_k": 8}}}
    at = start(store, monkeypatch, user=PARTNER, secrets=raised)
    assert (at.slider(key="report_k").min, at.slider(key="report_k").value) == (8, 8) and not errors(at)
