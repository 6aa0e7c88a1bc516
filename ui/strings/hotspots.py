"""UI strings for the Hotspots page (emerging hot and cold spots) (nb + en)."""

_NAMES = {
    "new": ("Ny", "New"),
    "consecutive": ("Sammenhengende", "Consecutive"),
    "intensifying": ("Forsterket", "Intensifying"),
    "persistent": ("Vedvarende", "Persistent"),
    "diminishing": ("Avtagende", "Diminishing"),
    "sporadic": ("Sporadisk", "Sporadic"),
    "oscillating": ("Svingende", "Oscillating"),
    "historical": ("Tidligere", "Historical"),
}

_EXPLAIN_HOT = {
    "new": ("Uvanlig mange møter her og rundt i den siste perioden, og aldri før.",
            "Unusually many encounters here and around in the final period, and never before."),
    "consecutive": ("Uvanlig mange møter i de siste periodene på rad (minst to), men aldri før det.",
                    "Unusually many encounters in the last periods in a row (at least two), but never before that."),
    "intensifying": ("Uvanlig mange møter i minst 90 % av periodene, også den siste, og det øker tydelig.",
                     ("Unusually many encounters in at least 90 % of the periods, the final one included, "
                     "and clearly growing.")),
    "persistent": ("Uvanlig mange møter i minst 90 % av periodene, også den siste, uten tydelig økning eller nedgang.",
                   ("Unusually many encounters in at least 90 % of the periods, the final one included, "
                   "with no clear rise or fall.")),
    "diminishing": ("Uvanlig mange møter i minst 90 % av periodene, også den siste, men det avtar tydelig.",
                    ("Unusually many encounters in at least 90 % of the periods, the final one included, "
                    "but clearly falling.")),
    "sporadic": ("Uvanlig mange møter i den siste perioden og av og på før; aldri uvanlig få.",
                 "Unusually many encounters in the final period and on and off before; never unusually few."),
    "oscillating": ("Uvanlig mange møter i den siste perioden, men uvanlig få i en tidligere periode.",
                    "Unusually many encounters in the final period, but unusually few in an earlier one."),
    "historical": ("Uvanlig mange møter i minst 90 % av periodene, men ikke i den siste.",
                   "Unusually many encounters in at least 90 % of the periods, but not in the final one."),
}

_EXPLAIN_COLD = {
    "new": ("Uvanlig få møter her og rundt i den siste perioden, og aldri før.",
            "Unusually few encounters here and around in the final period, and never before."),
    "consecutive": ("Uvanlig få møter i de siste periodene på rad (minst to), men aldri før det.",
                    "Unusually few encounters in the last periods in a row (at least two), but never before that."),
    "intensifying": ("Uvanlig få møter i minst 90 % av periodene, også den siste, og stadig færre.",
                     ("Unusually few encounters in at least 90 % of the periods, the final one included, "
                     "and ever fewer.")),
    "persistent": ("Uvanlig få møter i minst 90 % av periodene, også den siste, uten tydelig endring.",
                   ("Unusually few encounters in at least 90 % of the periods, the final one included, "
                   "with no clear change.")),
    "diminishing": ("Uvanlig få møter i minst 90 % av periodene, også den siste, men det tar seg tydelig opp.",
                    ("Unusually few encounters in at least 90 % of the periods, the final one included, "
                    "but clearly picking up.")),
    "sporadic": ("Uvanlig få møter i den siste perioden og av og på før; aldri uvanlig mange.",
                 "Unusually few encounters in the final period and on and off before; never unusually many."),
    "oscillating": ("Uvanlig få møter i den siste perioden, men uvanlig mange i en tidligere periode.",
                    "Unusually few encounters in the final period, but unusually many in an earlier one."),
    "historical": ("Uvanlig få møter i minst 90 % av periodene, men ikke i den siste.",
                   "Unusually few encounters in at least 90 % of the periods, but not in the final one."),
}

_CATEGORY_STRINGS: dict[str, dict[str, str]] = {}
for _kind, (_nb_kind, _en_kind), _explain in (("hot", ("hotspot", "hot spot"), _EXPLAIN_HOT),
                                               ("cold", ("coldspot", "cold spot"), _EXPLAIN_COLD)):
    for _pattern, (_nb, _en) in _NAMES.items():
        _CATEGORY_STRINGS[f"hotspots.cat.{_pattern}_{_kind}"] = {"nb": f"{_nb} {_nb_kind}", "en": f"{_en} {_en_kind}"}
        _CATEGORY_STRINGS[f"hotspots.explain.{_pattern}_{_kind}"] = {"nb": _explain[_pattern][0],
                                                                     "en": _explain[_pattern][1]}

