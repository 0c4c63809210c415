"""What the planner did in this session, each named: runs, comparisons, sensitivity analyses and
plans. The Evidence page's report offers each of them by its name, so a report written in the app
includes the comparison just run, not only the scenario's own run.

Each item is a run directory or a study directory (`ccs-sim compare`, `sweep`, `plan` write the
same), kept in this session's state in the order it was done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from app_pages import state
from sim.runs.rundir import name_slug

WORK_KEY = "session_work"


@dataclass(frozen=True)
class Work:
    """One thing done in this session: how to find it again, its kind, its title, its folder."""

    key: str  # what identifies it (digests, seed, replications): done twice, kept once
    kind: str  # "run", "compare", "sweep" or "plan"
    title: str  # as the report's "Include" list shows it
    path: str


def studies_dir() -> Path:
    """Where the app writes study directories and reports (beside its run cache)."""
    return state.cache_root().parent / "app-studies"


def new_study_dir(kind: str, scenario_name: str) -> Path:
    """A new study folder's path: its kind, the scenario's name as a slug, and the time."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return studies_dir() / f"{kind}-{name_slug(scenario_name)}-{stamp}"


def done() -> list[Work]:
    """This session's work, oldest first, leaving out anything no longer on disk."""
    items = st.session_state.get(WORK_KEY)
    if not isinstance(items, list):
        items = st.session_state[WORK_KEY] = []
    return [w for w in items if Path(w.path).is_dir()]


def find(key: str) -> Work | None:
    """The work done under `key`, if any."""
    return next((w for w in done() if w.key == key), None)


def add(work: Work) -> None:
    """Record `work` (replacing anything done before under the same key)."""
    items = [w for w in done() if w.key != work.key]
    st.session_state[WORK_KEY] = [*items, work]
