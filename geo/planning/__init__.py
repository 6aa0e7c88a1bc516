"""Patrol planning: a recommended week by area × weekday × shift, and plan against actual.

The flow, one module each:

- :mod:`~geo.planning.slots`: ISO weeks and the weekday × shift grid; a slot is the
  **service day's** weekday and the patrol's shift (a Friday night patrol's 02:00
  presence is *Friday, night*: a plan is a list of patrols to send out);
- :mod:`~geo.planning.config`: capacity, rules and weights from ``config/planning.toml``;
- :mod:`~geo.planning.history`: presence, visits, encounters and patrols per week ×
  area × slot, from the pre-aggregated tables;
- :mod:`~geo.planning.need`: need per area × slot: encounters per presence-hour
  (per visit for garages), recency-weighted, shrunk by empirical Bayes
  (Gamma–Poisson) towards the area's and the service's rate, with a seasonal
  factor only when a year of history supports it; every estimate has its
  uncertainty and the number of weeks behind it;
- :mod:`~geo.planning.optimize`: the integer programme (``scipy.optimize.milp``,
  HiGHS) with diminishing returns per area and shift, and the diagnosis of
  conflicting rules;
- :mod:`~geo.planning.recommendation`: the store-level entry point (:func:`recommend`),
  the why of every line and the expected effect against the last weeks;
- :mod:`~geo.planning.actual`: a saved plan against the presence the GPS then showed;
- :mod:`~geo.planning.briefing`: CSV, JSON and the PDF briefing sheet.
"""

from geo.planning.actual import plan_vs_actual, saved_weeks
from geo.planning.config import CONFIG_FILE, PlanningConfig, load_config, parse_config
from geo.planning.errors import InfeasiblePlanError, PlanningConfigError, PlanningError
from geo.planning.recommendation import Recommendation, recommend, save

__all__ = [
    "CONFIG_FILE", "InfeasiblePlanError", "PlanningConfig", "PlanningConfigError", "PlanningError",
    "Recommendation", "load_config", "parse_config", "plan_vs_actual", "recommend", "save", "saved_weeks",
]
