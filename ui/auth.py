"""Who is using the dashboard: Streamlit's own sign-in (``st.login`` / ``st.user``), or the local admin.

With an ``[auth]`` section in ``.streamlit/secrets.toml`` (Streamlit's OIDC
sign-in through Authlib), every session signs in with the municipality's
identity provider, and :func:`current_user` maps the ID token's claims to a
:class:`geo.access.User` with the role mapping in ``[feltkart.roles]``
(:func:`geo.access.load_access_config`). Without ``[auth]`` the dashboard is
one **local admin**, and only on this computer: a server address that is not
loopback, a client that is not on this computer or a request through a proxy
is refused with a message that says how to configure sign-in
(``ui/serve.py`` refuses such an address before it listens).

Nothing here lets a test stand in for a user: tests sign in through Streamlit's
own test harness (``AppTest.user`` and ``AppTest.secrets`` become ``st.user``
and ``st.secrets``) or a real OIDC provider; the running server reads
``st.user`` only from the cookie Streamlit signed after the provider's callback.

Every question is checked with :func:`permitted` before it is answered
(``ui.state.query``), and every export with :func:`export_file`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import streamlit as st
from streamlit import config

from geo.access import AccessDenied, Capability, Role, User, check, load_access_config, user_from_claims
from geo.errors import FeltkartError
from geo.report.disclosure import DEFAULT_K, MIN_K
from geo.report.export import render_and_log
from geo.report.presets import load_presets
from geo.store.audit import acting_as
from ui.format import literal
from ui.i18n import t
from ui.serve import is_loopback

LOCAL_ADMIN = User(subject="local-admin", role=Role.ADMIN)
"""The one user of a dashboard without sign-in (the audit log's actor for it)."""
SIGNED_IN_KEY = "_feltkart_signed_in"
"""Session-state slot: the subject whose sign-in this session has audit-logged."""
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-Ip")
"""Headers a reverse proxy adds: without sign-in, a request carrying one came from elsewhere."""
SECRETS_SECTION, ROLES_SECTION = "feltkart", "roles"


def qualified_name(function: Callable) -> str:
    """``module.name`` of ``function``, as :data:`geo.access.POLICY` names it."""
    return f"{function.__module__}.{function.__qualname__}"


def auth_section() -> Mapping[str, Any] | None:
    """The ``[auth]`` section of the secrets, or None when sign-in is not configured."""
    if not st.secrets.load_if_toml_exists():
        return None
    section = st.secrets.get("auth")
    return section if isinstance(section, Mapping) and section else None


def current_user() -> User:
    """The user of this session; stops the run with a clear page when nobody may be served.

    Under ``[auth]``: a session that is not signed in gets the sign-in page; a
    role mapping with a mistake, or an account without a role, a refusal.
    Without ``[auth]``: :data:`LOCAL_ADMIN`, on this computer only.
    """
    auth = auth_section()
    if auth is None:
        _require_this_computer()
        return LOCAL_ADMIN
    if not st.user.get("is_logged_in", False):  # a missing flag is not signed in
        _sign_in_page(auth)
    try:
        user = user_from_claims(st.user.to_dict(), access_config())
    except FeltkartError as exc:
        refuse(t("auth.config_error", error=exc))
    if user is None:
        st.error(t("auth.no_role", subject=st.user.get("sub", "?")))
        _sign_out_button()
        st.stop()
    if st.session_state.get(SIGNED_IN_KEY) != user.subject:
        record(user, "sign_in", {"role": user.role.value})
        st.session_state[SIGNED_IN_KEY] = user.subject
    return user


def access_config():
    """The role mapping (``[feltkart.roles]`` in the secrets), checked against the presets that exist."""
    section = st.secrets.get(SECRETS_SECTION, {})
    roles = section.get(ROLES_SECTION) if isinstance(section, Mapping) else None
    return load_access_config(_plain(roles), presets=load_presets().presets, min_k=MIN_K, default_k=DEFAULT_K)


def permitted(user: User, function: Callable, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """``args`` and ``kwargs`` narrowed to what ``user`` may ask ``function``; a refusal stops the run."""
    try:
        return check(user, qualified_name(function), args, kwargs)
    except AccessDenied as exc:
        refuse(t("auth.refused", reason=exc))


def export_file(user: User, path: str, report, fmt: str, name: str, *, images: dict[str, bytes] | None = None
                ) -> bytes:
    """A situation picture download: checked for ``user``, rendered and written to the export log.

    For ``st.download_button(data=partial(export_file, user, ...))``: the user
    is bound when the page runs, since the click is answered outside the run.
    """
    args, _ = check(user, qualified_name(render_and_log), (path, report, fmt, name), {})
    with acting_as(user.subject):  # the click is answered off the script thread: say who exports here
        return render_and_log(*args, images=images)


def refuse(message: str) -> NoReturn:
    """Show ``message`` as the page's only content and stop the run (no data, no traceback)."""
    st.error(message)
    st.stop()


def require(user: User, capability: Capability, *, page: str) -> None:
    """Stop the run with a refusal unless ``user`` may use ``capability`` (the page titled ``page``)."""
    if not user.may(capability):
        refuse(t("auth.page_refused", page=page, role=t(f"auth.role.{user.role.value}")))


def account_block(user: User) -> None:
    """The sidebar's line on who is signed in (and a sign-out button), or that this is the local admin."""
    if user is LOCAL_ADMIN:
        st.caption(t("auth.local_admin"))
        return
    st.markdown(t("auth.signed_in", name=literal(user.name or user.subject), role=t(f"auth.role.{user.role.value}")))
    if user.role is Role.MANAGER and user.teams is not None:
        st.caption(t("auth.signed_in.scope", teams=literal(", ".join(sorted(user.teams)))))
    if user.role is Role.PARTNER:
        st.caption(t("auth.signed_in.presets", presets=", ".join(sorted(user.presets or ()))))
    _sign_out_button(user)


def record(user: User, action: str, detail: dict) -> None:
    """One audit-log entry by ``user`` (actor: their subject id) in the default store.

    Written through its own connection (:func:`ui.audit.log_event`), never the shared
    cached one. The one place sign-ins and sign-outs are logged.
    """
    from ui.audit import log_event  # ui.audit reads ui.state, which checks every query with this module
    from ui.state import default_store

    log_event(str(default_store()), action, detail, actor=user.subject)


def audit_entries(user: User, path: str):
    """The audit log of the store at ``path`` (``Store.audit_log``), oldest first, for a user who may read it."""
    from ui.state import get_store

    user.require(Capability.AUDIT_LOG)
    return get_store(path).audit_log()


# --- helpers ------------------------------------------------------------------------------------------
def _require_this_computer() -> None:
    """Without sign-in, serve this computer only: loopback address, loopback client, no proxy."""
    address = config.get_option("server.address")  # st.get_option, looked up at call time
    if not is_loopback(address):
        why = t("auth.local_only.address", address=address) if address else t("auth.local_only.all")
        refuse(t("auth.local_only", why=why))
    ip = st.context.ip_address  # None for a loopback client (and no text at all under AppTest's mock runtime)
    if isinstance(ip, str) and not is_loopback(ip):
        refuse(t("auth.local_only", why=t("auth.local_only.remote", ip=ip)))
    headers = st.context.headers
    proxy = next((h for h in PROXY_HEADERS if headers.get(h)), None)
    if proxy is not None:
        refuse(t("auth.local_only", why=t("auth.local_only.proxy", header=proxy)))


def _sign_in_page(auth: Mapping[str, Any]) -> NoReturn:
    st.title(t("auth.sign_in.title"))
    st.write(t("auth.sign_in.text"))
    if st.button(t("auth.sign_in.button"), type="primary", key="auth_sign_in"):
        st.login(_provider(auth))
    st.stop()


def _sign_out_button(user: User | None = None) -> None:
    if st.button(t("auth.sign_out"), key="auth_sign_out"):
        if user is not None:
            record(user, "sign_out", {})
        st.session_state.pop(SIGNED_IN_KEY, None)
        st.logout()


def _provider(auth: Mapping[str, Any]) -> str | None:
    """The provider ``st.login`` uses: None (``[auth]`` itself) or the one ``[auth.<name>]`` table."""
    if "client_id" in auth:
        return None
    named = [key for key, value in auth.items() if isinstance(value, Mapping) and "client_id" in value]
    return named[0] if len(named) == 1 else None


def _plain(value: object) -> object:
    """Streamlit's secrets wrap tables in AttrDicts; the role mapping is read from plain dicts."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
