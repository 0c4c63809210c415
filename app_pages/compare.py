"""Page 3, Compare: the edited scenario against its base (or another), with common random numbers.

Both runs use the same seed and replications, so replication `rep` of each sees the same
arrivals, efforts and values (sim/model/streams.py): differences are measured replication by
replication (`sim.results.paired.paired_differences`) and are far less noisy than two separate
means.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import running, session_work, snapshot_view, state
from app_pages.chart_view import show_chart, show_table
from app_pages.edits import scenario_files_in
from sim.errors import ScenarioError
from sim.report import figures as report
from sim.results import outrun
from sim.results.formats import (
    format_difference,
    format_difference_interval,
    format_probability,
)
from sim.results.paired import paired_differences
from sim.runs.batch import scenario_digest
from sim.runs.cache import CachedRun, RunOrigin
from sim.runs.rundir import sha256_of
from sim.runs.tables import RunTables
from sim.scenario.files import load_scenario, parse_scenario
from sim.scenario.schema import Scenario
from sim.studies.compare import CompareRequest, Option, run_comparison

BASE_CHOICE = "base"


def choose_other(base: state.Base, now: state.Current) -> tuple[Scenario, str, RunOrigin] | None:
    """The scenario to compare with: the base (before edits), or a file of the scenarios folder."""
    files = [p.name for p in scenario_files_in(state.scenarios_dir())]
    options = [BASE_CHOICE, *files]
    labels = {BASE_CHOICE: f"The base before your edits: '{base.label}' ({base.shown_file})"}
    default = BASE_CHOICE
    if not now.diffs and base.parent:
        # Nothing edited: the file this scenario extends is the natural comparison.
        parent = base.parent if base.parent in files else f"{base.parent}.yaml"
        default = parent if parent in files else BASE_CHOICE
    if "compare.other" not in st.session_state or st.session_state["compare.other"] not in options:
        st.session_state["compare.other"] = default
    choice = st.selectbox(
        "Compare your scenario with",
        options,
        key="compare.other",
        format_func=lambda o: labels.get(o, o),
    )
    if choice == BASE_CHOICE:
        scenario = parse_scenario(base.data)
        return scenario, f"Base: {base.label}", RunOrigin(base.shown_file, base.sha256)
    path = state.scenarios_dir() / choice
    try:
        scenario = load_scenario(path)
    except ScenarioError as error:
        st.error(f"{choice} cannot be used:\n\n" + "\n".join(f"- {x}" for x in error.lines()))
        return None
    origin = RunOrigin(f"{state.scenarios_dir().name}/{choice}", sha256_of(path.read_bytes()))
    return scenario, f"{scenario.name} ({choice})", origin


def _from_snapshot(other: tuple[Scenario, str, RunOrigin] | None) -> Any:
    """The scenario compared with starts from the session's snapshot too, if there is one."""
    if other is None:
        return None
    started, problems = snapshot_view.start_from_snapshot(other[0])
    if started is None:
        st.error(
            f"{other[1]} cannot start from the snapshot:\n\n"
            + "\n".join(f"- {x}" for x in problems)
        )
        return None
    return started, other[1], other[2]


def main() -> None:
    """The Compare page."""
    st.title("Compare")
    st.caption(
        "Is your scenario better or worse than another, and by how much? Both run with the same "
        "seed and replications (common random numbers), so each simulated future is compared "
        "with its twin."
    )
    base = state.base()
    now = state.current()
    if base is None or now.scenario is None:
        st.error("The scenario cannot run yet:\n\n" + "\n".join(f"- {x}" for x in now.problems))
        st.page_link(
            "app_pages/scenario.py", label="Fix it on the Scenario page", icon=":material/edit:"
        )
        return
    other = _from_snapshot(choose_other(base, now))
    if other is None:
        return
    other_scenario, other_label, other_origin = other
    mine_label = f"Yours: {now.scenario.name}"
    if mine_label == other_label:
        mine_label += " *"
    settings = state.run_settings()
    seed, reps = settings["seed"], settings["reps"]
    st.caption(f"{reps} replications each, seed {seed}: change these on **Run and results**.")
    if now.scenario == other_scenario:
        st.info(
            "The two scenarios are identical: edit yours on the Scenario page, or choose "
            "another to compare with."
        )
    jobs = [(other_label, other_scenario, other_origin), (mine_label, now.scenario, now.origin)]
    runs = {label: running.cached(scenario, seed, reps) for label, scenario, _ in jobs}
    if not _run_what_is_missing(runs, jobs, seed, reps):
        return
    paths = {label: Path(str(r.path)) for label, r in runs.items() if r is not None}
    st.session_state["compare_runs"] = {label: str(p) for label, p in paths.items()}
    keep_comparison(jobs, seed, reps)
    show_comparison(
        running.load_run_cached(str(paths[other_label])),
        running.load_run_cached(str(paths[mine_label])),
        other_label,
        mine_label,
    )


def _run_what_is_missing(
    runs: dict[str, CachedRun | None],
    jobs: list[tuple[str, Scenario, RunOrigin]],
    seed: int,
    reps: int,
) -> bool:
    """Offer to run the scenarios not yet in the cache, and run them when asked; whether every
    run is there (`runs` is filled in as they finish)."""
    if all(r is not None for r in runs.values()):
        return True
    notice = st.empty()  # emptied once the runs are done: it must not outlive them
    missing = [label for label, r in runs.items() if r is None]
    with notice.container():
        st.caption("Not run yet with these settings: " + "; ".join(missing) + ".")
        confirmed = running.long_work_confirmed(jobs[-1][1], len(missing), reps, "cmp")
        pressed = st.button("Run the comparison", type="primary")
    if not pressed or not confirmed:
        return False
    for label, scenario, origin in jobs:
        if runs[label] is None:
            runs[label] = running.run_with_progress(scenario, seed, reps, origin, label)
            if runs[label] is None:
                return False
    notice.empty()
    return True


