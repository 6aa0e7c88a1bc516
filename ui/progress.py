"""Progress of a long task on a page: a :data:`geo.progress.Progress` callback drawn as ``st.status``
with an ``st.progress`` bar, its stages in the UI language.

``with progress_status(t("progress.import")) as progress: import_uploads(..., progress=progress)``
shows a running status while the task works, each step as "2 of 10: p3.gpx – computing presence",
and leaves it complete (or, with ``keep=False``, removes it) when the task ends; an exception marks
it as stopped and passes on.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from geo.progress import Progress, Step
from ui.format import literal
from ui.i18n import t


def step_text(step: Step) -> str:
    """One step in the UI language: ``2 av 10: p3.gpx – beregner tilstedeværelse``."""
    stage = t(f"progress.stage.{step.stage}")
    what = f"{literal(step.detail)} – {stage}" if step.detail else stage
    return t("progress.step", number=step.number, total=step.total, what=what)


@contextmanager
def progress_status(title: str, *, keep: bool = True) -> Iterator[Progress]:
    """A status box titled ``title`` with a progress bar, and the callback that moves it.

    ``keep``: leave the finished box on the page (imports: the user sees it is done); False
    removes it when the task succeeds (a preview that is shown right below it).
    """
    holder = st.empty()
    status = holder.status(title, expanded=True)
    with status:
        bar = st.progress(0.0)
    # The task may run inside a cached function (ui.state.query_with_progress): st.cache_data
    # records every element drawn there, to replay it on a cache hit, and replaying an update of
    # this bar (made outside the function) fails. Drawn in the context the bar was made in, an
    # update is not part of any cached call.
    outside = contextvars.copy_context()

    def draw(step: Step) -> None:
        bar.progress(min(step.done / step.total, 1.0), text=step_text(step))

    def show(step: Step) -> None:
        outside.run(draw, step)

    try:
        yield show
    except Exception:
        status.update(label=t("progress.failed", title=title), state="error")
        raise
    if keep:
        bar.progress(1.0, text=t("progress.stage.done"))
        status.update(label=t("progress.finished", title=title), state="complete", expanded=False)
    else:
        holder.empty()
