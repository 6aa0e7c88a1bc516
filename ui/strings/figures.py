"""UI strings for figures that cannot mislead (issue 14): the period and filter caption every
page carries, comparisons, partial periods, honest rates (nb + en)."""

STRINGS: dict[str, dict[str, str]] = {
    # --- the caption every page carries (ui/captions.py) ----------------------------------
    "caption.period": {"nb": "Tjenestedager {first:%d.%m.%Y}–{last:%d.%m.%Y} (møter etter egen dato)",
                       "en": "Service days {first:%d.%m.%Y}–{last:%d.%m.%Y} (encounters by their own date)"},
    "caption.partial": {
        "nb": "valgt {first:%d.%m.%Y}–{last:%d.%m.%Y}, men data bare for {days} av {of} dager",
        "en": "chose {first:%d.%m.%Y}–{last:%d.%m.%Y}, but data for only {days} of {of} days",
    },
    "caption.no_data": {"nb": "ingen data i valgt periode {first:%d.%m.%Y}–{last:%d.%m.%Y}",
                        "en": "no data in the chosen period {first:%d.%m.%Y}–{last:%d.%m.%Y}"},
    "caption.compare": {"nb": "sammenlignet med {first:%d.%m.%Y}–{last:%d.%m.%Y}",
                        "en": "compared with {first:%d.%m.%Y}–{last:%d.%m.%Y}"},
    "caption.team": {"nb": "team: {team}", "en": "team: {team}"},
    "caption.weekdays": {"nb": "ukedager: {values}", "en": "weekdays: {values}"},
    "caption.hours": {"nb": "kl. {first:02d}–{last:02d}", "en": "{first:02d}:00–{last:02d}:00"},
    "caption.shifts": {"nb": "vakt: {values}", "en": "shift: {values}"},
    "caption.kinds": {"nb": "patruljetype: {values}", "en": "patrol kind: {values}"},
    "caption.categories": {"nb": "kategorier: {values}", "en": "categories: {values}"},
    "caption.age_groups": {"nb": "aldersgrupper: {values}", "en": "age groups: {values}"},
    "caption.new_contact.yes": {"nb": "bare nye kontakter", "en": "new contacts only"},
    "caption.new_contact.no": {"nb": "bare kjente kontakter", "en": "known contacts only"},
    # --- partial periods (sidebar) --------------------------------------------------------------
    "sidebar.partial": {
        "nb": "Data finnes bare for {days} av {of} dager i perioden ({first:%d.%m.%Y}–{last:%d.%m.%Y}). Tallene "
              "gjelder de dagene, og sammenligningen bruker like mange dager på samme sted i forrige periode.",
        "en": "Data cover only {days} of the period's {of} days ({first:%d.%m.%Y}–{last:%d.%m.%Y}). The figures "
              "describe those days, and the comparison uses as many days at the same place in the earlier period.",
    },
    "sidebar.no_data": {"nb": "Ingen data i perioden: datalageret har tjenestedager {first:%d.%m.%Y}–{last:%d.%m.%Y}.",
                        "en": "No data in the period: the store has service days {first:%d.%m.%Y}–{last:%d.%m.%Y}."},
    # --- key-figure deltas (ui/components.key_figure_row) ---------------------------------------
    "delta.vs": {"nb": "mot {previous} {first:%d.%m}–{last:%d.%m.%Y}", "en": "vs {previous} {first:%d.%m}–{last:%d.%m.%Y}"},
    "delta.help": {
        "nb": "Endring fra sammenligningsperioden {first:%d.%m.%Y}–{last:%d.%m.%Y} ({previous}). Farge bare der "
              "opp og ned har en avtalt betydning (mer innsats); andeler og antall møter vises nøytralt.",
        "en": "Change from the comparison period {first:%d.%m.%Y}–{last:%d.%m.%Y} ({previous}). Colour only where "
              "up and down have an agreed meaning (more effort); shares and encounter counts are shown neutrally.",
    },
    "delta.points": {"nb": "%-poeng", "en": "pp"},
    # --- honest rates (Innsats og behov) ------------------------------------------------------------
    "effort.rule": {
        "nb": "Regel: et sted får rate bare med minst {hours:g} tilstedetime(r); ellers står det «for lite "
              "tilstedeværelse», og det markeres aldri. Det markeres som underdekket når det i tillegg har minst "
              "{encounters:g} møter og hører til den fjerdedelen av slike steder med flest møter per tilstedetime: "
              "{threshold}.",
        "en": "Rule: a place gets a rate only with at least {hours:g} presence hour(s); otherwise it says “too "
              "little presence” and is never flagged. It is flagged as under-covered when it also has at least "
              "{encounters:g} encounters and is in the quarter of such places with most encounters per presence "
              "hour: {threshold}.",
    },
    "effort.rule.threshold": {"nb": "her minst {rate:.1f} møter per tilstedetime",
                              "en": "here at least {rate:.1f} encounters per presence hour"},
    "effort.rule.none": {"nb": "ingen steder oppfyller vilkårene i perioden", "en": "no place qualifies in the period"},
    "effort.map.legend": {"nb": "Svart kant: underdekket · grå: for lite tilstedeværelse (ingen rate)",
                          "en": "Black outline: under-covered · grey: too little presence (no rate)"},
    "status.too_little_presence": {"nb": "For lite tilstedeværelse", "en": "Too little presence"},
    "status.few_encounters": {"nb": "For få møter til å vurdere", "en": "Too few encounters to judge"},
    "status.under_covered": {"nb": "Underdekket", "en": "Under-covered"},
    "status.not_flagged": {"nb": "Ikke markert", "en": "Not flagged"},
    # --- maps that follow the selection ------------------------------------------------------------
    "map.empty": {"nb": "Ingenting å vise på kartet for dette utvalget (team, periode og filtre).",
                  "en": "Nothing to show on the map for this selection (team, period and filters)."},
    # --- trends ----------------------------------------------------------------------------------------
    "trend.caption": {
        "nb": "Per {period} (følger periodens lengde). Hule punkter: {partial} dekker bare en del av perioden og "
              "kan ikke sammenlignes direkte med hele.",
        "en": "Per {period} (follows the length of the period). Hollow points: {partial} cover only part of the "
              "period and cannot be compared directly with whole ones.",
    },
    "trend.caption.whole": {"nb": "Per {period} (følger periodens lengde); alle periodene er hele.",
                            "en": "Per {period} (follows the length of the period); every period is whole."},
    "trend.partial": {"nb": "Delvis periode", "en": "Partial period"},
}