STRINGS: dict[str, dict[str, str]] = {
    "hotspots.page": {"nb": "Hotspots", "en": "Hot spots"},
    "hotspots.caption": {
        "nb": "Hvor det er uvanlig mange (hotspot) eller uvanlig få (coldspot) møter, sammenlignet med hele "
              "området og alle perioder, og hvordan det har endret seg over tid.",
        "en": "Where there are unusually many (hot spot) or unusually few (cold spot) encounters compared with "
              "the whole area and all periods, and how that has changed over time.",
    },
    "hotspots.period": {"nb": "Periode", "en": "Period"},
    "hotspots.k_ring": {"nb": "Naboceller (ringer)", "en": "Neighbour cells (rings)"},
    "hotspots.k_ring.help": {
        "nb": "Hvor mange ringer av celler rundt hver celle som regnes med: 1 = cellen og de 6 rundt.",
        "en": "How many rings of cells around each cell count: 1 = the cell and the 6 around it.",
    },
    "hotspots.time_lag": {"nb": "Tidligere perioder med", "en": "Earlier periods included"},
    "hotspots.time_lag.help": {
        "nb": "Hvor mange perioder før hver periode som regnes med i nabolaget (0 = bare perioden selv).",
        "en": "How many periods before each period count in the neighbourhood (0 = only the period itself).",
    },
    "hotspots.limit_dates": {"nb": "Avgrens datoene", "en": "Limit the dates"},
    "hotspots.dates": {"nb": "Datoer", "en": "Dates"},
    "hotspots.whole_store": {
        "nb": "Trender trenger mange perioder: siden bruker alle møter i lageret, ikke perioden i sidepanelet.",
        "en": "Trends need many periods: the page uses every encounter in the store, not the sidebar period.",
    },
    "hotspots.summary": {
        "nb": "{cells} celler med møter, {periods} perioder ({first} – {last}): {hot} hotspots og {cold} coldspots.",
        "en": "{cells} cells with encounters, {periods} periods ({first} – {last}): {hot} hot spots and "
              "{cold} cold spots.",
    },
    "hotspots.empty": {"nb": "Ingen møter i utvalget.", "en": "No encounters in the selection."},
    "hotspots.left_out": {
        "nb": "Utelatt fordi datoene bare dekker en del av perioden (en halv periode ville sett ut som et fall): "
              "{periods}.",
        "en": "Left out because the dates cover only part of the period (half a period would look like a drop): "
              "{periods}.",
    },
    "hotspots.few_periods": {
        "nb": "Bare {periods} perioder: trender kan ikke påvises. Velg kortere perioder eller flere datoer.",
        "en": "Only {periods} periods: no trend can be shown. Choose shorter periods or more dates.",
    },
    "hotspots.legend": {"nb": "Mønster", "en": "Pattern"},
    "hotspots.counts": {"nb": "Celler per mønster", "en": "Cells per pattern"},
    "hotspots.table": {"nb": "Alle celler", "en": "All cells"},
    "hotspots.explain": {"nb": "Hva betyr mønstrene?", "en": "What do the patterns mean?"},
    "hotspots.method": {
        "nb": "Møter telles per celle og periode. For hver celle og periode sammenlignes møtene i cellen og "
              "nabocellene (også i tidligere perioder) med gjennomsnittet for alle celler og perioder "
              "(Getis-Ord Gi*). En celle er hotspot eller coldspot i en periode når forskjellen er statistisk "
              "sikker (falsk funnrate {alpha:.0%}). Trenden over tid testes med Mann-Kendall.",
        "en": "Encounters are counted per cell and period. For each cell and period the encounters in the cell "
              "and its neighbours (also in earlier periods) are compared with the mean of all cells and periods "
              "(Getis-Ord Gi*). A cell is a hot or cold spot in a period when the difference is statistically "
              "significant (false discovery rate {alpha:.0%}). The trend over time is tested with Mann-Kendall.",
    },
    "hotspots.col.cell": {"nb": "Celle", "en": "Cell"},
    "hotspots.col.category": {"nb": "Mønster", "en": "Pattern"},
    "hotspots.col.cells": {"nb": "Celler", "en": "Cells"},
    "hotspots.col.trend_z": {"nb": "Trend (z)", "en": "Trend (z)"},
    "hotspots.col.trend_p": {"nb": "Trend (p)", "en": "Trend (p)"},
    "hotspots.col.count_trend_z": {"nb": "Trend i antall (z)", "en": "Count trend (z)"},
    "hotspots.col.count_trend_p": {"nb": "Trend i antall (p)", "en": "Count trend (p)"},
    "hotspots.col.n_periods": {"nb": "Perioder", "en": "Periods"},
    "hotspots.col.n_periods_hot": {"nb": "Perioder som hotspot", "en": "Periods as hot spot"},
    "hotspots.col.n_periods_cold": {"nb": "Perioder som coldspot", "en": "Periods as cold spot"},
    "hotspots.col.last_z": {"nb": "Siste periode (z)", "en": "Final period (z)"},
    "hotspots.col.total_encounters": {"nb": "Møter i alt", "en": "Encounters in all"},
    "hotspots.col.last_encounters": {"nb": "Møter siste periode", "en": "Encounters final period"},
    "hotspots.col.lat": {"nb": "Breddegrad", "en": "Latitude"},
    "hotspots.col.lon": {"nb": "Lengdegrad", "en": "Longitude"},
    **_CATEGORY_STRINGS,
    "hotspots.cat.no_pattern": {"nb": "Ikke noe mønster", "en": "No pattern"},
    "hotspots.explain.no_pattern": {
        "nb": "Ingen av mønstrene over: stedet skiller seg ikke tydelig ut over tid.",
        "en": "None of the patterns above: the place does not clearly stand out over time.",
    },
}
