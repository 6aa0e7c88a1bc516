"""Oversikt: key figures and the per-area table for the chosen period."""

import streamlit as st

from geo.summary import ENCOUNTERS, PATROL_KM, PATROL_MINUTES, PERSON_MINUTES, VISITS
from ui.sidebar import selected_period, selected_store
from ui.state import cached_summary

first, last = selected_period()
path = selected_store()
st.title("Oversikt")
st.caption(f"Tjenestedager {first:%d.%m.%Y}–{last:%d.%m.%Y}. Møter telles på egen lokal dato.")

weeks = cached_summary(path, "week", first, last, None)
areas = cached_summary(path, "area", first, last, None)

c1, c2, c3, c4 = st.columns(4)
c1.metric("Patruljer", f"{int(weeks['patrols'].sum()):,}".replace(",", " "))
c2.metric("Tilstedetimer", f"{weeks[PATROL_MINUTES].sum() / 60:,.0f}".replace(",", " "))
c3.metric("Km gått", f"{weeks[PATROL_KM].sum():,.0f}".replace(",", " "))
c4.metric("Møter", f"{int(weeks[ENCOUNTERS].sum()):,}".replace(",", " "))

st.subheader("Per feltområde")
table = areas.rename(columns={
    "area_id": "Område-ID", "area_name": "Feltområde", PATROL_MINUTES: "Patruljeminutter",
    PERSON_MINUTES: "Personminutter", PATROL_KM: "Km", VISITS: "Besøk", ENCOUNTERS: "Møter",
}).drop(columns=["period"], errors="ignore")
st.dataframe(table, hide_index=True, width="stretch")
