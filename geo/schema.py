"""Names of everything Feltkart stores: tables, columns and the coded values.

One name for one thing (STYLE.md): code, UI strings and docs use these
constants, never scattered string literals. The meaning of every column is
defined in ``PRODUCT.md``; units and CRS are given here.

Coordinates are stored in EPSG:4326 (lon/lat, degrees) and measured in
EPSG:25832 (ETRS89 / UTM 32N, metres). Times are stored in UTC.
"""

from __future__ import annotations

from enum import StrEnum

STORE_CRS = "EPSG:4326"
"""CRS of every stored geometry and lon/lat column."""

MEASURE_CRS = "EPSG:25832"
"""CRS in which every length and area is measured (metres)."""

LOCAL_TZ = "Europe/Oslo"
"""Time zone of every calendar notion: date, weekday, hour, shift, period."""

# --- tables / layers ---------------------------------------------------------
T_AREAS = "field_areas"
T_PATROLS = "patrols"
T_TRACK_POINTS = "track_points"
T_ENCOUNTERS = "encounters"
T_IMPORTS = "imports"

# --- field areas (one row per area version) ----------------------------------
AREA_ID = "area_id"  # stable slug, e.g. "brugata-storgata"
AREA_VERSION = "version"  # 1, 2, ... per area_id, in order of addition
AREA_NAME = "name"
AREA_TEAM = "team"
VALID_FROM = "valid_from"  # ISO date, inclusive, Europe/Oslo local date
VALID_TO = "valid_to"  # ISO date, exclusive; empty/None = still valid
INDOOR = "indoor"  # bool: an indoor area (parking garage, underground hall); PRODUCT.md "Indoor stay"
GEOMETRY = "geometry"  # MultiPolygon, EPSG:4326

# --- patrols -----------------------------------------------------------------
PATROL_ID = "patrol_id"
TEAM = "team"
START_UTC = "start_utc"  # pandas datetime64[us, UTC]
END_UTC = "end_utc"  # pandas datetime64[us, UTC]
STAFF = "staff"  # number of staff, default 2
KIND = "kind"  # PatrolKind value

DEFAULT_STAFF = 2

# --- track points ------------------------------------------------------------
TIME_UTC = "time_utc"  # pandas datetime64[us, UTC]; stored as epoch ms
LON = "lon"  # degrees, EPSG:4326
LAT = "lat"  # degrees, EPSG:4326
ACCURACY_M = "accuracy_m"  # optional horizontal accuracy, metres

# --- encounters --------------------------------------------------------------
ENCOUNTER_ID = "encounter_id"
CATEGORY = "category"  # Category value
AGE_GROUP = "age_group"  # AgeGroup value
NEW_CONTACT = "new_contact"  # bool
FROM_OUTSIDE_OSLO = "from_outside_oslo"  # "yes" | "no" | "unknown"
PEOPLE = "people"  # number of people met, >= 1

# --- provenance (every imported row) -----------------------------------------
SOURCE_FILE = "source_file"  # file name the row came from
SOURCE_LINE = "source_line"  # 1-based line (CSV) or feature number


class PatrolKind(StrEnum):
    """Kinds of patrol (PRODUCT.md, Data)."""

    REGULAR = "regular"
    REINFORCED = "reinforced"
    PROJECT = "project"
    JOINT = "joint"  # joint with a district team


class Category(StrEnum):
    """Encounter categories (PRODUCT.md, Data)."""

    CONVERSATION = "conversation"
    WELFARE_CHECK = "welfare_check"
    REFERRAL = "referral"
    ACUTE_HELP = "acute_help"
    MINOR_CONCERN = "minor_concern"
    PREGNANT_USING = "pregnant_using"
    MENTAL_ILLNESS = "mental_illness"
    VIOLENCE = "violence"
    OTHER = "other"


class AgeGroup(StrEnum):
    """Age groups of the people met (PRODUCT.md, Data)."""

    UNDER_18 = "under_18"
    AGE_18_23 = "18_23"
    AGE_24_25 = "24_25"
    AGE_26_PLUS = "26_plus"
    UNKNOWN = "unknown"


