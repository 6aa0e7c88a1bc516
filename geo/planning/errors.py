"""Errors of patrol planning (each printed as one line, never a traceback)."""

from __future__ import annotations

from geo.errors import FeltkartError


class PlanningError(FeltkartError):
    """A plan cannot be made or compared (no history, no saved plan, bad week)."""


class PlanningConfigError(PlanningError):
    """``config/planning.toml`` is missing, not TOML, or has a key or value that is not allowed."""


class InfeasiblePlanError(PlanningError):
    """The capacity and rules cannot all be met; the message names the rule to relax.

    Attributes
    ----------
    rules
        The rule groups (see :data:`geo.planning.optimize.RULES`) whose removal
        makes the plan feasible, in the order tried; empty when none alone does.
    """

    def __init__(self, message: str, rules: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.rules = rules
