"""Revisjonslogg (admins): who signed in, imported, changed field areas, exported or ran retention, and when."""

import pandas as pd
import streamlit as st

from ui.auth import audit_entries
from ui.columns import show_table
from ui.exports import table_export
from ui.i18n import labels, t
from ui.navigation import require_page
from ui.sidebar import sidebar_choices

user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
st.title(t("page.audit"))
st.caption(t("audit.caption"))
entries = audit_entries(user, choices.store_path)
if entries.empty:
    st.info(t("audit.empty"))
else:
    shown = entries.assign(action=entries["action"].map(labels("audit.action")),
                           detail=entries["detail"].map(str)).iloc[::-1]  # newest first
    show_table(pd.DataFrame(shown))
    table_export(pd.DataFrame(shown), title=t("page.audit"), name="revisjonslogg", selection=t("export.whole_log"))
