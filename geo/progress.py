"""Progress of long tasks: a callback the work calls once per file, stage or chunk, never per row.

A task (an import, the demo build, a recomputation after a field-area change, a
report) sends :class:`Step` values to a :data:`Progress` callback: which stage
it is starting, on which unit (file, year, stage), how many units are finished
and how many there are. Stage names are stable machine names (:data:`STAGES`);
the CLI prints them (``geo.cli``) and the dashboard translates them
(``ui.progress``). The default, :func:`no_progress`, does nothing, and no
output depends on whether a callback is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

# --- tasks -------------------------------------------------------------------------------------
IMPORT = "import"
DEMO = "demo"
REFRESH = "refresh"
REPORT = "report"
TASKS = (IMPORT, DEMO, REFRESH, REPORT)

# --- stages ------------------------------------------------------------------------------------
READ = "read"  # a file parsed and validated
WRITE = "write"  # rows written to the store
PRESENCE = "presence"  # segments, presence per area and cell, visits
ENCOUNTERS = "encounters"  # which field-area versions encounters lie in
GENERATE = "generate"  # demo activity generated (patrols, tracks, encounters) and its presence computed
DATA = "data"  # a report's figures and tables, disclosure-controlled
MAPS = "maps"  # a report's maps drawn
CHARTS = "charts"  # a report's charts drawn
PDF, HTML, CSV = "pdf", "html", "csv"  # a report rendered in that format
DONE = "done"  # the last step of every task: ``done == total``
STAGES = (READ, WRITE, PRESENCE, ENCOUNTERS, GENERATE, DATA, MAPS, CHARTS, PDF, HTML, CSV, DONE)


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a task.

    Attributes
    ----------
    task : str
        One of :data:`TASKS`.
    stage : str
        One of :data:`STAGES`: what starts now (``done`` at the very end).
    done : int
        Units of the task finished before this step (files, years, stages); it never
        decreases within a task, and the last step (stage :data:`DONE`) has ``done == total``.
    total : int
        Units of the task, at least 1.
    detail : str
        The unit in words: a file name, a year; empty when there is nothing to add.
    """

    task: str
    stage: str
    done: int
    total: int
    detail: str = ""

    @property
    def number(self) -> int:
        """The unit being worked on, counted from 1 (the last step: the total), as a person reads "2 of 10"."""
        return self.done if self.stage == DONE else min(self.done + 1, self.total)


Progress = Callable[[Step], None]
"""What every long task accepts as ``progress=``: called with each :class:`Step`."""


def no_progress(step: Step) -> None:
    """The default callback: progress goes nowhere."""


class Tracker:
    """Sends the steps of one task of ``total`` units to ``progress``.

    ``stage(name, detail)`` reports a stage starting on the current unit,
    ``advance()`` marks that unit finished, ``finish()`` sends the last step.
    """

    __slots__ = ("_progress", "task", "total", "done")

    def __init__(self, progress: Progress, task: str, total: int) -> None:
        self._progress, self.task, self.total, self.done = progress, task, max(int(total), 1), 0

    def stage(self, stage: str, detail: str = "") -> None:
        self._progress(Step(self.task, stage, self.done, self.total, detail))

    def advance(self) -> None:
        self.done = min(self.done + 1, self.total)

    def finish(self, detail: str = "") -> None:
        self.done = self.total
        self.stage(DONE, detail)

    def part(self, detail: str = "") -> Progress:
        """A callback for a sub-task working on the current unit (see :func:`part_of`)."""
        return part_of(self._progress, task=self.task, done=self.done, total=self.total, detail=detail)


def part_of(progress: Progress, *, task: str, done: int, total: int, detail: str = "") -> Progress:
    """A callback that reports a sub-task's steps as stages of unit ``done`` of ``total`` of ``task``.

    The sub-task's stage names pass through; its own counts are replaced by the
    outer ones and its :data:`DONE` step is dropped (the outer task says when it ends).
    """
    if progress is no_progress:
        return no_progress

    def forward(step: Step) -> None:
        if step.stage != DONE:
            progress(replace(step, task=task, done=done, total=total, detail=detail or step.detail))

    return forward

