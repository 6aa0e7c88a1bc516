"""UI strings for the Situasjonsbilde page (partner situation picture) (nb + en)."""

STRINGS: dict[str, dict[str, str]] = {
    "report.page": {"nb": "Situasjonsbilde", "en": "Situation picture"},
    "report.caption": {
        "nb": "Et personvernsikkert situasjonsbilde for samarbeidspartnere. Periode, sammenligning og team velges i "
              "sidemenyen. Forhåndsvisningen under er nøyaktig det som eksporteres (rapporten er på bokmål).",
        "en": "A privacy-safe situation picture for partner forums. Period, comparison and team are chosen in the "
              "sidebar. The preview below is exactly what is exported (the report itself is in Norwegian).",
    },
    "report.preset": {"nb": "Samarbeidspartner", "en": "Partner forum"},
    "report.k": {"nb": "k (minste tall som vises)", "en": "k (smallest count shown)"},
    "report.k.help": {
        "nb": "Tall fra 1 til k−1 vises som «<k». k er minst 3.",
        "en": "Counts from 1 to k−1 are shown as “<k”. k is at least 3.",
    },
    "report.no_compare": {
        "nb": "Ingen sammenligningsperiode er valgt; endringer vises ikke.",
        "en": "No comparison period is chosen; changes are not shown.",
    },
    "report.period": {"nb": "Periode (hel {kind})", "en": "Period (a whole {kind})"},
    "report.period.option": {"nb": "{period} ({first:%d.%m.%Y}–{last:%d.%m.%Y})",
                             "en": "{period} ({first:%d %b %Y}–{last:%d %b %Y})"},
    "report.no_whole_period": {
        "nb": "Datalageret har ingen hel, avsluttet {kind} ennå; et situasjonsbilde dekker alltid én.",
        "en": "The store has no whole, ended {kind} yet; a situation picture always covers one.",
    },
    "report.compare.previous": {"nb": "Forrige", "en": "Previous"},
    "report.compare.last_year": {"nb": "Samme i fjor", "en": "Same last year"},
    "report.compare.none": {"nb": "Ingen", "en": "None"},
    "report.downloads": {"nb": "Last ned", "en": "Download"},
    "report.download.pdf": {"nb": "PDF (A4)", "en": "PDF (A4)"},
    "report.download.html": {"nb": "HTML (frittstående)", "en": "HTML (standalone)"},
    "report.download.csv": {"nb": "CSV (tabellene)", "en": "CSV (the tables)"},
    "report.download.logged": {
        "nb": "Hver nedlasting skrives i eksportloggen (tid, samarbeidspartner, periode, k, filens SHA-256).",
        "en": "Every download is written to the export log (time, partner, period, k, the file's SHA-256).",
    },
    "report.preview": {"nb": "Forhåndsvisning", "en": "Preview"},
    "report.narrative": {"nb": "Sammendrag", "en": "Summary"},
    "report.figures": {"nb": "Nøkkeltall", "en": "Key figures"},
    "report.previous": {"nb": "Før: {value}", "en": "Before: {value}"},
    "report.areas": {"nb": "Feltområder", "en": "Field areas"},
    "report.hotspots": {"nb": "Steder med flest møter", "en": "Places with most encounters"},
    "report.categories": {"nb": "Kategorier og aldersgrupper", "en": "Categories and age groups"},
    "report.trend": {"nb": "Utvikling per kategori", "en": "Trend per category"},
    "report.week": {"nb": "Tid på uka", "en": "Time of week"},
    "report.methods": {"nb": "Metode", "en": "Methods"},
    "report.log": {"nb": "Eksportlogg", "en": "Export log"},
}
