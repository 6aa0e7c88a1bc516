"""Situasjonsbilde: a disclosure-controlled situation picture for a partner forum, previewed and exported."""

from dataclasses import replace
from functools import partial

import streamlit as st

from geo.access import Capability, Role
from geo.report.disclosure import DEFAULT_K, MIN_K
from geo.report.export import FORMATS, MIME, file_name, preview_report
from geo.report.model import NOTE_MAX_CHARS, with_note
from geo.report.partner import COMPARISONS, PartnerRequestError, comparison_of, ended_periods, nearest_period, today_local
from geo.report.presets import load_presets
from ui.auth import export_file
from ui.captions import page_caption
from ui.columns import show_table
from ui.components import delta_arrow
from ui.i18n import labels, t
from ui.navigation import require_page
from ui.progress import progress_status
from ui.sidebar import sidebar_choices
from ui.state import get_store, query_with_progress, store_date_range

MAX_K = 20
PREVIEW_SECTIONS = (  # (title key, picture in the export, table) in the order of the PDF
    ("report.areas", "area_map", "areas"),
    ("report.hotspots", "cell_map", "hotspots"),
    ("report.categories", None, "categories"),
    ("report.trend", "trend", "trend"),
    ("report.week", "week", "time_of_week"),
)


user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
path = choices.store_path
st.title(t("report.page"))
page_caption(choices, note=t("report.caption"))

book = load_presets()
c1, c2 = st.columns([2, 1])
with c1:
    preset = st.selectbox(t("report.preset"), [p for p in book.presets if user.may_open_preset(p)], key="report_preset",
                          placeholder=t("widget.choose"),
                          format_func=lambda key: book.presets[key].name)
with c2:
    lowest = user.min_k or MIN_K  # a partner's floor (config), else the exports' minimum
    k = st.slider(t("report.k"), min_value=lowest, max_value=MAX_K, value=max(DEFAULT_K, lowest), key="report_k",
                  help=t("report.k.help"))
# a partner picture covers one whole, ended period of the presets' kind (geo.report.partner): offer exactly those
kind = book.partner_period
span = store_date_range(path)
today = today_local()
periods = ended_periods(*span, kind, today=today).set_index("period")
if periods.empty:
    st.info(t("report.no_whole_period", kind=t(f"period.{kind}").lower()))
    st.stop()
nearest = nearest_period(choices.filters.first_day, choices.filters.last_day, kind, today=today)[0]
p1, p2 = st.columns([2, 1])
label = p1.selectbox(t("report.period", kind=t(f"period.{kind}").lower()), list(periods.index),
                     index=list(periods.index).index(nearest) if nearest in periods.index else 0, key="report_period",
                     format_func=lambda v: t("report.period.option", period=v, first=periods.at[v, "first_day"],
                                             last=periods.at[v, "last_day"]))
mode = p2.radio(t("sidebar.compare"), COMPARISONS, key="report_compare", horizontal=True,
                format_func=labels("report.compare"))
first_day, last_day = periods.at[label, "first_day"], periods.at[label, "last_day"]
compare_range = comparison_of(label, kind, mode)
compare = replace(choices.filters, first_day=compare_range[0], last_day=compare_range[1]) if compare_range else None
if compare is None:
    st.info(t("report.no_compare"))
try:
    with progress_status(t("progress.report"), keep=False) as progress:
        preview = query_with_progress(path, progress, preview_report, preset, first_day=first_day, last_day=last_day,
                                      k=k, compare_first=compare.first_day if compare else None,
                                      compare_last=compare.last_day if compare else None, teams=None)
except PartnerRequestError as refusal:  # not a whole ended period, a team slice or another k: say why
    st.error(str(refusal))
    st.stop()
report, pictures = preview.report, preview.images
if user.role is not Role.PARTNER:  # the manager's own paragraph, printed under the summary (partners: none)
    report = with_note(report, st.text_area(t("report.note"), key="report_note", max_chars=NOTE_MAX_CHARS,
                                            help=t("report.note.help")))

st.subheader(t("report.downloads"))
for column, fmt in zip(st.columns(len(FORMATS)), FORMATS):
    name = file_name(report, fmt)
    column.download_button(t(f"report.download.{fmt}"), data=partial(export_file, user, path, report, fmt, name, images=pictures),
                           file_name=name, mime=MIME[fmt], key=f"report_download_{fmt}", width="stretch")
st.caption(t("report.download.logged"))

st.header(t("report.preview"))
st.markdown(f"**{report.preset.name}** · {report.preset.view}")
st.subheader(t("report.narrative"))
st.markdown("\n".join(f"- {sentence}" for sentence in report.narrative))
if report.note:
    st.subheader(t("report.note.heading"))
    st.text(report.note)
st.subheader(t("report.figures"))
for row_start in range(0, len(report.key_figures), 4):
    for column, figure in zip(st.columns(4), report.key_figures[row_start:row_start + 4]):
        shown = compare is not None and figure.change != "–"
        column.metric(figure.label, figure.current, delta=figure.change if shown else None, delta_color="off",
                      delta_arrow=delta_arrow(figure.change) if shown else "auto",
                      delta_description=t("delta.vs", previous=figure.previous, first=compare.first_day,
                                          last=compare.last_day) if shown else None,
                      help=t("report.previous", value=figure.previous) if compare else None)
for title, picture, table in (section for section in PREVIEW_SECTIONS if report.shows(section[2])):
    st.subheader(t(title))
    if picture:
        st.image(pictures[picture], width="stretch")
    st.dataframe(report.tables[table], hide_index=True, width="stretch", key=f"report_table_{table}")
with st.expander(t("report.methods")):
    for heading, text in report.methods:
        st.markdown(f"**{heading}** — {text}")
if user.may(Capability.EXPORT_LOG):  # every forum's downloads: not for partners
    with st.expander(t("report.log")):
        show_table(get_store(path).exports())
