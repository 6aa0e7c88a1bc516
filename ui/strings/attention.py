"""UI strings for the first screen's attention block (Oversikt) and an area's profile page (nb + en)."""

STRINGS: dict[str, dict[str, str]] = {
    # --- the attention block on Oversikt ------------------------------------------------------------
    "attention.title": {"nb": "Trenger oppmerksomhet", "en": "Needs attention"},
    "attention.unvisited.title": {"nb": "Ikke besøkt på {days} dager", "en": "Not visited in {days} days"},
    "attention.unvisited.days": {"nb": "Dager uten besøk", "en": "Days without a visit"},
    "attention.unvisited.help": {
        "nb": "Feltområder som er gyldige på periodens siste dag og ikke har hatt noe besøk av de valgte "
              "patruljene i så mange dager fram til den (også bare gjennomgang teller).",
        "en": "Field areas valid on the period's last day that the selected patrols have not visited in this "
              "many days up to it (passing through counts too).",
    },
    "attention.unvisited.none": {"nb": "Alle feltområdene er besøkt de siste {days} dagene.",
                                 "en": "Every field area has been visited in the last {days} days."},
    "attention.unvisited.item": {"nb": "sist besøkt {day} ({days} dager siden)",
                                 "en": "last visited {day} ({days} days ago)"},
    "attention.unvisited.never": {"nb": "aldri besøkt", "en": "never visited"},
    "attention.more": {"nb": "… og {n} til på Innsats og behov", "en": "… and {n} more on Effort and need"},
    "attention.changes.title": {"nb": "Største endringer", "en": "Largest changes"},
    "attention.changes.no_compare": {"nb": "Velg en sammenligningsperiode i sidemenyen for å se endringer.",
                                     "en": "Choose a comparison period in the sidebar to see changes."},
    "attention.changes.none": {
        "nb": "Ingen feltområder har endret seg med {pct} % eller mer, med nok grunnlag i sammenligningsperioden.",
        "en": "No field area has changed by {pct}% or more, with enough of a base in the comparison period.",
    },
    "attention.changes.rule": {
        "nb": "Per feltområde: tilstedeminutter, møter og møter per tilstedetime mot sammenligningsperioden, "
              "størst endring i prosent først. Under {pct} % regnes som om lag samme nivå. Prosent bare av et "
              "grunnlag på minst {hours} tilstedetime(r) eller {encounters} møter i sammenligningsperioden; rater "
              "bare der begge periodene har minst {hours} tilstedetime(r).",
        "en": "Per field area: presence minutes, encounters and encounters per presence hour against the "
              "comparison period, largest change in per cent first. Under {pct}% counts as about the same level. "
              "Per cent only of a base of at least {hours} presence hour(s) or {encounters} encounters in the "
              "comparison period; rates only where both periods have at least {hours} presence hour(s).",
    },
    "attention.changes.item": {"nb": "{measure} {change} ({pct}) {vs}", "en": "{measure} {change} ({pct}) {vs}"},
    "attention.hours.title": {"nb": "Timer der tilstedeværelse og møter spriker",
                              "en": "Hours where presence and encounters disagree"},
    "attention.hours.help": {
        "nb": "Andel av periodens møter og andel av tilstedeværelsen per ukedag og klokketime, som på Tid på uka; "
              "størst forskjell først.",
        "en": "Share of the period's encounters and share of its presence per weekday and clock hour, as on "
              "Time of week; largest difference first.",
    },
    "attention.hours.slot": {"nb": "{day} kl. {first:02d}–{last:02d}", "en": "{day} {first:02d}:00–{last:02d}:00"},
    "attention.hours.item": {"nb": "{encounters} av møtene, {presence} av tilstedeværelsen",
                             "en": "{encounters} of encounters, {presence} of presence"},
    "attention.hours.none": {"nb": "For lite data i perioden til å sammenligne timene.",
                             "en": "Too little data in the period to compare the hours."},
    # --- ways into a profile -------------------------------------------------------------------------
    "overview.table.help": {"nb": "Velg en rad for å åpne feltområdets profil.",
                            "en": "Select a row to open the field area's profile."},
    "overview.map.help": {"nb": "Trykk på et feltområde i kartet for å åpne profilen.",
                          "en": "Click a field area on the map to open its profile."},
    # --- the profile page ----------------------------------------------------------------------------
    "page.area_profile": {"nb": "Områdeprofil", "en": "Area profile"},
    "profile.area": {"nb": "Feltområde", "en": "Field area"},
    "profile.pick": {
        "nb": "Velg et feltområde, eller trykk på et område i kartet eller tabellen på Oversikt.",
        "en": "Choose a field area, or click an area on the map or in the table on the Overview.",
    },
    "profile.unknown": {
        "nb": "Lenken peker ikke på noe feltområde du har tilgang til. Velg et av dine feltområder under.",
        "en": "The link does not point to a field area you have access to. Choose one of your field areas below.",
    },
    "profile.none": {"nb": "Ingen feltområder å vise for deg i dette datalageret.",
                     "en": "No field areas to show you in this store."},
    "profile.team": {"nb": "Feltområdet tilhører {team}", "en": "The field area belongs to {team}"},
    "profile.last_visit": {"nb": "Sist besøkt", "en": "Last visited"},
    "profile.days_since": {"nb": "Dager siden besøk", "en": "Days since visit"},
    "profile.never": {"nb": "Aldri", "en": "Never"},
    "profile.last_visit.help": {
        "nb": "Tjenestedagen for siste besøk av de valgte patruljene på eller før periodens siste dag, "
              "uansett hvor langt tilbake.",
        "en": "Service day of the selected patrols' latest visit on or before the period's last day, however "
              "far back.",
    },
    "profile.versions": {"nb": "Versjoner over tid", "en": "Versions over time"},
    "profile.periods": {"nb": "Tilstedeværelse og møter per periode", "en": "Presence and encounters per period"},
    "profile.periods.partial": {"nb": "Delvis periode: {periods} dekker bare en del av perioden.",
                                "en": "Partial period: {periods} cover only part of the period."},
    "profile.time_of_week": {"nb": "Tid på uka i feltområdet", "en": "Time of week in the field area"},
    "profile.categories": {"nb": "Kategorier", "en": "Categories"},
    "profile.cells": {"nb": "Celler i feltområdet: innsats og behov",
                      "en": "Cells in the field area: effort and need"},
    "profile.cells.caption": {
        "nb": "H3-celler som overlapper feltområdet. {n} av dem er underdekket etter regelen på Innsats og behov "
              "(samme regel over hele utvalget).",
        "en": "H3 cells overlapping the field area. {n} of them are under-covered by the rule on Effort and need "
              "(the same rule over the whole selection).",
    },
    "profile.cells.legend": {"nb": "Svart kant: underdekket. Celler uten rate (for lite tilstedeværelse) står bare "
                                   "i tabellen.",
                             "en": "Black outline: under-covered. Cells without a rate (too little presence) are "
                                   "only in the table."},
    "profile.cells.none": {"nb": "Ingen tilstedeværelse eller møter i feltområdets celler i perioden.",
                           "en": "No presence or encounters in the field area's cells in the period."},
    "profile.col.period": {"nb": "Periode", "en": "Period"},
    "profile.col.partial": {"nb": "Delvis periode", "en": "Partial period"},
    "profile.col.category": {"nb": "Kategori", "en": "Category"},
    "profile.col.share": {"nb": "Andel av møtene", "en": "Share of encounters"},
}
