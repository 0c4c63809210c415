"""The report's first sections: summary, the scenario in plain words, the assumptions log,
the results, and the options compared. Each renders from the gathered `Context`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.report.assumptions import scenario_differences
from sim.report.evidence import (
    WIDTH,
    Evidence,
    ReportRequest,
    Study,
    base_label,
)
from sim.report.html_parts import Charts, esc, frame_table, html_table, para, td
from sim.report.monthly import MONTHLY_CHARTS, monthly_chart, observed_fan_data
from sim.report.plain_words import describe_scenario
from sim.report.sections_assumptions import assumptions_appendix
from sim.results.actuals import Tracking
from sim.results.formats import (
    format_difference,
    format_difference_interval,
    format_kpi,
    format_probability,
    judge_difference,
    paired_subset,
)
from sim.results.history import HistoryCheck
from sim.results.kpis import in_group
from sim.results.outrun import verdict_sentence, verdicts
from sim.results.theory import TheoryCheck
from sim.runs.tables import RunTables
from sim.studies.sweep import switching_sentence

__all__ = [
    "Context",
    "headline",
    "headline_rows",
    "judgement",
    "section_assumptions",
    "section_options",
    "section_results",
    "section_scenario",
    "section_summary",
    "summary_row",
]


@dataclass
class Context:
    """Everything the sections render from, gathered and computed before any is rendered (the
    renderers write nothing but HTML; charts are collected by `charts`)."""

    evidence: Evidence
    charts: Charts
    request: ReportRequest
    optimism: tuple[RunTables, pd.DataFrame] | None = None
    checks: list[TheoryCheck] = field(default_factory=list)
    history: list[HistoryCheck] = field(default_factory=list)  # the public record, 2014-16
    log: pd.DataFrame = field(default_factory=pd.DataFrame)  # the primary run's assumptions log
    code: dict[str, Any] = field(default_factory=dict)  # the report's own version (git_state)
    actuals: Tracking | None = None  # the actuals given, placed in the primary run's fans
    written_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def summary_row(run: RunTables, kpi: str) -> dict[str, Any] | None:
    rows = run.summary[run.summary["kpi"] == kpi]
    return None if rows.empty else dict(rows.iloc[0])


def headline(run: RunTables) -> str:
    """The verdict sentence the app and the command line give, then the service level."""
    reps = run.manifest.get("replications_completed")
    found = verdicts(run.kpis, run.pools, run.start_date)
    text = (
        f"'{run.scenario.name}' ({reps} replications, seed {run.manifest.get('seed')}): "
        + verdict_sentence(found[0], run.scenario.verdict.consecutive_months, bold="")
    )
    sla = summary_row(run, "sla_attainment")
    if sla is not None:
        text += (
            f" Mean service level {format_kpi('sla_attainment', sla['mean'])} (95% CI "
            f"{format_kpi('sla_attainment', sla['ci_low'])} to "
            f"{format_kpi('sla_attainment', sla['ci_high'])}) against a target of "
            f"{format_probability(run.scenario.verdict.sla_attainment_target)}."
        )
    return text


def section_summary(ctx: Context) -> str:
    ev = ctx.evidence
    parts = [para(headline(ev.primary))]
    for study in ev.of_kind("compare"):
        table = study.table("comparison")
        against = study.study["base"]["label"]
        for option in table["option"].unique():
            row = table[(table["option"] == option) & (table["kpi"] == "outruns_capability")]
            if not row.empty:
                r = row.iloc[0]
                parts.append(
                    para(
                        f"Option '{option}', against '{against}', changes the probability of "
                        "outrunning capability by "
                        f"{format_difference(r['kpi'], r['difference'])} (95% CI "
                        f"{format_difference_interval(r['kpi'], r['ci_low'], r['ci_high'])}): "
                        f"{judgement(r)}; it does better than the base in "
                        f"{format_probability(r['p_option_better'])} of replications."
                    )
                )
    for study in ev.of_kind("sweep"):
        of = _study_scenario(study)
        for row in study.table("switching").to_dict("records"):
            if row["status"] == "found":
                parts.append(para(f"Sensitivity of '{of}': {switching_sentence(row)}"))
    for study in ev.of_kind("plan"):
        of = _study_scenario(study)
        parts.append(para(f"Plan for '{of}': " + " ".join(study.study["explanation"][3:5])))
    if ctx.optimism is not None:
        parts.append(
            para(
                f"With optimism bias (applied to '{ev.primary.scenario.name}' only; see the "
                "section Optimism bias): " + headline(ctx.optimism[0])
            )
        )
    return "".join(parts)


def _study_scenario(study: Study) -> str:
    """The name of the scenario a study varies (its base run's)."""
    return study.runs[base_label(study.study)].scenario.name


def section_scenario(ctx: Context) -> str:
    parts = []
    for topic, lines in describe_scenario(ctx.evidence.primary.scenario).items():
        parts.append(f"<h3>{esc(topic)}</h3>" + "".join(para(line) for line in lines))
    description = ctx.evidence.primary.scenario.description
    return (para(description) if description else "") + "".join(parts)


def section_assumptions(ctx: Context) -> str:
    return assumptions_appendix(ctx.evidence.primary.scenario.name, ctx.log)


def _kpi_table(run: RunTables) -> str:
    summary = run.summary.set_index("kpi")
    order = [k for k in in_group("headline") if k in summary.index]
    order += [k for k in summary.index if k not in order]
    rows = []
    for kpi in order:
        r: dict[str, Any] = {str(k): v for k, v in summary.loc[kpi].items()}
        cells = [td(kpi)]
        for stat in ("mean", "ci_low", "ci_high", "p10", "p50", "p90"):
            cells.append(
                td(
                    format_kpi(str(kpi), r[stat], run.start_date),
                    data_kpi=kpi,
                    data_stat=stat,
                    data_value=repr(float(r[stat])),
                )
            )
        cells.append(td(int(r["n"])))
        rows.append(cells)
    return html_table(
        ["KPI", "Mean", "95% CI low", "95% CI high", "P10", "P50", "P90", "n"],
        rows,
        f"kpis-{run.path.name}",
    )


def section_results(ctx: Context) -> str:
    primary = ctx.evidence.primary
    parts = [
        para(
            f"From {primary.path.name}/summary.csv: mean over replications with its 95% confidence "
            "interval (t-based; Wilson for probabilities such as outruns_capability) and the "
            "P10/P50/P90 spread across replications. Months are counted from 0 at the start."
        ),
        _kpi_table(primary),
    ]
    target = primary.scenario.verdict.sla_attainment_target
    actuals = ctx.actuals
    for spec in [s for s in MONTHLY_CHARTS if s.drawable(primary.monthly)]:
        observed = actuals.observed if actuals is not None else None
        chart = monthly_chart(spec, primary.monthly, target, observed)
        caption = f"{spec.title}: median (line) and P10 to P90 (band) across replications"
        if actuals and len(observed_fan_data(actuals.observed, spec.series, primary.monthly)):
            caption += f"; observed values from {actuals.file_name} as dark points"
        parts.append(ctx.charts.figure(chart.properties(width=WIDTH), spec.title, caption))
    others = [run for path, (run, _roles) in ctx.evidence.runs.items() if path != primary.path]
    for run in [r for r in others if _is_option(ctx, r)]:
        parts.append(f"<h3>{esc(run.scenario.name)} ({esc(run.path.name)})</h3>" + _kpi_table(run))
    return "".join(parts)


def _is_option(ctx: Context, run: RunTables) -> bool:
    roles = ctx.evidence.runs[run.path][1]
    return any(role.startswith(("compare", "run")) for role in roles)


WHEN_MISSING = {
    "compare": "No options were compared in these runs. The Green Book appraises options against "
    "a base case: run `ccs-sim compare BASE OPTION...` and add its directory here.",
    "sweep": "No sensitivity analysis is included. The Green Book requires sensitivity analysis "
    "and switching values for the preferred option: run `ccs-sim sweep SCENARIO --vary "
    "KEY=V1,V2,...` and add its directory here.",
    "plan": "No least-cost plan was searched for in these runs (`ccs-sim plan`).",
}
"""What a section says when the report has no study of its kind, and how to add one."""


def section_options(ctx: Context) -> str:
    studies = ctx.evidence.of_kind("compare")
    if not studies:
        return para(WHEN_MISSING["compare"])
    return "".join(_comparison_study(ctx, study) for study in studies)


COMPARISON_HEADERS = [
    "Option",
    "KPI",
    "Base",
    "Option",
    "Difference",
    "95% CI",
    "Judgement",
    "P(better)",
    "P(worse)",
]


def difference_cells(r: Mapping[Any, Any], start_date: dt.date | None = None) -> list[str]:
    """A paired difference as table cells: both means (months of the run as dates), the
    difference (traceable to the file by its data attributes, and saying over which futures when
    not all), its 95% CI and the judgement."""
    return [
        td(format_kpi(r["kpi"], r["base_mean"], start_date)),
        td(format_kpi(r["kpi"], r["option_mean"], start_date)),
        td(
            format_difference(r["kpi"], r["difference"]) + paired_subset(dict(r)),
            data_kpi=r["kpi"],
            data_value=repr(float(r["difference"])),
        ),
        td(format_difference_interval(r["kpi"], r["ci_low"], r["ci_high"])),
        td(judgement(r)),
    ]


def _comparison_study(ctx: Context, study: Study) -> str:
    """One compare study: the method, the headline KPIs' table, the chart, the inputs changed."""
    from sim.report.charts import comparison_chart

    table = study.table("comparison")
    base = study.study["base"]["label"]
    rows = [
        [
            td(r["option"]),
            td(r["kpi"]),
            *difference_cells(r, ctx.evidence.primary.start_date),
            td(format_probability(r["p_option_better"])),
            td(format_probability(r["p_option_worse"])),
        ]
        for r in headline_rows(table).to_dict("records")
    ]
    kpis = [k for k in in_group("comparison") if k in set(table["kpi"])]
    return (
        para(
            f"Study {study.path.name}: each option against '{base}', {study.study['reps']} "
            f"replications with seed {study.study['seed']} for every scenario (common random "
            "numbers). Difference = option minus base, paired by replication, with its 95% "
            "confidence interval; P(better) and P(worse) = share of replications in which the "
            "option does better or worse, in the KPI's better direction (the rest are ties)."
        )
        + html_table(COMPARISON_HEADERS, rows, f"comparison-{study.path.name}")
        + ctx.charts.figure(
            comparison_chart(table, kpis),
            f"comparison {study.path.name}",
            f"Options against '{base}': paired differences with 95% CIs",
        )
        + _differences(study)
    )


def headline_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The headline KPIs of a comparison table, option by option in headline order."""
    order = {kpi: i for i, kpi in enumerate(in_group("comparison"))}
    rows = table[table["kpi"].isin(order)]
    return rows.assign(_order=rows["kpi"].map(order)).sort_values(
        ["option", "_order"], kind="stable"
    )


def _differences(study: Study) -> str:
    base = study.runs[study.study["base"]["label"]].scenario
    parts = []
    for record in study.study["options"]:
        option = study.runs[record["label"]].scenario
        diff = scenario_differences(base, option)
        parts.append(f"<h3>How '{esc(record['label'])}' differs from the base</h3>")
        if diff.empty:
            parts.append(para("It has the same inputs as the base."))
            continue
        diff = diff.rename(columns={"option_source": "source of the option's value"})
        parts.append(f'<div class="small">{frame_table(diff)}</div>')
    return "".join(parts)


def judgement(row: Mapping[Any, Any]) -> str:
    better = "" if pd.isna(row["better"]) else str(row["better"])
    return judge_difference(better, row["ci_low"], row["ci_high"], int(row["n_pairs"]))
