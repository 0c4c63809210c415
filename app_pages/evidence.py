"""Page 4, Evidence: sensitivity and switching values, a least-cost plan, and the report.

The same functions as `ccs-sim sweep`, `plan` and `report` (sim/studies/sweep.py,
sim/studies/plan.py, sim/report/html.py), on the scenario as edited, with the session's seed and
replications, on the server's shared workers.
Every scenario they run goes through the app's run cache, so points already run (by this or any
session, or on the Run and results page) are not run again. Studies and reports are written under
`runs/app-studies/` and offered for download.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import actuals_view, persist, running, session_work, state
from app_pages.chart_view import show_chart
from sim.errors import ScenarioError
from sim.report.charts import study_charts
from sim.runs.cache import zip_run_directory
from sim.runs.shared import QueuePlace
from sim.scenario.levers import NAMED_LEVERS, Lever, parse_lever_values
from sim.studies.plan import PlanRequest, parse_target, run_plan
from sim.studies.sweep import SweepRequest, run_sweep, switching_sentence

DEFAULT_VALUES = {
    "demand_scale": "0.9, 1, 1.1, 1.2",
    "recruitment_time_scale": "0.75, 1, 1.5, 2",
    "headcount_plan_scale": "1, 1.1, 1.2",
    "plan_advance_months": "0, 3, 6",
    "onboarding_pace": "0.5, 0.75, 1",
    "ramp_up_time_scale": "0.5, 1, 1.5",
    "attrition_scale": "0.6, 1, 1.6",
}


def _out(kind: str, scenario_name: str) -> Path:
    return session_work.new_study_dir(kind, scenario_name)


def _with_progress(what: str, work: Any) -> Any:
    """Run `work(executor, on_progress)` with a progress bar; None (message shown) on a mistake."""
    bar = st.progress(0.0, text=f"{what}: starting…")

    def progress(done: int, total: int) -> None:
        bar.progress(
            min(1.0, done / total) if total else 1.0,
            text=f"{what}: {done} of {total} replications (all scenarios)",
        )

    def queued(place: QueuePlace) -> None:
        bar.progress(0.0, text=f"{what}: waiting for a free place, {running.queue_text(place)}")

    pool = running.shared_pool()
    if pool is None:
        bar.empty()
        return None
    persist.save()
    try:
        return work(pool.run(queued), progress)
    except ScenarioError as error:
        st.error("It could not run:\n\n" + "\n".join(f"- {line}" for line in error.lines()))
        return None
    except Exception as error:
        running.show_fault(error)
        return None
    finally:
        bar.empty()


def _levers(prefix: str, defaults: list[str], help_text: str) -> list[Lever] | None:
    """Named levers chosen from a list, each with its values; None if a value is malformed."""
    chosen = st.multiselect(
        "Levers", list(NAMED_LEVERS), default=defaults, key=f"{prefix}.levers", help=help_text
    )
    levers = []
    for key in chosen:
        text = st.text_input(
            f"{key}: values",
            DEFAULT_VALUES.get(key, "1"),
            key=f"{prefix}.values.{key}",
            help=NAMED_LEVERS[key].description + ". A range LOW:HIGH:STEP also works.",
        )
        try:
            levers.append(parse_lever_values(f"{key}={text.replace(' ', '')}", key))
        except ScenarioError as error:
            st.error("\n".join(error.lines()))
            return None
    return levers


def _grid_size(levers: list[Lever] | None, at_least: int) -> int:
    """Settings in the full grid of `levers` if there are at least `at_least` of them."""
    if not levers or len(levers) < at_least:
        return 0
    return math.prod(len(lever.values) for lever in levers)


def sensitivity(scenario: Any, seed: int, reps: int) -> None:
    """Tornado, two-way heat map and switching values over chosen levers."""
    st.caption(
        "Vary inputs one at a time (a tornado), over a two-way grid when you choose two (a heat "
        "map), and find each input's switching value: where the probability of outrunning "
        "capability crosses 50% or the service level crosses its target."
    )
    levers = _levers(
        "sweep", ["demand_scale", "recruitment_time_scale"], "Each is relative to the scenario."
    )
    points = 1 + sum(len(lv.values) for lv in levers or []) + _grid_size(levers, 2)
    if (
        levers
        and running.long_work_confirmed(scenario, points, reps, "sweep")
        and st.button("Run the sensitivity analysis", type="primary")
    ):
        request = SweepRequest(
            scenario,
            levers,
            seed,
            reps,
            _out("sweep", scenario.name),
            state.cache_root(),
            bisect_steps=2,
        )
        result = _with_progress("Sensitivity", lambda ex, pr: run_sweep(request, ex, pr))
        if result is not None:
            names = ", ".join(lever.key for lever in levers)
            title = f"Sensitivity analysis of '{scenario.name}' ({names}; {reps} replications)"
            _remember("sweep", title, result.out)
    path = _latest("sweep")
    if path is not None:
        for row in pd.read_csv(path / "switching.csv").to_dict("records"):
            st.markdown(f"- {switching_sentence(row)}")
        show_study(path)


def plan(scenario: Any, seed: int, reps: int) -> None:
    """The least-cost setting of chosen levers that meets a target with stated confidence."""
    st.caption(
        "Find the cheapest setting of the levers that meets a target in a share of simulated "
        "futures. Cost: staff plus contractor cost over the run."
    )
    target_text = st.text_input("Target (KPI OP NUMBER)", "sla_attainment >= 0.8", key="plan.t")
    confidence = st.slider("Confidence (share of futures)", 0.5, 0.99, 0.9, 0.01, key="plan.c")
    levers = _levers("plan", ["headcount_plan_scale"], "One or two levers keep the search small.")
    points = 1 + _grid_size(levers, 1)
    if (
        levers
        and running.long_work_confirmed(scenario, points, reps, "plan")
        and st.button("Find the least-cost plan", type="primary")
    ):
        try:
            target = parse_target(target_text)
        except ScenarioError as error:
            st.error("\n".join(error.lines()))
            return
        request = PlanRequest(
            scenario,
            levers,
            [target],
            confidence,
            seed,
            reps,
            _out("plan", scenario.name),
            state.cache_root(),
        )
        result = _with_progress("Plan", lambda ex, pr: run_plan(request, ex, pr))
        if result is not None:
            title = f"Least-cost plan for '{scenario.name}' ({target_text}; {reps} replications)"
            _remember("plan", title, result.out)
    path = _latest("plan")
    if path is not None:
        for line in (path / "explanation.txt").read_text().splitlines():
            st.markdown(line)
        show_study(path)


def _remember(kind: str, title: str, out: Path) -> None:
    """A finished study: among the session's work (for the report), and its tab's latest."""
    session_work.add(session_work.Work(str(out), kind, title, str(out)))
    st.session_state[f"evidence.{kind}"] = str(out)


def _latest(kind: str) -> Path | None:
    """The tab's latest study, its heading shown; None before the first."""
    if f"evidence.{kind}" not in st.session_state:
        return None
    path = Path(st.session_state[f"evidence.{kind}"])
    st.subheader(f"Latest: {path.name}")
    return path


