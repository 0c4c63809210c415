"""A forecast against what then happened, on the Run and results page: the planner uploads an
actuals file (observed monthly series, docs/snapshot.md) and sees the observed values over the
fans, the share of observed months inside each band and the months outside, as `ccs-sim track`
gives them (`sim.results.actuals.Tracking`, one definition for the command line, the report and
this page). The report written on the Evidence page then has its "Forecast against actuals"
section.

An upload is read in the app's capped reading process (`sim.scenario.uploads`), as a scenario
upload is. A file with a mistake is refused whole, with each problem named by row and column,
and nothing of it is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.chart_view import show_chart, show_table
from sim.errors import ScenarioError
from sim.report.tracking import COVERAGE_HEADERS, coverage_rows, own_fan_chart, own_fans
from sim.results.actuals import Tracking, parse_actuals_upload, track_observed
from sim.runs.rundir import sha256_of
from sim.runs.tables import RunTables

__all__ = [
    "MAX_ACTUALS_UPLOAD_BYTES",
    "include_in_report",
    "observed_for",
    "show_actuals",
    "write_for_report",
]

MAX_ACTUALS_UPLOAD_BYTES = 2 * 1024 * 1024
"""An actuals file in the app: years of monthly series by pool take a few hundred KB."""


@dataclass(frozen=True)
class Accepted:
    """The actuals file in use in this session: its name, bytes and SHA-256."""

    name: str
    content: bytes
    sha256: str


def _accepted() -> Accepted | None:
    found = st.session_state.get("actuals.accepted")
    return found if isinstance(found, Accepted) else None


def tracking_for(run: RunTables) -> Tracking | ScenarioError | None:
    """The accepted actuals placed in `run`'s fans (once per file and run), the problems if they
    do not fit this run (months or pools it does not have), or None when there are none."""
    accepted = _accepted()
    return None if accepted is None else _track(accepted, run)


def _track(accepted: Accepted, run: RunTables) -> Tracking | ScenarioError:
    """An actuals file read (in the capped reading process) and placed in a run's fans, once per
    file and run in a session."""
    key = (accepted.sha256, str(run.path), run.replications)
    cached = st.session_state.get("actuals.tracked")
    if isinstance(cached, tuple) and cached[0] == key:
        return cached[1]  # type: ignore[no-any-return]
    found: Tracking | ScenarioError
    try:
        observed = parse_actuals_upload(
            accepted.content, accepted.name, run.scenario, MAX_ACTUALS_UPLOAD_BYTES
        )
        found = track_observed(
            observed, run.monthly, run.monthly_by_pool, accepted.name, accepted.sha256
        )
    except ScenarioError as error:
        found = error
    st.session_state["actuals.tracked"] = (key, found)
    return found


def observed_for(run: RunTables) -> pd.DataFrame | None:
    """The observations to draw over `run`'s fans (None without usable actuals)."""
    found = tracking_for(run)
    return found.observed if isinstance(found, Tracking) else None


def _problem_lines(error: ScenarioError) -> list[str]:
    return [f"**{p.path or error.source}**: {p.what}" for p in error.problems]


def _upload(run: RunTables) -> None:
    """The upload box: a new file is read and checked against this run; a good one replaces the
    one in use, a bad one is refused and nothing of it is used."""
    uploaded = st.file_uploader(
        f"Actuals file (CSV, at most {MAX_ACTUALS_UPLOAD_BYTES // (1024 * 1024)} MB)",
        type=["csv"],
        key="actuals.upload",
        max_upload_size=MAX_ACTUALS_UPLOAD_BYTES // (1024 * 1024),
        help="Columns: month (YYYY-MM), pool (blank for all of CCS) and any of headcount, fte, "
        "hires, leavers, vacancies, arrivals, completions, backlog, service_level (0 to 1); "
        "each value may be blank. The format is in docs/snapshot.md.",
    )
    if uploaded is None or st.session_state.get("actuals.seen") == uploaded.file_id:
        return
    st.session_state["actuals.seen"] = uploaded.file_id
    accepted = Accepted(uploaded.name, uploaded.getvalue(), sha256_of(uploaded.getvalue()))
    found = _track(accepted, run)
    if isinstance(found, ScenarioError):
        st.session_state["actuals.accepted"] = None
        st.session_state["actuals.problems"] = (uploaded.name, _problem_lines(found))
        return
    st.session_state["actuals.problems"] = None
    st.session_state["actuals.accepted"] = accepted
    st.rerun()  # the fans above draw the observed values


def show_actuals(run: RunTables) -> None:
    """Upload actuals; how the forecast did against them: the coverage table and the fans of the
    series the monthly charts above do not show."""
    st.subheader("Forecast against actuals")
    st.caption(
        "A month or more on: was the forecast right? Upload what was observed (the same file "
        "`ccs-sim track` reads). The observed values are drawn over the fans above as dark "
        "points; below, the share of observed months inside P10-P90 (about 80% for a "
        "well-calibrated forecast) and P5-P95 (about 90%), and the months outside."
    )
    _upload(run)
    refused = st.session_state.get("actuals.problems")
    if refused:
        name, lines = refused
        st.error(
            f"**{name}** cannot be used: nothing of it is shown. Fix these and upload it again:"
            "\n\n" + "\n".join(f"- {line}" for line in lines),
            icon=":material/block:",
        )
    found = tracking_for(run)
    if isinstance(found, ScenarioError):
        accepted = _accepted()
        name = accepted.name if accepted else "The actuals file"
        st.error(
            f"**{name}** does not fit this run, so it is not shown:\n\n"
            + "\n".join(f"- {line}" for line in _problem_lines(found)),
            icon=":material/block:",
        )
        return
    if found is None:
        return
    _show_tracking(run, found)


def _show_tracking(run: RunTables, found: Tracking) -> None:
    st.markdown(
        f"**{found.file_name}** (SHA-256 `{found.sha256[:16]}…`) against this run's "
        f"{run.replications:,} replications. {found.sentence()}"
    )
    if found.left_out:
        st.caption(found.left_out_sentence())
    show_table(pd.DataFrame(coverage_rows(found), columns=COVERAGE_HEADERS))
    for series in own_fans(found):
        show_chart(own_fan_chart(found, series, run.monthly, run.monthly_by_pool))
    if st.button("Stop using these actuals", key="actuals.remove"):
        st.session_state["actuals.accepted"] = None
        st.rerun()


def include_in_report() -> Accepted | None:
    """On the Evidence page: whether the report includes the actuals in use (a checkbox, on by
    default), and which."""
    accepted = _accepted()
    if accepted is None:
        return None
    include = st.checkbox(
        f"Include 'Forecast against actuals' from {accepted.name}",
        value=True,
        key="report.actuals",
        help="The observed values placed in the fans of the report's primary run, as on the "
        "Run and results page.",
    )
    return accepted if include else None


def write_for_report(accepted: Accepted | None, out: Path) -> Path | None:
    """The actuals file, saved in the report's folder for the report to read (and to keep)."""
    if accepted is None:
        return None
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(accepted.name).name).lstrip(".") or "actuals.csv"
    path = out / "actuals" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(accepted.content)
    return path
