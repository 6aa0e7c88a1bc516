"""UI strings for sign-in, roles, refusals and the audit log page (nb + en)."""

STRINGS: dict[str, dict[str, str]] = {
    "auth.sign_in.title": {"nb": "Feltkart", "en": "Feltkart"},
    "auth.sign_in.text": {
        "nb": "Logg inn med kommunens konto for å se data fra oppsøkende tjeneste.",
        "en": "Sign in with your municipality account to see the outreach service's data.",
    },
    "auth.sign_in.button": {"nb": "Logg inn", "en": "Sign in"},
    "auth.sign_out": {"nb": "Logg ut", "en": "Sign out"},
    "auth.signed_in": {"nb": "Innlogget som **{name}** ({role})", "en": "Signed in as **{name}** ({role})"},
    "auth.signed_in.scope": {"nb": "Team: {teams}", "en": "Teams: {teams}"},
    "auth.signed_in.presets": {"nb": "Situasjonsbilder: {presets}", "en": "Situation pictures: {presets}"},
    "auth.role.admin": {"nb": "administrator", "en": "administrator"},
    "auth.role.manager": {"nb": "leder", "en": "manager"},
    "auth.role.partner": {"nb": "samarbeidspartner", "en": "partner"},
    "auth.local_admin": {
        "nb": "Lokal administrator uten innlogging: bare denne maskinen (127.0.0.1) når dashbordet. "
              "Innlogging for flere brukere: se README, «Deployment».",
        "en": "Local administrator without sign-in: only this computer (127.0.0.1) reaches the dashboard. "
              "Sign-in for several users: see the README, “Deployment”.",
    },
    "auth.local_only": {
        "nb": "Uten innlogging serverer Feltkart bare på 127.0.0.1 (denne maskinen), men denne forespørselen {why}. "
              "Sett opp innlogging: legg `[auth]` (OIDC: redirect_uri, cookie_secret, client_id, client_secret, "
              "server_metadata_url) og `[feltkart.roles]` i `.streamlit/secrets.toml` (README, «Deployment»), "
              "eller start med `make run`, som bare lytter på 127.0.0.1.",
        "en": "Without sign-in Feltkart serves only on 127.0.0.1 (this computer), but this request {why}. "
              "Configure sign-in: add `[auth]` (OIDC: redirect_uri, cookie_secret, client_id, client_secret, "
              "server_metadata_url) and `[feltkart.roles]` to `.streamlit/secrets.toml` (README, “Deployment”), "
              "or start with `make run`, which listens on 127.0.0.1 only.",
    },
    "auth.local_only.address": {"nb": "kom til serveradressen {address}", "en": "reached the server address {address}"},
    "auth.local_only.all": {"nb": "kom til en server som lytter på alle adresser",
                            "en": "reached a server listening on every address"},
    "auth.local_only.remote": {"nb": "kom fra {ip}", "en": "came from {ip}"},
    "auth.local_only.proxy": {"nb": "kom gjennom en proxy ({header})", "en": "came through a proxy ({header})"},
    "auth.config_error": {
        "nb": "Innloggingen er satt opp feil, så ingen får se data: {error}",
        "en": "Sign-in is misconfigured, so nobody is shown any data: {error}",
    },
    "auth.no_role": {
        "nb": "Du er logget inn (id {subject}), men kontoen din har ingen rolle i Feltkart. "
              "Be en administrator legge deg i riktig gruppe.",
        "en": "You are signed in (id {subject}), but your account has no Feltkart role. "
              "Ask an administrator to add you to the right group.",
    },
    "auth.refused": {"nb": "Ingen tilgang: {reason}", "en": "Access denied: {reason}"},
    "auth.page_refused": {
        "nb": "Siden «{page}» er ikke åpen for rollen {role}.",
        "en": "The page “{page}” is not open to the role {role}.",
    },
    "auth.store": {"nb": "Datalager: {name}", "en": "Data store: {name}"},
    "auth.store.configured": {"nb": "Konfigurert datalager", "en": "Configured store"},
    "auth.team.all_mine": {"nb": "Alle mine team", "en": "All my teams"},
    "page.audit": {"nb": "Revisjonslogg", "en": "Audit log"},
    "audit.caption": {
        "nb": "Hvem gjorde hva, når: innlogginger, importer, endringer i feltområder, eksporter og sletting av "
              "gamle GPS-punkter. «Hvem» er identitetsleverandørens id (sub), aldri navn.",
        "en": "Who did what, when: sign-ins, imports, field-area changes, exports and deletion of old GPS points. "
              "“Who” is the identity provider's id (sub), never a name.",
    },
    "audit.empty": {"nb": "Ingenting er logget ennå.", "en": "Nothing has been logged yet."},
    "audit.action.sign_in": {"nb": "Innlogging", "en": "Sign-in"},
    "audit.action.sign_out": {"nb": "Utlogging", "en": "Sign-out"},
    "audit.action.import": {"nb": "Import", "en": "Import"},
    "audit.action.import_refused": {"nb": "Import avvist", "en": "Import refused"},
    "audit.action.area_change": {"nb": "Endring av feltområde", "en": "Field-area change"},
    "audit.action.draft": {"nb": "Utkast lagret", "en": "Draft saved"},
    "audit.action.export": {"nb": "Eksport", "en": "Export"},
    "audit.action.retention": {"nb": "Sletting av rå GPS-punkter", "en": "Raw GPS points deleted"},
}
