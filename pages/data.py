"""Data: import files through the same importers as the CLI, see every rejected row, past imports, store facts."""

from dataclasses import asdict

import pandas as pd
import streamlit as st

from geo.io.importer import KINDS, ImportOptions
from ui.columns import show_table
from ui.exports import table_export
from ui.format import file_size, literal
from ui.i18n import STRINGS, labels, t
from ui.navigation import require_page
from ui.progress import progress_status
from ui.sidebar import sidebar_choices
from ui.state import clear_caches, get_store, store_file_bytes
from ui.uploads import import_uploads

user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
path = choices.store_path
st.title(t("page.data"))

st.subheader(t("data.import"))
uploads = st.file_uploader(t("data.files"), accept_multiple_files=True, key="data_uploads", help=t("data.files.help"),
                           type=["gpx", "csv", "txt", "geojson", "json", "gpkg", "zip"])
c1, c2, c3 = st.columns(3)
kind = c1.selectbox(t("data.kind"), ["auto", *KINDS], key="data_kind", format_func=labels("data.kind"),
                    placeholder=t("widget.choose"))
crs = c2.text_input(t("data.crs"), key="data_crs", placeholder="EPSG:25833")
team = c3.text_input(t("data.team"), key="data_team")
valid_from = st.date_input(t("data.valid_from"), value=None, key="data_valid_from", format="DD.MM.YYYY")

if uploads and st.button(t("data.run_import"), type="primary", key="data_run"):
    options = ImportOptions(crs=crs or None, team=team or None, valid_from=valid_from)
    with progress_status(t("progress.import")) as progress:
        results = import_uploads(get_store(path), uploads, None if kind == "auto" else kind, options, progress=progress)
    for result in results:
        if result.outcome is None:
            st.error(f"{literal(result.name)}: {literal(result.error)}")
            continue
        outcome = result.outcome
        added = ", ".join(f"{n} {t('data.table.' + table)}" for table, n in outcome.added.items()) or t("data.nothing_new")
        (st.warning if outcome.errors else st.success)(t("data.outcome", file=literal(result.name), added=added,
                                                          rejected=len({e.line for e in outcome.errors})))
        for warning in result.warnings:
            st.info(literal(warning))
        if outcome.errors:
            rows = pd.DataFrame([asdict(e) for e in outcome.errors])
            show_table(rows, prefixes=("data.error",))
    clear_caches()

st.subheader(t("data.history"))
store = get_store(path)
show_table(store.imports())
table_export(store.imports(), title=t("data.history"), name="importer", selection=t("export.whole_log"))

st.subheader(t("data.facts"))
counts = store.counts()
facts = pd.DataFrame({"table": list(counts), "rows": list(counts.values())})
size = store_file_bytes(path)
if size is not None:
    st.caption(t("data.size", size=file_size(size)))
table_names = {name: t(f"data.table.{name}") for name in counts if f"data.table.{name}" in STRINGS}
show_table(facts, values={"table": table_names})
