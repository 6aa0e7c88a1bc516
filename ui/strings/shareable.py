"""UI strings for shareable views, exports from every page and progress (issue 15, items 5, 7, 10; nb + en)."""

STRINGS: dict[str, dict[str, str]] = {
    # --- a link that names a view (ui/sidebar.py, ui/view_url.py) -------------------------------
    "link.unknown": {"nb": "Lenken har en ukjent verdi for «{name}» ({value}); standardvalget brukes i stedet.",
                     "en": "The link has an unknown value for “{name}” ({value}); the default is used instead."},
    "link.malformed": {"nb": "Lenken har en ugyldig verdi for «{name}» ({value}); standardvalget brukes i stedet.",
                       "en": "The link has an invalid value for “{name}” ({value}); the default is used instead."},
    "link.order": {"nb": "Lenkens periode slutter før den begynner ({value}); standardperioden brukes i stedet.",
                   "en": "The link's period ends before it starts ({value}); the default period is used instead."},
    "link.incomplete": {"nb": "Lenken mangler en dato for perioden («{name}»); standardperioden brukes i stedet.",
                        "en": "The link lacks a date of its period (“{name}”); the default period is used instead."},
    "link.clamped": {"nb": "Lenkens periode går utenfor dataene og er flyttet til {first:%d.%m.%Y}–{last:%d.%m.%Y}.",
                     "en": "The link's period reaches beyond the data and was moved to {first:%d.%m.%Y}–{last:%d.%m.%Y}."},
    "link.team": {"nb": "Lenken gjelder teamet «{value}», som du ikke har tilgang til; alle dine team vises i stedet.",
                  "en": "The link names the team “{value}”, which you may not see; all your teams are shown instead."},
    # --- exports from every page (ui/exports.py) --------------------------------------------------
    "export.csv": {"nb": "Tabell (CSV)", "en": "Table (CSV)"},
    "export.png": {"nb": "Bilde (PNG)", "en": "Image (PNG)"},
    "export.generated.time": {"nb": "{time:%d.%m.%Y} kl. {time:%H:%M} (norsk tid)",
                              "en": "{time:%d.%m.%Y} at {time:%H:%M} (Oslo time)"},
    "export.whole_log": {"nb": "hele loggen", "en": "the whole log"},
}
