"""Every UI string, in Norwegian bokmål (default) and English.

Pages never hard-code text: they call :func:`t` with a key. A test checks that
every key has both languages and that every key used in the code exists.
"""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"nb": "Norsk (bokmål)", "en": "English"}
DEFAULT_LANGUAGE = "nb"
LANGUAGE_KEY = "language"

STRINGS: dict[str, dict[str, str]] = {
    # --- frame & sidebar ---------------------------------------------------------
    "app.title": {"nb": "Feltkart", "en": "Feltkart"},
    "sidebar.language": {"nb": "Språk", "en": "Language"},
    "sidebar.store": {"nb": "Datalager", "en": "Data store"},
    "sidebar.store.demo": {"nb": "Demodata (Oslo)", "en": "Demo data (Oslo)"},
    "sidebar.store.own": {"nb": "Egen GeoPackage", "en": "Own GeoPackage"},
    "sidebar.store.path": {"nb": "Sti til GeoPackage-fil", "en": "Path to GeoPackage file"},
    "sidebar.store.missing": {
        "nb": "Fant ikke {path}. Kjør `make run` for demodata, eller importer egne data under «Data».",
        "en": "Could not find {path}. Run `make run` for demo data, or import your own data under “Data”.",
    },
    "sidebar.store.empty": {"nb": "Datalageret har ingen patruljer ennå.", "en": "The data store has no patrols yet."},
    "sidebar.period": {"nb": "Periode", "en": "Period"},
    "sidebar.period.custom_range": {"nb": "Fra–til (tjenestedag)", "en": "From–to (service day)"},
    "sidebar.compare": {"nb": "Sammenlign med", "en": "Compare with"},
    "sidebar.compare.previous": {"nb": "Forrige periode av samme lengde", "en": "Previous period of the same length"},
    "sidebar.compare.last_year": {"nb": "Samme periode i fjor", "en": "Same period last year"},
    "sidebar.compare.none": {"nb": "Ingen sammenligning", "en": "No comparison"},
    "sidebar.team": {"nb": "Team", "en": "Team"},
    "sidebar.team.all": {"nb": "Alle team", "en": "All teams"},
    "sidebar.attribution": {
        "nb": "Kartdata © OpenStreetMap-bidragsytere · Oslo kommune, PBE · Kartverket, SSB",
        "en": "Map data © OpenStreetMap contributors · Oslo kommune, PBE · Kartverket, SSB",
    },
    "preset.this_week": {"nb": "Denne uka", "en": "This week"},
    "preset.last_4_weeks": {"nb": "Siste 4 uker", "en": "Last 4 weeks"},
    "preset.this_tertial": {"nb": "Dette tertialet", "en": "This tertial"},
    "preset.last_year": {"nb": "I fjor", "en": "Last year"},
    "preset.custom": {"nb": "Egendefinert", "en": "Custom"},
    "period.caption": {
        "nb": "Tjenestedager {first:%d.%m.%Y}–{last:%d.%m.%Y}; møter etter egen dato.",
        "en": "Service days {first:%d.%m.%Y}–{last:%d.%m.%Y}; encounters by their own date.",
    },
    # --- pages -------------------------------------------------------------------
    "page.overview": {"nb": "Oversikt", "en": "Overview"},
    "page.coverage": {"nb": "Dekning", "en": "Coverage"},
    "page.encounters": {"nb": "Møter", "en": "Encounters"},
    "page.time_of_week": {"nb": "Tid på uka", "en": "Time of week"},
    "page.effort_need": {"nb": "Innsats og behov", "en": "Effort and need"},
    "page.data": {"nb": "Data", "en": "Data"},
    # --- key figures ---------------------------------------------------------------
    "figure.patrols": {"nb": "Patruljer", "en": "Patrols"},
    "figure.patrol_hours": {"nb": "Patruljetimer", "en": "Patrol hours"},
    "figure.presence_hours": {"nb": "Tilstedetimer", "en": "Presence hours"},
    "figure.person_hours": {"nb": "Persontimer", "en": "Person hours"},
    "figure.encounters": {"nb": "Møter", "en": "Encounters"},
    "figure.people": {"nb": "Personer møtt", "en": "People met"},
    "figure.new_contacts": {"nb": "Nye kontakter", "en": "New contacts"},
    "figure.share_under_25": {"nb": "Andel under 25", "en": "Share under 25"},
    "figure.share_under_18": {"nb": "Andel under 18", "en": "Share under 18"},
    # --- overview --------------------------------------------------------------------
    "overview.per_area": {"nb": "Per feltområde", "en": "Per field area"},
    "overview.map": {"nb": "Kart over feltområdene", "en": "Map of the field areas"},
    "overview.shade_by": {"nb": "Farge etter", "en": "Shade by"},
    # --- coverage --------------------------------------------------------------------
    "coverage.caption": {
        "nb": "Hvor patruljene faktisk er: tilstedeminutter per H3-celle. Ukedag og klokkeslett gjelder selve tilstedeværelsen.",
        "en": "Where patrols actually are: presence minutes per H3 cell. Weekday and hour refer to the presence itself.",
    },
    "coverage.summary": {"nb": "{cells} celler, {hours:,.1f} tilstedetimer.", "en": "{cells} cells, {hours:,.1f} presence hours."},
    "coverage.table": {"nb": "Tabell over cellene", "en": "Table of the cells"},
    # --- encounters --------------------------------------------------------------------
    "encounters.points": {"nb": "Vis enkeltmøter", "en": "Show single encounters"},
    "encounters.points.help": {
        "nb": "Kun for ledervisning internt. Enkeltpunkter deles aldri med samarbeidspartnere.",
        "en": "Internal manager view only. Single points are never shared with partners.",
    },
    "encounters.summary": {"nb": "{n} møter i {cells} celler.", "en": "{n} encounters in {cells} cells."},
    "encounters.trend": {"nb": "Utvikling per kategori", "en": "Trend per category"},
    "encounters.trend.period": {"nb": "Periode", "en": "Period"},
    # --- time of week --------------------------------------------------------------------
    "time_of_week.caption": {
        "nb": "Lokal ukedag og klokketime for hver tilstedeværelse og hvert møte (fredag natt kl. 02 er lørdag kl. 02).",
        "en": "Local weekday and hour of each presence and encounter (Friday night 02:00 is Saturday 02:00).",
    },
    "time_of_week.presence": {"nb": "Tilstedeværelse", "en": "Presence"},
    "time_of_week.encounters": {"nb": "Møter", "en": "Encounters"},
    "time_of_week.difference": {"nb": "Der de ikke stemmer overens", "en": "Where they disagree"},
    "time_of_week.difference.help": {
        "nb": "Andel av møtene minus andel av tilstedeværelsen. Rødt: flere møter enn innsatsen tilsier.",
        "en": "Share of encounters minus share of presence. Red: more encounters than the effort suggests.",
    },
    # --- effort and need --------------------------------------------------------------
    "effort.caption": {
        "nb": "Møter per patruljetime (tilstedeværelse) per feltområde og celle i perioden.",
        "en": "Encounters per patrol hour (presence) per field area and cell in the period.",
    },
    "effort.areas": {"nb": "Per feltområde", "en": "Per field area"},
    "effort.cells": {"nb": "Per celle", "en": "Per cell"},
    "effort.flagged": {
        "nb": "{n} celler er markert som underdekket (mange møter, lite tilstedeværelse).",
        "en": "{n} cells are flagged as under-covered (many encounters, little presence).",
    },
    "effort.flagged.table": {"nb": "Underdekkede celler", "en": "Under-covered cells"},
    "effort.unvisited": {"nb": "Feltområder uten besøk", "en": "Field areas not visited"},
    "effort.unvisited.days": {"nb": "Ikke besøkt på (dager)", "en": "Not visited for (days)"},
    "effort.unvisited.none": {"nb": "Alle feltområder er besøkt de siste {days} dagene.", "en": "Every field area was visited in the last {days} days."},
    # --- data ---------------------------------------------------------------------------
    "data.import": {"nb": "Importer filer", "en": "Import files"},
    "data.files": {"nb": "GPX, CSV, GeoJSON, GeoPackage eller zippet Shapefile", "en": "GPX, CSV, GeoJSON, GeoPackage or zipped Shapefile"},
    "data.kind": {"nb": "Innhold", "en": "Contents"},
    "data.kind.auto": {"nb": "Finn ut selv", "en": "Detect"},
    "data.kind.areas": {"nb": "Feltområder", "en": "Field areas"},
    "data.kind.tracks": {"nb": "GPS-spor", "en": "GPS tracks"},
    "data.kind.encounters": {"nb": "Møter", "en": "Encounters"},
    "data.kind.patrols": {"nb": "Patruljer", "en": "Patrols"},
    "data.crs": {"nb": "Koordinatsystem (ved UTM)", "en": "Coordinate system (for UTM)"},
    "data.team": {"nb": "Team", "en": "Team"},
    "data.valid_from": {"nb": "Feltområder gyldige fra", "en": "Field areas valid from"},
    "data.run_import": {"nb": "Importer", "en": "Import"},
    "data.nothing_new": {"nb": "ingenting nytt", "en": "nothing new"},
    "data.outcome": {"nb": "{file}: la til {added}; {rejected} rader avvist.", "en": "{file}: added {added}; {rejected} rows rejected."},
    "data.table.field_areas": {"nb": "feltområdeversjoner", "en": "field-area versions"},
    "data.table.patrols": {"nb": "patruljer", "en": "patrols"},
    "data.table.track_points": {"nb": "sporpunkter", "en": "track points"},
    "data.table.encounters": {"nb": "møter", "en": "encounters"},
    "data.error.file": {"nb": "Fil", "en": "File"},
    "data.error.line": {"nb": "Linje", "en": "Line"},
    "data.error.column": {"nb": "Kolonne", "en": "Column"},
    "data.error.reason": {"nb": "Årsak", "en": "Reason"},
    "data.history": {"nb": "Tidligere importer", "en": "Past imports"},
    "data.facts": {"nb": "Om datalageret", "en": "About the data store"},
    "data.size": {"nb": "Filstørrelse {mb:,.1f} MB.", "en": "File size {mb:,.1f} MB."},
    # --- filters ----------------------------------------------------------------------
    "filter.all": {"nb": "Alle", "en": "All"},
    "filter.weekdays": {"nb": "Ukedager", "en": "Weekdays"},
    "filter.hours": {"nb": "Klokketimer", "en": "Hours"},
    "filter.shifts": {"nb": "Vakt", "en": "Shift"},
    "filter.kinds": {"nb": "Patruljetype", "en": "Patrol kind"},
    "filter.categories": {"nb": "Kategorier", "en": "Categories"},
    "filter.age_groups": {"nb": "Aldersgrupper", "en": "Age groups"},
    "filter.new_contact": {"nb": "Ny kontakt", "en": "New contact"},
    "filter.new_contact.all": {"nb": "Alle", "en": "All"},
    "filter.new_contact.yes": {"nb": "Bare nye", "en": "New only"},
    "filter.new_contact.no": {"nb": "Bare kjente", "en": "Known only"},
    "filter.resolution": {"nb": "Cellestørrelse", "en": "Cell size"},
    "res.9": {"nb": "Stor (≈ 0,1 km²)", "en": "Large (≈ 0.1 km²)"},
    "res.10": {"nb": "Middels (≈ 15 000 m²)", "en": "Medium (≈ 15,000 m²)"},
    "res.11": {"nb": "Liten (≈ 2 000 m²)", "en": "Small (≈ 2,000 m²)"},
    "weekday.0": {"nb": "Mandag", "en": "Monday"},
    "weekday.1": {"nb": "Tirsdag", "en": "Tuesday"},
    "weekday.2": {"nb": "Onsdag", "en": "Wednesday"},
    "weekday.3": {"nb": "Torsdag", "en": "Thursday"},
    "weekday.4": {"nb": "Fredag", "en": "Friday"},
    "weekday.5": {"nb": "Lørdag", "en": "Saturday"},
    "weekday.6": {"nb": "Søndag", "en": "Sunday"},
    "shift.day": {"nb": "Dag", "en": "Day"},
    "shift.evening": {"nb": "Kveld", "en": "Evening"},
    "shift.night": {"nb": "Natt", "en": "Night"},
    "kind.regular": {"nb": "Ordinær", "en": "Regular"},
    "kind.reinforced": {"nb": "Styrket innsats", "en": "Reinforced"},
    "kind.project": {"nb": "Prosjekt", "en": "Project"},
    "kind.joint": {"nb": "Felles med bydel", "en": "Joint with district"},
    "category.conversation": {"nb": "Samtale / kontakt", "en": "Conversation / contact"},
    "category.welfare_check": {"nb": "Tilsyn", "en": "Welfare check"},
    "category.referral": {"nb": "Henvisning til annen tjeneste", "en": "Referral to another service"},
    "category.acute_help": {"nb": "Akutt hjelp / overdose", "en": "Acute help / overdose"},
    "category.minor_concern": {"nb": "Bekymring for mindreårig", "en": "Concern for a minor"},
    "category.pregnant_using": {"nb": "Gravid og rusavhengig", "en": "Pregnant and using"},
    "category.mental_illness": {"nb": "Alvorlig psykisk sykdom", "en": "Severe mental illness"},
    "category.violence": {"nb": "Vold eller trusler", "en": "Violence or threats"},
    "category.other": {"nb": "Annet", "en": "Other"},
    "age.under_18": {"nb": "Under 18", "en": "Under 18"},
    "age.18_23": {"nb": "18–23", "en": "18–23"},
    "age.24_25": {"nb": "24–25", "en": "24–25"},
    "age.26_plus": {"nb": "26 og over", "en": "26 and over"},
    "age.unknown": {"nb": "Ukjent", "en": "Unknown"},
    "period.week": {"nb": "Uke", "en": "Week"},
    "period.month": {"nb": "Måned", "en": "Month"},
    "period.tertial": {"nb": "Tertial", "en": "Tertial"},
    "period.quarter": {"nb": "Kvartal", "en": "Quarter"},
    "period.year": {"nb": "År", "en": "Year"},
    # --- maps and charts ----------------------------------------------------------------
    "map.basemap": {"nb": "Bakgrunnskart", "en": "Basemap"},
    "map.basemap.none": {"nb": "Ingen (fungerer uten nett)", "en": "None (works offline)"},
    "map.basemap.osm": {"nb": "OpenStreetMap", "en": "OpenStreetMap"},
    "map.basemap.kartverket_grey": {"nb": "Kartverket gråtone", "en": "Kartverket grey"},
    "chart.hour": {"nb": "Klokketime", "en": "Hour"},
    "chart.weekday": {"nb": "Ukedag", "en": "Weekday"},
    "chart.period": {"nb": "Periode", "en": "Period"},
    "chart.category": {"nb": "Kategori", "en": "Category"},
    # --- column names ------------------------------------------------------------
    "col.area_id": {"nb": "Område-ID", "en": "Area ID"},
    "col.area_name": {"nb": "Feltområde", "en": "Field area"},
    "col.key": {"nb": "Område/celle", "en": "Area/cell"},
    "col.cell": {"nb": "Celle", "en": "Cell"},
    "col.minutes": {"nb": "Tilstedeminutter", "en": "Presence minutes"},
    "col.patrol_minutes": {"nb": "Patruljeminutter", "en": "Patrol minutes"},
    "col.person_minutes": {"nb": "Personminutter", "en": "Person minutes"},
    "col.patrol_km": {"nb": "Km", "en": "Km"},
    "col.km": {"nb": "Km", "en": "Km"},
    "col.visits": {"nb": "Besøk", "en": "Visits"},
    "col.long_visit_share": {"nb": "Andel besøk ≥ 10 min", "en": "Share of visits ≥ 10 min"},
    "col.encounters": {"nb": "Møter", "en": "Encounters"},
    "col.people": {"nb": "Personer", "en": "People"},
    "col.patrol_hours": {"nb": "Patruljetimer", "en": "Patrol hours"},
    "col.encounters_per_patrol_hour": {"nb": "Møter per patruljetime", "en": "Encounters per patrol hour"},
    "col.under_covered": {"nb": "Underdekket", "en": "Under-covered"},
    "col.last_visit_day": {"nb": "Sist besøkt", "en": "Last visited"},
    "col.days_since_visit": {"nb": "Dager siden besøk", "en": "Days since visit"},
    "col.difference": {"nb": "Forskjell i andel", "en": "Difference in share"},
    "area.outside": {"nb": "Utenfor alle feltområder", "en": "Outside every field area"},
}


def language() -> str:
    """The language chosen in the sidebar (``nb`` or ``en``)."""
    lang = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """The UI string ``key`` in the current language, formatted with ``values``.

    An unknown key raises ``KeyError`` (caught by the i18n test, never shown).
    """
    text = STRINGS[key][language()]
    return text.format(**values) if values else text


def translate_columns(frame):
    """``frame`` with every column that has a ``col.<name>`` string renamed to it."""
    return frame.rename(columns=lambda c: t(f"col.{c}") if f"col.{c}" in STRINGS else c)


def labels(prefix: str):
    """A ``format_func`` for widgets: value ``v`` → the string ``<prefix>.<v>``.

    The language is bound when the widget is created, so the labels stay
    consistent even if the function is called outside the script run.
    """
    lang = language()
    return lambda value: STRINGS[f"{prefix}.{value}"][lang]
