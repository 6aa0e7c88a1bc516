"""The methods note printed with every export: definitions, k, period, filters, sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.report.audit import Protection
from geo.report.disclosure import MIN_PATROLS_FOR_PRESENCE, PRESENCE_WITHHELD
from geo.report.labels import AGE_GROUP_NB, CATEGORY_NB, number_nb, period_nb
from geo.report.narrative import SAME_LEVEL_PCT
from geo.report.partner import whole_period
from geo.report.presets import PARTNER_PERIOD_KINDS

if TYPE_CHECKING:
    from geo.report.model import Report

TREND_PERIOD_NB = {"week": "uke", "month": "måned", "tertial": "tertial", "quarter": "kvartal", "year": "år"}
PERIOD_KIND_NB = {"week": "ISO-uke", "month": "kalendermåned", "tertial": "tertial", "quarter": "kvartal", "year": "år"}

PARTIAL_TREND_NB = ("En periode merket «(delvis)» ligger bare delvis innenfor utvalget og kan ikke sammenlignes "
                    "direkte med hele perioder.")

ATTRIBUTION = ("Kartdata © OpenStreetMap-bidragsytere (ODbL); feltområdene er tegnet etter OpenStreetMap-data. "
               "Oslo kommune, PBE · Kartverket, SSB. H3-celler: Uber H3 (Apache 2.0).")


def sections(report: Report) -> list[tuple[str, str]]:
    """(heading, text) pairs of the methods note, in Norwegian bokmål."""
    preset = report.preset
    compare = (period_nb(report.compare_first, report.compare_last) if report.has_comparison
               else "ingen sammenligning")
    categories = ", ".join(CATEGORY_NB[c].lower() for c in preset.categories) if preset.categories else "alle kategorier"
    ages = ", ".join(AGE_GROUP_NB[a].lower() for a in preset.age_groups) if preset.age_groups else "alle aldersgrupper"
    areas = (", ".join(report.area_map["label"]) if preset.areas
             else "alle feltområder og møter utenfor feltområdene")
    teams = ", ".join(report.teams) if report.teams else "alle team"
    return [
        ("Utvalg", f"{preset.audience} Periode: {period_nb(report.first_day, report.last_day)} (møter etter egen "
                   f"lokal dato, patruljer etter tjenestedag). Sammenligningsperiode: {compare}. Kategorier: "
                   f"{categories}. Aldersgrupper: {ages}. Områder: {areas}. Team: {teams}."),
        ("Definisjoner", "Et møte er en registrert kontakt med én eller flere personer (kategori og aldersgruppe som "
                         "registrert). Et møte i et feltområde ligger i eller på kanten av en versjon av området som "
                         "gjaldt på møtets dato; overlappende områder teller det hver for seg, mens totaler teller "
                         "hvert møte én gang. Tilstedetimer er tiden patruljene faktisk var til stede (sammenhengende "
                         "GPS-spor, og opphold inne i p-hus og andre innendørs områder der telefonen mister "
                         "signalet), ikke vaktlengde; patruljetimer er vaktlengde fra patruljens start til slutt. "
                         "Alle tider er norsk tid (Europe/Oslo)."),
        ("Personvern", _privacy_text(report)),
        ("Endringer", f"Endring er perioden minus sammenligningsperioden. Teksten kaller en endring på "
                      f"under {number_nb(SAME_LEVEL_PCT)} % i antall møter «om lag på samme nivå»; fra "
                      f"{number_nb(SAME_LEVEL_PCT)} % oppgis endringen i prosent. Pilene følger fortegnet."),
        ("Utvikling og hotspots", f"Utviklingen per kategori vises per {TREND_PERIOD_NB[report.trend_period]} "
                                   f"(etter periodens lengde). {PARTIAL_TREND_NB} " + _hotspot_text(report)),
        ("Kilder", "Feltkart (åpen kildekode): tjenestens egne registreringer av patruljer, GPS-spor og møter. "
                   + ATTRIBUTION),
    ]


def _privacy_text(report: Report) -> str:
    """What disclosure control did, in plain Norwegian: suppression, the audit, presence, periods."""
    k = report.k
    width = Protection.default(k).secondary_width
    text = (f"Ingen tall fra 1 til {k - 1} vises: de står som «<{k}» (k = {k}); null vises som 0. Mange tall står "
            f"i flere tabeller (totalen for en kategori både i tabellen over kategori og alder og i utviklingen, "
            f"antall møter i alle tabellene og i nøkkeltallene), så for at ingen skal kunne regne seg fram til et "
            f"skjult tall, er også noen større tall skjult («x»; et «x» er alltid minst {k}). Før noe eksporteres, "
            f"regner Feltkart ut – med lineær programmering og heltallsprogrammering, slik statistikkbyråer kontrollerer "
            f"tabellene sine – hvilke verdier hvert skjult tall kan ha ut fra alt annet som står i eksporten, også "
            f"overlappende feltområder, ukedagene i hver periode og nye kontakter. Et «<{k}» skal fortsatt kunne være "
            f"hvilket som helst tall fra 1 til {k - 1}, og et «x» skal kunne variere over minst {width}; ellers skjules "
            f"flere tall, de minste først. Der selve merkene ville si for mye (en total «<{k}» over flere «<{k}»), "
            f"vises tallet ikke i det hele tatt («:»). Kartene viser bare feltområder og H3-celler (oppløsning "
            f"{report.cell_resolution}) med minst {k} møter, i klasser, aldri enkeltmøter eller patruljespor; ville "
            f"møtene utenfor de viste cellene blitt færre enn {k}, vises færre celler. Antall patruljer følger samme "
            f"regel som andre antall. Tilstedetimer vises ikke for et område eller en periode med færre enn "
            f"{MIN_PATROLS_FOR_PRESENCE} patruljer («{PRESENCE_WITHHELD}»): da ville de vise hvor én enkelt patrulje "
            f"var.")
    kind = _period_kind(report)
    if kind is not None:
        text += (f" Et situasjonsbilde gjelder alltid én hel, avsluttet {PERIOD_KIND_NB[kind]} for alle team, og "
                 f"samme periode eksporteres alltid med samme k. To eksporter dekker derfor enten nøyaktig samme "
                 f"periode eller perioder uten en eneste felles dag, og kan ikke trekkes fra hverandre for å finne "
                 f"møtene på noen få dager eller til ett team. Sammenligningsperioden vises nøyaktig slik dens egen "
                 f"eksport viser den.")
    return text


def _period_kind(report: Report) -> str | None:
    """The calendar period kind the report's period is one whole period of (the shortest), or None."""
    for kind in PARTNER_PERIOD_KINDS:
        if whole_period(report.first_day, report.last_day, kind) is not None:
            return kind
    return None


def _hotspot_text(report: Report) -> str:
    text = ("«Steder med flest møter» er de H3-cellene med flest registrerte møter i perioden (bare celler med minst "
            f"{report.k}), sammenlignet med samme celle i sammenligningsperioden når cellen også var blant de største "
            "der. Stedet er feltområdet der flest av cellens møter ble registrert (når tallet for feltområdet vises), "
            "og gaten er den navngitte OpenStreetMap-veien som går lengst gjennom cellen (to steder i samme "
            "feltområde får ulike gater). "
            "Det er en enkel rangering, ikke en statistisk test.")
    if report.hotspot_method == "emerging":
        text += (" «Mønster» er resultatet av en analyse av fremvoksende hotspots (Getis–Ord Gi* per kvartal og "
                 "Mann–Kendall-trend) på møtene med utvalgets kategorier og aldersgrupper i hele byen, slik at "
                 "hvert sted sammenlignes med alle steder med slike møter.")
    return text
