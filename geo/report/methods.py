"""The methods note printed with every export: definitions, k, period, filters, sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.report.labels import AGE_GROUP_NB, CATEGORY_NB, number_nb, period_nb
from geo.report.narrative import SAME_LEVEL_PCT

if TYPE_CHECKING:
    from geo.report.model import Report

TREND_PERIOD_NB = {"week": "uke", "month": "måned", "tertial": "tertial", "quarter": "kvartal", "year": "år"}

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
        ("Personvern", f"Ingen tall fra 1 til {report.k - 1} vises: de står som «<{report.k}» (k = {report.k}); "
                       f"null vises som 0. Der en total vises, er flere tall skjult («x») slik at ingen skjulte tall "
                       f"kan regnes ut ved subtraksjon fra totalene, også totaler som står i en annen tabell. Kartene viser bare "
                       f"feltområder og H3-celler (oppløsning {report.cell_resolution}) med minst {report.k} møter, "
                       f"i klasser, aldri enkeltmøter eller patruljespor. Tilstedetimer og patruljetimer gjelder "
                       f"tjenestens egne ansatte, ikke personene som ble møtt, og vises derfor uten skjuling; antall "
                       f"patruljer følger samme regel som andre antall."),
        ("Endringer", f"Endring er perioden minus sammenligningsperioden, som har like mange dager med data på "
                      f"samme sted i forrige periode (eller samme dager året før). Teksten kaller en endring på "
                      f"under {number_nb(SAME_LEVEL_PCT)} % i antall møter «om lag på samme nivå»; fra "
                      f"{number_nb(SAME_LEVEL_PCT)} % oppgis endringen i prosent. Pilene følger fortegnet."),
        ("Utvikling og hotspots", f"Utviklingen per kategori vises per {TREND_PERIOD_NB[report.trend_period]} "
                                  f"(etter periodens lengde). {PARTIAL_TREND_NB} " + _hotspot_text(report)),
        ("Kilder", "Feltkart (åpen kildekode): tjenestens egne registreringer av patruljer, GPS-spor og møter. "
                   + ATTRIBUTION),
    ]


def _hotspot_text(report: Report) -> str:
    text = ("«Steder med flest møter» er de H3-cellene med flest registrerte møter i perioden (bare celler med minst "
            f"{report.k}), sammenlignet med samme celle i sammenligningsperioden. Stedet er feltområdet der flest av "
            "cellens møter ble registrert, og gaten er den navngitte OpenStreetMap-veien som går lengst gjennom "
            "cellen (to steder i samme feltområde får ulike gater). Det er en enkel rangering, ikke en statistisk "
            "test.")
    if report.hotspot_method == "emerging":
        text += (" «Mønster» er resultatet av en analyse av fremvoksende hotspots (Getis–Ord Gi* per kvartal og "
                 "Mann–Kendall-trend) på møtene med utvalgets kategorier og aldersgrupper i hele byen, slik at "
                 "hvert sted sammenlignes med alle steder med slike møter.")
    return text