def keep_comparison(jobs: list[tuple[str, Scenario, RunOrigin]], seed: int, reps: int) -> None:
    """Write the comparison shown as a study directory, as `ccs-sim compare` would, once per
    pair of scenarios and settings, so that the Evidence page's report can include it by name.
    Both runs are in the cache, so nothing runs again."""
    key = "|".join([*(scenario_digest(s) for _, s, _ in jobs), str(seed), str(reps)])
    kept = session_work.find(key)
    if kept is not None and Path(kept.path).is_dir():
        return
    pool = running.shared_pool()
    if pool is None:
        return
    mine = jobs[-1][1].name
    out = session_work.new_study_dir("compare", mine)
    options = [
        Option(label, scenario, origin.scenario_file, origin.overrides)
        for label, scenario, origin in jobs
    ]
    request = CompareRequest(options, seed, reps, out, state.cache_root())
    try:
        run_comparison(request, pool.run(lambda _place: None))
    except ScenarioError as error:  # e.g. a run of the pair was pruned meanwhile
        st.caption("The comparison could not be kept for the report: " + "; ".join(error.lines()))
        return
    other = jobs[0][0]
    title = f"Comparison: '{mine}' against {other} ({reps} replications, seed {seed})"
    session_work.add(session_work.Work(key, "compare", title, str(out)))


def show_comparison(
    base_run: RunTables, option_run: RunTables, base_label: str, option_label: str
) -> None:
    """Verdicts side by side, paired differences of every KPI, and overlaid fan charts."""
    paired = paired_differences(base_run.kpis, option_run.kpis)
    periods = {
        (r.scenario.run.start_date, r.scenario.run.horizon_months) for r in (base_run, option_run)
    }
    if len(periods) > 1:
        st.warning(
            "The two scenarios cover different periods "
            f"({base_run.scenario.run.horizon_months} and "
            f"{option_run.scenario.run.horizon_months} months): totals such as requests, hires "
            "and costs are not comparable; compare rates and shares.",
            icon=":material/warning:",
        )
    st.session_state["compare_table"] = paired
    st.header("Does it close the gap?")
    _verdicts_side_by_side(base_run, option_run, base_label, option_label, paired)
    st.subheader("Every KPI: the paired difference")
    show_table(report.comparison_table(paired, base_label, option_label, base_run.start_date))
    st.caption(
        "Difference = yours minus the other, replication by replication. 'Clearly better' or "
        "'clearly worse': the 95% confidence interval of the difference excludes zero."
    )
    show_chart(report.comparison_chart(paired))
    st.subheader("Month by month, overlaid")
    _overlaid_months(base_run, option_run, base_label, option_label)


def _verdicts_side_by_side(
    base_run: RunTables,
    option_run: RunTables,
    base_label: str,
    option_label: str,
    paired: pd.DataFrame,
) -> None:
    """Each verdict's sentence, the paired difference in the probability of outrunning
    capability, and that probability by staff pool for both."""
    base_v = outrun.verdicts(base_run.kpis, base_run.pools, base_run.start_date)
    option_v = outrun.verdicts(option_run.kpis, option_run.pools, option_run.start_date)
    consecutive = option_run.scenario.verdict.consecutive_months
    cols = st.columns(2)
    for col, label, found in ((cols[0], base_label, base_v), (cols[1], option_label, option_v)):
        with col, st.container(border=True):
            st.markdown(f"**{label}**")
            st.markdown(outrun.verdict_sentence(found[0], consecutive))
    row = paired[paired["kpi"] == "outruns_capability"]
    if len(row):
        r = row.iloc[0]
        st.markdown(
            f"Paired difference in the probability of outrunning capability: "
            f"**{format_difference('outruns_capability', r['difference'])}** (95% CI "
            f"{format_difference_interval('outruns_capability', r['ci_low'], r['ci_high'])})."
        )
    probability = "Probability it outruns capability"
    by_pool = (
        outrun.verdict_table(base_v)[["Staff pool", probability]]
        .rename(columns={probability: base_label})
        .merge(
            outrun.verdict_table(option_v)[["Staff pool", probability]].rename(
                columns={probability: option_label}
            ),
            on="Staff pool",
            how="left",
        )
    )
    st.markdown(f"**{probability}, by skill (staff pool)**")
    show_table(
        by_pool.assign(
            **{
                label: by_pool[label].map(format_probability)
                for label in (base_label, option_label)
            }
        )
    )


def _overlaid_months(
    base_run: RunTables, option_run: RunTables, base_label: str, option_label: str
) -> None:
    """The monthly charts that overlay runs, two to a row."""
    runs = {base_label: base_run.monthly, option_label: option_run.monthly}
    target = option_run.scenario.verdict.sla_attainment_target
    overlays = [s for s in report.MONTHLY_CHARTS if s.overlay]
    for start in range(0, len(overlays), 2):
        cols = st.columns(2)
        for col, spec in zip(cols, overlays[start : start + 2], strict=False):
            with col:
                show_chart(report.overlay_chart(spec, runs, target))


main()
