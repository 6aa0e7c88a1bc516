"""UI strings for the Planlegging page (patrol planning and plan against actual) (nb + en)."""

STRINGS: dict[str, dict[str, str]] = {
    "planning.page": {"nb": "Planlegging", "en": "Planning"},
    "planning.caption": {
        "nb": "En anbefalt uke: besøk per feltområde, ukedag og vakt, ut fra møter per tilstedetime de siste ukene "
              "og reglene i config/planning.toml. Nattpatruljer hører til dagen de starter. En anbefaling, ikke et "
              "vedtak: lagre planen for å følge den opp mot GPS-sporene etterpå.",
        "en": "A recommended week: visits per field area, weekday and shift, from encounters per presence-hour in the "
              "recent weeks and the rules in config/planning.toml. Night patrols belong to the day they start. A "
              "recommendation, not a decision: save the plan to follow it up against the GPS tracks afterwards.",
    },
    "planning.week": {"nb": "Uke som planlegges", "en": "Week to plan"},
    "planning.week.option": {"nb": "{week} ({first:%d.%m.}–{last:%d.%m.%Y})", "en": "{week} ({first:%d.%m.}–{last:%d.%m.%Y})"},
    "planning.history_weeks": {"nb": "Uker med historikk", "en": "Weeks of history"},
    "planning.history_weeks.help": {
        "nb": "Behovet anslås fra så mange av de siste ukene med patruljer før uka som planlegges.",
        "en": "Need is estimated from this many of the latest weeks with patrols before the planned week.",
    },
    "planning.settings": {"nb": "Kapasitet og vekter", "en": "Capacity and weights"},
    "planning.patrols": {"nb": "Patruljer per ukedag og vakt", "en": "Patrols per weekday and shift"},
    "planning.stay_share": {"nb": "Andel av patruljetiden i planlagte opphold", "en": "Share of patrol time in planned stays"},
    "planning.weights": {"nb": "Vekt per møtekategori", "en": "Weight per encounter category"},
    "planning.weights.help": {
        "nb": "Et møte i en kategori med vekt 3 teller som tre møter i behovet.",
        "en": "An encounter in a category with weight 3 counts as three encounters in the need.",
    },
    "planning.weekday": {"nb": "Ukedag", "en": "Weekday"},
    "planning.category": {"nb": "Kategori", "en": "Category"},
    "planning.weight": {"nb": "Vekt", "en": "Weight"},
    "planning.config_error": {"nb": "Planleggingsfilen har en feil: {error}", "en": "The planning file has an error: {error}"},
    "planning.cannot_plan": {"nb": "Kan ikke lage en plan: {error}", "en": "Cannot make a plan: {error}"},
    "planning.infeasible": {
        "nb": "Reglene kan ikke oppfylles samtidig. Endre regelen som er nevnt (i config/planning.toml eller over): "
              "{error}",
        "en": "The rules cannot all be met. Change the rule named (in config/planning.toml or above): {error}",
    },
    "planning.figure.visits": {"nb": "Planlagte besøk", "en": "Planned visits"},
    "planning.figure.minutes": {"nb": "Planlagte minutter (patrulje)", "en": "Planned minutes (patrol)"},
    "planning.figure.person_minutes": {"nb": "Personminutter", "en": "Person minutes"},
    "planning.figure.expected": {"nb": "Forventede møter", "en": "Expected encounters"},
    "planning.figure.expected.help": {
        "nb": "Sammenlignet med fordelingen de siste {weeks} ukene (snittuke), regnet med samme behov og avtagende "
              "nytte: {actual} møter.",
        "en": "Compared with the allocation of the last {weeks} weeks (mean week), valued with the same need and "
              "diminishing returns: {actual} encounters.",
    },
    "planning.table": {"nb": "Planen: besøk per område, ukedag og vakt", "en": "The plan: visits per area, weekday and shift"},
    "planning.table.caption": {
        "nb": "Et besøk er et opphold på om lag {minutes} min (p-hus {garage} min). Tallet i kolonneoverskriften er "
              "antall patruljer.",
        "en": "A visit is a stay of about {minutes} min (garages {garage} min). The number in the column header is "
              "the number of patrols.",
    },
    "planning.map": {"nb": "Kart: planlagte minutter", "en": "Map: planned minutes"},
    "planning.map.slot": {"nb": "Vis", "en": "Show"},
    "planning.map.week": {"nb": "Hele uka", "en": "The whole week"},
    "planning.why": {"nb": "Hvorfor: hver linje i planen", "en": "Why: every line of the plan"},
    "planning.why.caption": {
        "nb": "Behov = møter per tilstedetime (p-hus: per besøk), nyere uker vektet mer og trukket mot områdets og "
              "tjenestens snitt der det er lite data (empirisk Bayes); intervallet er 90 %. «Siste uker» er snittuka "
              "av de {weeks} siste ukene. «Avgjort av» er regelen som bestemte linjen.",
        "en": "Need = encounters per presence-hour (garages: per visit), recent weeks weighted more and shrunk "
              "towards the area's and the service's rate where data are few (empirical Bayes); the interval is 90 %. "
              "“Last weeks” is the mean week of the latest {weeks} weeks. “Decided by” is the rule that decided the line.",
    },
    "planning.effect": {"nb": "Forventet effekt mot de siste ukene", "en": "Expected effect against the last weeks"},
    "planning.effect.plan": {"nb": "Planen", "en": "The plan"},
    "planning.effect.actual": {"nb": "Siste uker (snittuke)", "en": "Last weeks (mean week)"},
    "planning.method": {"nb": "Slik regnes behovet og planen", "en": "How need and plan are computed"},
    "planning.method.text": {
        "nb": "**Behov** per område, ukedag (tjenestedagen) og vakt er registrerte møter per tilstedetime fra "
              "GPS-sporene de siste ukene med patruljer, med nyere uker vektet mer (halveringstid {half_life} uker). "
              "Et område eller en vakt uten besøk har *ukjent* behov, ikke null: en Gamma–Poisson-modell trekker hver "
              "vakt mot områdets rate og hvert område mot tjenestens, mer jo mindre tilstedeværelse det er bak "
              "(empirisk Bayes), og usikkerheten vises som et 90 %-intervall. En sesongfaktor brukes bare når "
              "datalageret har minst ett år bak seg, og krympes mot 1 når den er innenfor tilfeldig variasjon. "
              "P-hus har ingen GPS innendørs, så der er behovet møter per besøk.\n\n"
              "**Planen** er et lite heltallsprogram (scipy/HiGHS): heltall besøk per område, ukedag og vakt som "
              "gir flest forventede møter innenfor kapasiteten, med avtagende nytte — hver ny runde til samme område i "
              "samme vakt teller {decay} % av forrige — så behovet dekkes før noe sted mettes. Regler: samme patrulje "
              "kommer tilbake høyst hver {revisit}. time, faste feltområder får minst {minimum} min i uka, ingen "
              "område får over {share} % av gateminuttene, og p-husene får {rounds} besøk hver i uka.",
        "en": "**Need** per area, weekday (the service day) and shift is registered encounters per presence-hour "
              "from the GPS tracks of the latest weeks with patrols, recent weeks weighted more (half-life "
              "{half_life} weeks). An area or shift nobody visited has *unknown* need, not zero: a Gamma–Poisson "
              "model shrinks each shift towards its area's rate and each area towards the service's, the more the "
              "less presence there is behind it (empirical Bayes), and the uncertainty is shown as a 90 % interval. "
              "A seasonal factor is used only when the store reaches back at least a year, and shrunk to 1 when "
              "it is within chance. Garages have no GPS indoors, so their need is encounters per visit.\n\n"
              "**The plan** is a small integer programme (scipy/HiGHS): whole visits per area, weekday and shift "
              "that reach the most expected encounters within capacity, with diminishing returns — each further "
              "round to the same area in the same shift counts {decay} % of the one before — so need is served "
              "before any place is saturated. Rules: one patrol returns at most every {revisit} h, fixed field areas "
              "get at least {minimum} min a week, no area gets over {share} % of the street minutes, and each "
              "garage gets {rounds} visits a week.",
    },
    "planning.notes": {"nb": "Merknader", "en": "Notes"},
    "planning.downloads": {"nb": "Last ned og lagre", "en": "Download and save"},
    "planning.download.pdf": {"nb": "Orienteringsark (PDF)", "en": "Briefing sheet (PDF)"},
    "planning.download.csv": {"nb": "Planen (CSV)", "en": "The plan (CSV)"},
    "planning.download.pdf.help": {"nb": "Arket er på bokmål.", "en": "The sheet is in Norwegian."},
    "planning.save": {"nb": "Lagre planen", "en": "Save the plan"},
    "planning.saved": {
        "nb": "Lagret som versjon {version} av {week}.",
        "en": "Saved as version {version} of {week}.",
    },
    "planning.follow_up": {"nb": "Plan mot faktisk", "en": "Plan against actual"},
    "planning.follow_up.caption": {
        "nb": "En lagret plan mot tilstedeværelsen GPS-sporene viser for samme uke (gateområder i minutter, p-hus i "
              "besøk). Avvik: «uteble» (planlagt, ingen tilstedeværelse), «for lite» (under {share} % av planen), "
              "«uplanlagt» (tilstedeværelse der ingenting var planlagt).",
        "en": "A saved plan against the presence the GPS tracks show for the same week (street areas in minutes, "
              "garages in visits). Gaps: “missed” (planned, no presence), “short” (below {share} % of the plan), "
              "“unplanned” (presence where nothing was planned).",
    },
    "planning.follow_up.none": {
        "nb": "Ingen planer er lagret ennå. Lagre en plan over, og kom tilbake når uka er over.",
        "en": "No plans saved yet. Save a plan above and come back when the week is over.",
    },
    "planning.follow_up.week": {"nb": "Lagret plan", "en": "Saved plan"},
    "planning.follow_up.option": {"nb": "{week} versjon {version}", "en": "{week} version {version}"},
    "planning.follow_up.summary": {
        "nb": "{missed} uteble, {short} for lite, {unplanned} uplanlagt av {lines} linjer.",
        "en": "{missed} missed, {short} short, {unplanned} unplanned of {lines} lines.",
    },
    "planning.follow_up.incomplete": {
        "nb": "Uka er ikke over i datalageret ennå: tallene kan stige.",
        "en": "The week is not over in the store yet: the numbers may still rise.",
    },
    "planning.gap.missed": {"nb": "uteble", "en": "missed"},
    "planning.gap.short": {"nb": "for lite", "en": "short"},
    "planning.gap.unplanned": {"nb": "uplanlagt", "en": "unplanned"},
    "planning.reason.garage_rounds": {"nb": "p-hus-runde", "en": "garage round"},
    "planning.reason.revisit": {"nb": "gjenbesøk (maks én per {hours} t)", "en": "revisit (at most one per {hours} h)"},
    "planning.reason.max_share": {"nb": "største andel", "en": "largest share"},
    "planning.reason.min_presence": {"nb": "minste tilstedeværelse", "en": "minimum presence"},
    "planning.reason.capacity": {"nb": "kapasitet", "en": "capacity"},
    "planning.reason.need": {"nb": "behov (avtagende nytte)", "en": "need (diminishing returns)"},
    "planning.unit.hour": {"nb": "per time", "en": "per hour"},
    "planning.unit.visit": {"nb": "per besøk", "en": "per visit"},
    "planning.col.area_name": {"nb": "Feltområde", "en": "Field area"},
    "planning.col.weekday": {"nb": "Ukedag", "en": "Weekday"},
    "planning.col.shift": {"nb": "Vakt", "en": "Shift"},
    "planning.col.visits": {"nb": "Besøk", "en": "Visits"},
    "planning.col.planned_minutes": {"nb": "Planlagte minutter", "en": "Planned minutes"},
    "planning.col.expected_encounters": {"nb": "Forventede møter", "en": "Expected encounters"},
    "planning.col.need_rate": {"nb": "Behov", "en": "Need"},
    "planning.col.need_low": {"nb": "Behov, nedre (5 %)", "en": "Need, low (5 %)"},
    "planning.col.need_high": {"nb": "Behov, øvre (95 %)", "en": "Need, high (95 %)"},
    "planning.col.need_unit": {"nb": "Enhet", "en": "Unit"},
    "planning.col.need_weeks": {"nb": "Uker bak", "en": "Weeks behind"},
    "planning.col.recent_minutes": {"nb": "Siste uker, min/uke", "en": "Last weeks, min/week"},
    "planning.col.recent_visits": {"nb": "Siste uker, besøk/uke", "en": "Last weeks, visits/week"},
    "planning.col.actual_minutes": {"nb": "Faktiske minutter", "en": "Actual minutes"},
    "planning.col.actual_visits": {"nb": "Registrerte besøk", "en": "Recorded visits"},
    "planning.col.bound_by": {"nb": "Avgjort av", "en": "Decided by"},
    "planning.col.allocation": {"nb": "Fordeling", "en": "Allocation"},
    "planning.col.street_minutes": {"nb": "Minutter i gateområder", "en": "Minutes in street areas"},
    "planning.col.garage_visits": {"nb": "P-husbesøk", "en": "Garage visits"},
    "planning.col.street_expected_encounters": {"nb": "Forventede møter i gateområder",
                                               "en": "Expected encounters in street areas"},
    "planning.col.planned_visits": {"nb": "Planlagte besøk", "en": "Planned visits"},
    "planning.col.difference_minutes": {"nb": "Avvik, minutter", "en": "Difference, minutes"},
    "planning.col.achieved_share": {"nb": "Oppnådd andel", "en": "Share achieved"},
    "planning.col.gap": {"nb": "Avvik", "en": "Gap"},
    "planning.note.history": {
        "nb": "Historikk: {weeks} uker med patruljer, {first}–{last}; «siste uker» er snittet av de {actual} siste.",
        "en": "History: {weeks} weeks with patrols, {first}–{last}; “last weeks” is the mean of the latest {actual}.",
    },
    "planning.note.seasonal_applied": {
        "nb": "Sesongfaktor ({kind}): {factor} brukt (i fjor {raw}, krympet mot 1).",
        "en": "Seasonal factor ({kind}): {factor} applied (last year {raw}, shrunk towards 1).",
    },
    "planning.note.seasonal_within_noise": {
        "nb": "Sesongfaktor ({kind}): ikke brukt (i fjor {raw}, innenfor tilfeldig variasjon).",
        "en": "Seasonal factor ({kind}): not used (last year {raw}, within chance).",
    },
    "planning.note.seasonal_short_history": {
        "nb": "Sesongfaktor ({kind}): ikke brukt (under ett års historikk).",
        "en": "Seasonal factor ({kind}): not used (less than a year of history).",
    },
    "planning.note.seasonal_no_data": {
        "nb": "Sesongfaktor ({kind}): ikke brukt (ingen data i fjor).",
        "en": "Seasonal factor ({kind}): not used (no data last year).",
    },
    "planning.note.seasonal_switched_off": {
        "nb": "Sesongfaktor ({kind}): slått av i planleggingsfilen.",
        "en": "Seasonal factor ({kind}): switched off in the planning file.",
    },
    "planning.note.fixed_not_valid": {
        "nb": "Faste områder som ikke gjelder denne uka (utelatt): {areas}.",
        "en": "Fixed areas not valid this week (left out): {areas}.",
    },
    "planning.note.no_presence": {
        "nb": "Ingen tilstedeværelse i historikken (behov = tjenestens snitt, stor usikkerhet): {areas}.",
        "en": "No presence in the history (need = the service's rate, wide uncertainty): {areas}.",
    },
    "planning.kind.street": {"nb": "gateområder", "en": "street areas"},
    "planning.kind.garage": {"nb": "p-hus", "en": "garages"},
}