def show_study(path: Path) -> None:
    """A study's charts, as `ccs-sim` writes them."""
    for chart in study_charts(path).values():
        show_chart(chart, stretch=False)


def report_tab(scenario: Any, seed: int, reps: int) -> None:
    """The business-case report from this session's run and studies, to download."""
    from sim.report.html import ReportRequest, build_report

    sources: dict[str, str] = {}
    run = running.cached(scenario, seed, reps)
    if run is not None:
        sources[f"Run: '{scenario.name}' ({reps} replications, seed {seed})"] = str(run.path)
    for work in session_work.done():
        if work.kind != "report" and work.path not in sources.values():
            sources[work.title] = work.path
    if not sources:
        st.info(
            "Run the scenario on **Run and results**, a comparison on **Compare**, or a "
            "sensitivity analysis or plan here, first: the report is written from finished runs."
        )
        return
    st.caption(
        "Everything done in this session, each by its name. The first chosen is the report's "
        "primary run (a comparison's primary run is the scenario it is compared against)."
    )
    if st.session_state.get("report.inputs.offered") != list(sources):
        st.session_state["report.inputs.offered"] = list(sources)
        st.session_state["report.inputs"] = list(sources)  # new work is included by default
    chosen = st.multiselect("Include", list(sources), key="report.inputs")
    uplift = st.number_input(
        "Optimism bias: uplift on recruitment and ramp-up durations (0 for none)",
        value=0.54,
        step=0.01,
        key="report.ob",
        help="0.54 is the Green Book's upper bound for Equipment/development works duration, "
        "the analogue this model uses (docs/evidence.md). Allowed: 0 to 2.",
    )
    wrong = uplift is None or not 0 <= uplift <= 2
    if wrong:
        st.error(f"**Optimism bias**: given {uplift}; allowed 0 to 2. The report waits for this.")
    actuals = actuals_view.include_in_report()
    pressed = st.button("Write the report", type="primary", disabled=wrong or not chosen)
    if not chosen or wrong or not pressed:
        return
    out = _out("report", scenario.name)
    request = ReportRequest(
        [Path(sources[c]) for c in chosen],
        out,
        uplift or None,
        state.cache_root(),
        actuals=actuals_view.write_for_report(actuals, out),
    )
    result = _with_progress("Report", lambda ex, pr: build_report(request, ex, pr))
    if result is None:
        return
    title = f"Report: {', '.join(chosen)}"
    session_work.add(session_work.Work(str(out), "report", title, str(out)))
    st.success(f"Report written in {result.seconds:.0f} s: " + "; ".join(result.sections))
    report_downloads(result.html)


def report_downloads(html: Path, key: str = "") -> None:
    """The report file, and the report with its charts as a zip, named by their folder (which
    names the scenario)."""
    st.download_button(
        "Download report.html",
        html.read_bytes(),
        f"{html.parent.name}.html",
        "text/html",
        key=f"report.html.{key}",
    )
    st.download_button(
        "Download the report with its PNG charts (zip)",
        zip_run_directory(html.parent),
        f"{html.parent.name}.zip",
        "application/zip",
        key=f"report.zip.{key}",
    )


def main() -> None:
    """The Evidence page."""
    st.title("Evidence for a business case")
    now = state.current()
    if now.scenario is None:
        st.error("The scenario cannot run yet:\n\n" + "\n".join(f"- {x}" for x in now.problems))
        return
    settings = state.run_settings()
    seed, reps = settings["seed"], settings["reps"]
    st.caption(
        f"On '{now.scenario.name}': {reps} replications per "
        f"scenario, seed {seed}; change these on **Run and "
        "results**. The same as `ccs-sim sweep`, `plan` and `report` (docs/evidence.md)."
    )
    tabs = st.tabs(["Sensitivity and switching values", "Least-cost plan", "Report"])
    with tabs[0]:
        sensitivity(now.scenario, seed, reps)
    with tabs[1]:
        plan(now.scenario, seed, reps)
    with tabs[2]:
        report_tab(now.scenario, seed, reps)


main()
