"""How one run's results look on a page: the verdict first, then the KPI cards, the monthly fans,
the recruitment pipeline and the money. Used by the Run and results page, for finished runs and
for the replications finished so far while a run is going.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages import actuals_view
from app_pages.chart_view import show_chart, show_table
from sim.report import figures as report
from sim.results import outrun
from sim.results.formats import format_probability
from sim.results.kpis import in_group
from sim.runs.tables import RunTables

PROBABILITY = "Probability it outruns capability"


def show_verdict(run: RunTables) -> None:
    """The answer first: probability that expansion outruns capability, when, for which skills."""
    found = outrun.verdicts(run.kpis, run.pools, run.start_date)
    whole = found[0]
    consecutive = run.scenario.verdict.consecutive_months
    st.header("Will the expansion outrun capability?")
    sentence = outrun.verdict_sentence(whole, consecutive)
    if whole.probability >= 0.5:
        st.error(sentence, icon=":material/error:")
    elif whole.probability >= 0.1:
        st.warning(sentence, icon=":material/warning:")
    else:
        st.success(sentence, icon=":material/check_circle:")
    st.markdown("**By skill (staff pool)**")
    table = outrun.verdict_table(found)
    show_table(table.assign(**{PROBABILITY: table[PROBABILITY].map(format_probability)}))
    st.caption(
        "Starts: the month by which 1 in 10 (early, P10), half (median, P50) and 9 in 10 (late, "
        "P90) of the futures in which it happens have started."
    )
    at_risk = [v for v in found[1:] if v.outruns]
    notes = []
    if at_risk:
        worst = max(at_risk, key=lambda v: v.probability)
        notes.append(
            f"Most at risk: **{worst.scope}** ({format_probability(worst.probability)}). A pool "
            "can outrun its capability while CCS as a whole keeps up."
        )
    notes.append(
        f"A month is short when demand exceeds effective staff and fewer than "
        f"{run.scenario.verdict.sla_attainment_target:.0%} of requests finish within target; "
        f"{consecutive} short months in a row is a shortfall (docs/verdict.md)."
    )
    st.caption(" ".join(notes))
    show_chart(report.outrun_chart(report.outrun_by_month(run.kpis, run.pools, run.monthly)))
    st.info(
        "**What closes the gap?** Change the headcount plan, recruitment speed, offer acceptance "
        "(pay), contractors or the onboarding waves on the Scenario page and run again, then "
        "see the difference on the Compare page (or compare a variant from the scenarios folder).",
        icon=":material/lightbulb:",
    )
    links = st.columns(4)
    with links[0]:
        st.page_link("app_pages/scenario.py", label="Change the scenario", icon=":material/edit:")
    with links[1]:
        st.page_link("app_pages/compare.py", label="Compare", icon=":material/compare_arrows:")


def show_cards(run: RunTables, names: tuple[str, ...], per_row: int = 4) -> None:
    """KPI cards: mean, 95% confidence interval and the P10-P90 range of futures."""
    cards = report.kpi_cards(run.summary, names)
    for start in range(0, len(cards), per_row):
        cols = st.columns(per_row)
        for col, card in zip(cols, cards[start : start + per_row], strict=False):
            with col, st.container(border=True):
                st.metric(card.label, card.value, help=card.description)
                st.caption(f"95% CI {card.interval}  \nP10 to P90 {card.band}")


def show_fans(run: RunTables, choose_scope: bool = True, observed: Any = None) -> None:
    """Fan charts of the monthly series, for CCS as a whole or one pool (CCS as a whole only
    with `choose_scope` False: while a run is going the page has no widgets to spare), with
    what was observed over them (`observed`: actuals, `app_pages.actuals_view`)."""
    st.subheader("Month by month")
    st.caption(
        "Shaded: the middle 80% of simulated futures (P10 to P90); line: the median (P50). "
        "Dashed: a plan."
        + (" Dark points: observed (the actuals below)." if observed is not None else "")
    )
    scopes = [report.WHOLE, *run.scenario.pool_names]
    scope = st.selectbox("Show", scopes, key="results.scope") if choose_scope else report.WHOLE
    monthly = run.monthly if scope == report.WHOLE else _pool_monthly(run, scope)
    target = run.scenario.verdict.sla_attainment_target
    specs = [s for s in report.MONTHLY_CHARTS if s.drawable(run.monthly)]
    for start in range(0, len(specs), 2):
        cols = st.columns(2)
        for col, spec in zip(cols, specs[start : start + 2], strict=False):
            source = run.monthly if spec.whole_only else monthly
            pool = "" if scope == report.WHOLE else scope
            with col:
                show_chart(report.monthly_chart(spec, source, target, observed, pool))


def _pool_monthly(run: RunTables, pool: str) -> Any:
    return report.pool_monthly(run.monthly, run.monthly_by_pool, pool)


def show_pipeline(run: RunTables) -> None:
    """The recruitment pipeline: where vacancies are, what happens to them, how long it takes."""
    st.subheader("Recruitment pipeline")
    show_cards(run, in_group("recruitment"))
    scopes = [report.WHOLE, *run.scenario.pool_names]
    scope = st.selectbox("Staff pool", scopes, key="results.pipeline_scope")
    pool = None if scope == report.WHOLE else scope
    source = run.monthly if pool is None else _pool_monthly(run, pool)
    show_chart(report.pipeline_chart(report.pipeline_by_stage(source)))
    flow = report.recruitment_flow(run.scenario, pool)
    if flow is None:
        st.warning("With these pass rates no vacancy is ever filled (e.g. no offer accepted).")
        return
    show_chart(
        report.sankey_chart(flow, title="What happens to 100 vacancies (expected from the rates)")
    )
    days = " → ".join(f"{name} {value:.0f}" for name, value in flow.stage_days.items())
    st.caption(
        f"From the scenario's pass rates: {flow.campaigns_per_hire:.2f} campaigns per hire. Mean "
        f"days in each stage: {days}; plus any wait for a recruiter (above) and the re-runs."
    )


def show_money(run: RunTables) -> None:
    """Costs, savings delivered and savings foregone, by UK financial year."""
    st.subheader("Costs and savings by financial year")
    show_cards(run, in_group("money"))
    money = report.money_by_financial_year(run.monthly)
    show_chart(report.money_chart(money))
    show_table(report.money_table(money))
    st.caption("£ million: mean over futures (P10 to P90). Financial years run April to March.")


def show_results(run: RunTables) -> None:
    """Everything about one run, most important first."""
    show_verdict(run)
    st.subheader("Key results")
    show_cards(run, in_group("cards"))
    show_fans(run, observed=actuals_view.observed_for(run))
    actuals_view.show_actuals(run)
    show_pipeline(run)
    show_money(run)
    with st.expander("Every KPI, with its 95% confidence interval and P10 to P90"):
        show_table(report.kpi_table(run.summary))
    st.caption(
        f"Run directory: `{run.path}` ({run.replications} replications, seed "
        f"{run.manifest.get('seed')}). Download it on the Downloads page."
    )


def show_so_far(run: RunTables, total: int) -> None:
    """While a run is going: the answer from the replications finished so far (the verdict, the
    key results and the fans for CCS as a whole), said to be provisional, sharpening as the rest
    arrive."""
    st.info(
        f"**First results, from {run.replications:,} of {total:,} replications.** They sharpen as "
        "the rest arrive: the confidence intervals show how precise they are now.",
        icon=":material/hourglass_top:",
    )
    show_verdict(run)
    st.subheader("Key results")
    show_cards(run, in_group("cards"))
    show_fans(run, choose_scope=False)
