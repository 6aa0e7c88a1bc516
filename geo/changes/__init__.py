"""How field areas and activity change over time (the *Endringer over tid* page).

Modules, one job each:

- :mod:`~geo.changes.history`: the version timeline per field area and the
  area gained and lost between two dates;
- :mod:`~geo.changes.drift`: weighted centre and standard deviational ellipse
  of encounters and of presence per period, and the share of encounters
  inside the field areas valid then and in rings around them;
- :mod:`~geo.changes.effective`: data-driven hot areas per period (Getis-Ord
  Gi* on encounters per H3 cell) compared with the official areas, and saving
  a suggested area set as a draft.

Areas and distances are measured in EPSG:25832; results for drawing are in
EPSG:4326. Nothing here imports streamlit.
"""