class YesNoUnknown(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Shift(StrEnum):
    """Shift of a patrol (PRODUCT.md, Definitions)."""

    DAY = "day"
    EVENING = "evening"
    NIGHT = "night"


# Labels accepted on import, besides the codes themselves (case-insensitive).
# English first, then Norwegian bokmål. The UI shows the first Norwegian label.
CATEGORY_LABELS: dict[Category, tuple[str, ...]] = {
    Category.CONVERSATION: ("conversation", "contact", "conversation / contact",
                            "samtale", "kontakt", "samtale / kontakt", "samtale/kontakt"),
    Category.WELFARE_CHECK: ("welfare check", "tilsyn", "omsorgssjekk"),
    Category.REFERRAL: ("referral", "referral to another service",
                        "henvisning", "henvisning til annen tjeneste", "videreformidling"),
    Category.ACUTE_HELP: ("acute help", "overdose", "acute help / overdose",
                          "akutt hjelp", "overdose", "akutt hjelp / overdose",
                          "akutthjelp"),
    Category.MINOR_CONCERN: ("concern for a minor", "minor concern",
                             "bekymring for mindreårig", "bekymring mindreårig",
                             "barnevern", "barnevern varslet"),
    Category.PREGNANT_USING: ("pregnant and using", "pregnant",
                              "gravid og rusavhengig", "gravid", "gravid og ruser",
                              "nav varslet"),
    Category.MENTAL_ILLNESS: ("severe mental illness", "mental illness",
                              "alvorlig psykisk sykdom", "psykisk sykdom",
                              "alvorlig psykisk syk"),
    Category.VIOLENCE: ("violence or threats", "violence", "threats",
                        "vold eller trusler", "vold", "trusler", "vold/trusler"),
    Category.OTHER: ("other", "annet", "andre"),
}

AGE_GROUP_LABELS: dict[AgeGroup, tuple[str, ...]] = {
    AgeGroup.UNDER_18: ("under 18", "<18", "0-17", "u18", "under_18"),
    AgeGroup.AGE_18_23: ("18-23", "18–23", "18 - 23", "18_23"),
    AgeGroup.AGE_24_25: ("24-25", "24–25", "24 - 25", "24_25"),
    AgeGroup.AGE_26_PLUS: ("26 and over", "26+", "26 og over", "over 25", "26_plus"),
    AgeGroup.UNKNOWN: ("unknown", "ukjent", "?", ""),
}

PATROL_KIND_LABELS: dict[PatrolKind, tuple[str, ...]] = {
    PatrolKind.REGULAR: ("regular", "ordinær", "ordinaer", "vanlig", "fast"),
    PatrolKind.REINFORCED: ("reinforced", "styrket", "styrket innsats", "forsterket"),
    PatrolKind.PROJECT: ("project", "prosjekt"),
    PatrolKind.JOINT: ("joint", "felles", "felles med bydel", "felles innsats"),
}

YES_NO_UNKNOWN_LABELS: dict[YesNoUnknown, tuple[str, ...]] = {
    YesNoUnknown.YES: ("yes", "ja", "y", "j", "true", "1"),
    YesNoUnknown.NO: ("no", "nei", "n", "false", "0"),
    YesNoUnknown.UNKNOWN: ("unknown", "ukjent", "?", ""),
}

# Bounding box of mainland Norway and Svalbard, lon/lat degrees (EPSG:4326).
# Coordinates outside are rejected rows (typically lat/lon swapped).
NORWAY_BBOX = (4.0, 57.5, 31.5, 81.0)

# Names of the area "outside every area" in summaries.
OUTSIDE_AREA_ID = "__outside__"

# --- added by the store at write time, and store bookkeeping (both backends) -
SERVICE_DAY = "service_day"  # patrols: local date the patrol started (PRODUCT.md "Service day")
SHIFT = "shift"  # patrols: day / evening / night (geo.timeutil.shift_of)
LOCAL_DATE = "local_date"  # encounters: Europe/Oslo date of the encounter
PATROL_FID = "patrol_fid"  # derived tables: integer key of the patrol row
T_AREA_CHANGES = "area_changes"  # log of every area version added or closed
T_FACTS = "store_facts"
"""Running counts kept at write time (COUNT(*) over hundreds of millions of points is slow)."""
T_AREA_DRAFTS = "area_drafts"
"""Suggested area sets (drafts); created on the first draft so opening a store never writes to it."""
DRAFT_ID = "draft_id"
DRAFT_COLUMNS = (DRAFT_ID, AREA_ID, AREA_NAME, AREA_TEAM, VALID_FROM, "created_utc", "created_by", "source")
T_EXPORT_LOG = "export_log"
"""Audit log of situation-picture exports; created on the first export (opening a store never writes)."""
EXPORT_LOG_COLUMNS = ("time_utc", "preset", "first_day", "last_day", "compare_first", "compare_last", "k",
                      "format", "file", "sha256", "actor")
"""``actor`` is who exported (a user's subject id; None before it was recorded)."""
T_PLANS = "plans"
"""Saved patrol plans, one row per plan line (area × weekday × shift), versioned per ISO week;
created on the first saved plan (opening a store never writes)."""
PLAN_WEEK = "week"  # ISO week label, 2024-W07
PLAN_VERSION = "version"  # 1, 2, ... per week, in order of saving
PLAN_SAVED_UTC = "saved_utc"  # when the version was saved (UTC)
PLAN_SAVED_BY = "saved_by"  # user id of whoever saved it; None until users exist
PLAN_SETTINGS = "settings"  # JSON text: capacity, rules, weights and history the plan was made with
PLAN_LINE_COLUMNS = (AREA_ID, "weekday", SHIFT, "visits", "planned_minutes", "expected_encounters")
"""One plan line: area, weekday of the service day (0 = Monday), shift, planned visits, planned
patrol-minutes, expected (weighted) encounters."""
PLAN_COLUMNS = (PLAN_WEEK, PLAN_VERSION, PLAN_SAVED_UTC, PLAN_SAVED_BY, PLAN_SETTINGS, *PLAN_LINE_COLUMNS)
T_AUDIT_LOG = "audit_log"
"""Who did what when: sign-ins, imports, area changes, exports, retention runs; created on the first entry."""
AUDIT_COLUMNS = ("time_utc", "actor", "action", "detail")
"""``time_utc`` UTC, ``actor`` a user's subject id (None when unknown), ``action`` one of
``geo.store.audit.ACTIONS``, ``detail`` a JSON object."""
T_RAW_REMOVED = "raw_points_removed"
"""Patrols whose raw track points retention deleted (``geo.retention``): their aggregates stay."""
T_FROZEN = "frozen_area_aggregates"
"""(patrol, area) whose area aggregates were kept as they were when an area change after
retention could not be recomputed from raw points (``geo.engine.refresh.refresh_areas``)."""

# --- derived tables (pre-aggregated at import; see geo.engine) ---------------
T_PRESENCE_AREA = "presence_area"  # patrol × area version × UTC hour
T_PRESENCE_CELL = "presence_cell"  # patrol × H3 cell × UTC hour, per resolution
T_PRESENCE_TOTAL = "presence_total"  # patrol × UTC hour, all presence anywhere
T_VISITS_AREA = "visits_area"  # one row per visit of a patrol to an area
T_VISITS_CELL = "visits_cell"  # one row per visit of a patrol to a cell
T_ENCOUNTER_AREAS = "encounter_areas"  # encounter × area version it lies in
PATROL_KEYED_TABLES = (T_PRESENCE_AREA, T_PRESENCE_CELL, T_PRESENCE_TOTAL, T_VISITS_AREA, T_VISITS_CELL)
"""Derived tables with one patrol per row (replaced per patrol when its points change)."""
DERIVED_TABLES = (*PATROL_KEYED_TABLES, T_ENCOUNTER_AREAS)
"""Every derived table, in the order both backends create and copy them."""

# --- rollups of the cell tables (kept by the stores; see geo.store.rollups) ----
T_PRESENCE_CELL_DAY = "presence_cell_day"  # res × service day × team × kind × shift × cell
T_VISITS_CELL_DAY = "visits_cell_day"
T_PRESENCE_CELL_MONTH = "presence_cell_month"  # the same by month of the service day
T_VISITS_CELL_MONTH = "visits_cell_month"
LONG_VISIT_S = 600.0
"""Visits lasting at least this long (10 min) are *long* (the 10+ min dose band of
``geo.engine.visits.DOSE_EDGES_S``); the visit rollups count them."""

H3_RESOLUTIONS = (9, 10, 11)
"""H3 resolutions Feltkart offers (coverage cells, encounter cells)."""
ENCOUNTER_CELL_COLUMNS = {res: f"cell_{res}" for res in H3_RESOLUTIONS}
"""Column of each encounter's H3 cell (int64) at each resolution; computed by the engine at import."""

HOUR_UTC = "hour_utc"  # start of the UTC hour, epoch seconds (Oslo offsets are whole hours)
SECONDS = "seconds"  # presence, patrol-seconds
METRES = "metres"  # presence length, metres in EPSG:25832
RES = "res"  # H3 resolution
CELL = "cell"  # H3 cell index as int64
VISIT_START = "start_s"  # epoch seconds
VISIT_END = "end_s"  # epoch seconds


# --- measures: the column names of every query result (CLI, pages and reports alike) ---------
PRESENCE_MINUTES = "presence_minutes"
"""Presence (PRODUCT.md, Presence) in patrol-minutes: time inside GPS segments, not shift length."""
PERSON_MINUTES = "person_minutes"
"""Presence × staff, person-minutes."""
PRESENCE_KM = "presence_km"
"""Length of the presence segments, EPSG:25832 kilometres."""
VISITS = "visits"
"""Visits (PRODUCT.md, Visit: breaks under 2 min bridged)."""
LONG_VISIT_SHARE = "long_visit_share"
"""Share (0–1) of visits lasting 10 min or more (the long dose band); NaN without visits."""
ENCOUNTERS = "encounters"
"""Distinct encounters."""
PATROLS = "patrols"
"""Number of patrols."""
PERIOD = "period"
"""Period label (``geo.timeutil.period_label``: ``2024-W23``, ``2024-06``, ``2024-T2``, ``2024-Q3``, ``2024``)."""
PRESENCE_MEASURES = (PRESENCE_MINUTES, PERSON_MINUTES, PRESENCE_KM, VISITS, ENCOUNTERS)
"""The measures of a coverage table, in their order in every such table."""

