"""UI strings for two periods side by side or as a difference map (issue 15, deliver 6), nb + en."""

STRINGS: dict[str, dict[str, str]] = {
    "sidebyside.view": {"nb": "Visning", "en": "View"},
    "sidebyside.view.single": {"nb": "Ett kart", "en": "One map"},
    "sidebyside.view.side_by_side": {"nb": "Side om side", "en": "Side by side"},
    "sidebyside.view.difference": {"nb": "Differanse", "en": "Difference"},
    "sidebyside.view.help": {
        "nb": "Side om side: valgt periode (B) ved siden av sammenligningsperioden (A), med samme fargeklasser og "
              "samme utsnitt. Differanse: B − A per celle.",
        "en": "Side by side: the chosen period (B) next to the comparison period (A), with the same colour classes "
              "and the same frame. Difference: B − A per cell.",
    },
    "sidebyside.no_comparison": {
        "nb": "Velg en sammenligningsperiode i sidepanelet for å se to perioder side om side eller differansen.",
        "en": "Choose a comparison period in the sidebar to see two periods side by side or their difference.",
    },
    "sidebyside.period": {"nb": "{name}: {first:%d.%m.%Y}–{last:%d.%m.%Y}",
                          "en": "{name}: {first:%d.%m.%Y}–{last:%d.%m.%Y}"},
    "sidebyside.a": {"nb": "A (sammenligning)", "en": "A (comparison)"},
    "sidebyside.b": {"nb": "B (valgt periode)", "en": "B (chosen period)"},
    "sidebyside.unit.presence": {"nb": "Tilstedeminutter", "en": "Presence minutes"},
    "sidebyside.unit.encounters": {"nb": "Møter", "en": "Encounters"},
    "sidebyside.unit.presence.per_day": {"nb": "Tilstedeminutter per dag med data",
                                         "en": "Presence minutes per day with data"},
    "sidebyside.unit.encounters.per_day": {"nb": "Møter per dag med data", "en": "Encounters per day with data"},
    "sidebyside.change": {"nb": "Endring B − A", "en": "Change B − A"},
    "sidebyside.legend": {"nb": "{unit}, endring B − A ({b} mot {a})", "en": "{unit}, change B − A ({b} vs {a})"},
    "sidebyside.legend.period": {"nb": "{first:%d.%m.%Y}–{last:%d.%m.%Y}", "en": "{first:%d.%m.%Y}–{last:%d.%m.%Y}"},
    "sidebyside.note": {"nb": "Rødt: mer i B, blått: mindre i B, grått: omtrent uendret",
                        "en": "Red: more in B, blue: less in B, grey: about unchanged"},
    "sidebyside.per_day": {
        "nb": "Periodene har data for ulikt antall dager (A: {a} dager, B: {b} dager), så de sammenlignes per dag "
              "med data.",
        "en": "The periods have data for different numbers of days (A: {a} days, B: {b} days), so they are "
              "compared per day with data.",
    },
    "sidebyside.no_data_a": {"nb": "Sammenligningsperioden har ingen data.",
                             "en": "The comparison period has no data."},
    "sidebyside.summary": {"nb": "{more} celler med mer i B, {less} med mindre, {same} uendret.",
                           "en": "{more} cells with more in B, {less} with less, {same} unchanged."},
    "sidebyside.empty": {"nb": "Ingen celler i noen av periodene.", "en": "No cells in either period."},
    # --- the partner picture's optional paragraph by the manager (pages/situasjonsbilde.py) ------------
    "report.note": {"nb": "Eget avsnitt fra tjenesten (valgfritt)", "en": "Your own paragraph from the service (optional)"},
    "report.note.help": {
        "nb": "Skrives ut under sammendraget i PDF og HTML, som ren tekst. Ikke skriv navn eller noe som kan "
              "identifisere en person.",
        "en": "Printed under the summary in the PDF and HTML, as plain text. Do not write names or anything that "
              "could identify a person.",
    },
    "report.note.heading": {"nb": "Fra tjenesten", "en": "From the service"},
}
