"""Figures and tables of a run, shared by the planners' app, the command line and written reports.

Every function here is pure: tables (pandas DataFrames read from a run directory) in, an Altair
chart or a display table out. Nothing imports Streamlit, so one chart spec serves the app
(`st.altair_chart`), offline HTML reports and PNG/SVG files (`save_chart`, via vl-convert).

The building blocks other reports reuse:

- `outrun_by_month(...)` and `outrun_chart(...)`: when expansion outruns capability, by pool
  (the verdict itself and its sentence: `sim.results.outrun`).
- `kpi_table(summary)` and `kpi_cards(summary, names)`: KPIs with 95% CIs and P10-P90 bands,
  labelled from the KPI catalogue (`sim.results.kpis`), formatted by `sim.results.formats`.
- `fan_data(monthly, series)` + `fan_chart(data, ...)`: P10/P50/P90 bands over time, for one run
  or for several runs overlaid (`overlay_fan_data`), with observed values over them if given
  (`observed_fan_data`, from an actuals file).
- `pipeline_by_stage`/`pipeline_chart`, `recruitment_flow`/`sankey_chart`: the recruitment pipeline.
- `money_by_financial_year`/`money_chart`/`money_table`: costs and savings by UK financial year.
- `comparison_table`/`comparison_chart`: paired differences between two scenarios.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from sim.report.chart_common import (
    JUDGEMENT_COLOURS,
    JUDGEMENT_SHAPES,
    Chart,
    chart_table,
    describe,
    judgement_description,
    records,
    save_chart,
)
from sim.report.money import MONEY_SERIES, money_by_financial_year, money_chart, money_table
from sim.report.monthly import (
    MONTHLY_CHARTS,
    OBSERVED,
    OBSERVED_COLOUR,
    MonthlyChart,
    fan_chart,
    fan_data,
    monthly_chart,
    observed_fan_data,
    outrun_by_month,
    outrun_chart,
    overlay_chart,
    overlay_fan_data,
    pool_monthly,
)
from sim.report.previews import headcount_plan, onboarding_plan, plan_step_chart
from sim.report.recruitment import (
    PIPELINE_STAGE_LABELS,
    RecruitmentFlow,
    pipeline_by_stage,
    pipeline_chart,
    recruitment_flow,
    sankey_chart,
)
from sim.results.formats import (
    JUDGEMENTS,
    format_band,
    format_difference,
    format_difference_interval,
    format_interval,
    format_kpi,
    format_probability,
    judge_difference,
    paired_subset,
)
from sim.results.kpis import KPI_NAMES, KPIS, kpi_info, kpi_label
from sim.results.outrun import WHOLE

__all__ = [
    "COMPARED_KPIS",
    "MONEY_SERIES",
    "MONTHLY_CHARTS",
    "OBSERVED",
    "OBSERVED_COLOUR",
    "PIPELINE_STAGE_LABELS",
    "WHOLE",
    "Chart",
    "KpiCard",
    "MonthlyChart",
    "RecruitmentFlow",
    "chart_table",
    "comparison_chart",
    "comparison_table",
    "fan_chart",
    "fan_data",
    "headcount_plan",
    "kpi_cards",
    "kpi_table",
    "money_by_financial_year",
    "money_chart",
    "money_table",
    "monthly_chart",
    "observed_fan_data",
    "onboarding_plan",
    "outrun_by_month",
    "outrun_chart",
    "overlay_chart",
    "overlay_fan_data",
    "pipeline_by_stage",
    "pipeline_chart",
    "plan_step_chart",
    "pool_monthly",
    "recruitment_flow",
    "sankey_chart",
    "save_chart",
]


# --- KPIs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiCard:
    """One KPI ready for a card: label, mean, 95% CI and P10-P90 band as text."""

    kpi: str
    label: str
    value: str
    interval: str
    band: str
    description: str


def _summary_rows(summary: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {str(row["kpi"]): row for row in records(summary)}


def kpi_cards(summary: pd.DataFrame, names: Sequence[str]) -> list[KpiCard]:
    """Cards for the named KPIs of a `summary.csv` table (KPIs it lacks are skipped)."""
    rows = _summary_rows(summary)
    cards = []
    for name in names:
        if name not in rows:
            continue
        row = rows[name]
        info = kpi_info(name)
        interval = format_interval(name, row["ci_low"], row["ci_high"])
        band = format_band(name, row["p10"], row["p90"])
        cards.append(
            KpiCard(
                name, info.label, format_kpi(name, row["mean"]), interval, band, info.description
            )
        )
    return cards


def kpi_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Every KPI of a `summary.csv` table, labelled and formatted, in catalogue order (the
    month the shortfall starts is in the verdict, as dates)."""
    rows = _summary_rows(summary)
    order = [k for k in KPI_NAMES if k in rows and kpi_info(k).kind != "month"]
    order += [k for k in rows if k not in KPIS]
    table = []
    for name in order:
        row = rows[name]
        info = kpi_info(name)
        is_probability = info.kind == "probability"
        table.append(
            {
                "KPI": info.label,
                "Mean": format_kpi(name, row["mean"]),
                "95% confidence interval": format_interval(name, row["ci_low"], row["ci_high"]),
                "P10 to P90 (range of futures)": (
                    "" if is_probability else format_band(name, row["p10"], row["p90"])
                ),
                "What it means": info.description,
                "Column": name,
            }
        )
    return pd.DataFrame(table)


# --- comparing two scenarios --------------------------------------------------------------------

# Every KPI is compared except draws of uncertain inputs.
COMPARED_KPIS: tuple[str, ...] = tuple(k for k in KPI_NAMES if "input_draw" not in KPIS[k].groups)


def comparison_table(
    paired: pd.DataFrame,
    base_label: str = "Base",
    option_label: str = "Edited",
    start_date: dt.date | None = None,
) -> pd.DataFrame:
    """Paired differences (from `sim.results.paired.paired_differences`) labelled for planners.

    'Clearly better' or 'clearly worse' means the 95% confidence interval of the paired
    difference excludes zero in that direction; otherwise 'no clear difference'. Months of the
    run read as dates when `start_date` is given. A difference taken over fewer futures than a
    mean beside it (a shortfall's start exists only where there is one) says over which.
    """
    rows = []
    by_kpi = {str(r["kpi"]): r for r in records(paired)}
    for kpi in [k for k in COMPARED_KPIS if k in by_kpi]:
        r = by_kpi[kpi]
        rows.append(
            {
                "KPI": kpi_label(kpi),
                base_label: format_kpi(kpi, r["base_mean"], start_date),
                option_label: format_kpi(kpi, r["option_mean"], start_date),
                "Difference": format_difference(kpi, r["difference"]) + paired_subset(r),
                "95% CI of the difference": format_difference_interval(
                    kpi, r["ci_low"], r["ci_high"]
                ),
                "Verdict": _judgement(r),
                "Futures where it is better": _blank_if_missing(
                    format_probability(r["p_option_better"])
                ),
                "Column": kpi,
            }
        )
    return pd.DataFrame(rows)


def _blank_if_missing(text: str) -> str:
    return "" if text == "-" else text


def _judgement(row: dict[str, Any]) -> str:
    return judge_difference(row["better"], row["ci_low"], row["ci_high"], row["n_pairs"])


def comparison_chart(paired: pd.DataFrame, *, height: int | None = None) -> Chart:
    """Each KPI's paired difference as a change relative to the base mean, with its 95% CI.

    KPIs have different units; relative change puts them on one axis. Blue upward triangles mean
    better, orange downward ones worse, grey circles no clear difference (the CI crosses zero).
    """
    rows = []
    by_kpi = {str(r["kpi"]): r for r in records(paired)}
    for kpi in [k for k in COMPARED_KPIS if k in by_kpi and kpi_info(k).kind != "month"]:
        r = by_kpi[kpi]
        base = r["base_mean"]
        if pd.isna(base) or base == 0 or pd.isna(r["difference"]):
            continue
        rows.append(
            {
                "KPI": kpi_label(kpi),
                "change": r["difference"] / abs(base),
                "low": _or(r["ci_low"], r["difference"]) / abs(base),
                "high": _or(r["ci_high"], r["difference"]) / abs(base),
                "verdict": _judgement(r),
            }
        )
    frame = pd.DataFrame(rows, columns=["KPI", "change", "low", "high", "verdict"])
    colours = alt.Scale(domain=list(JUDGEMENTS), range=JUDGEMENT_COLOURS)
    shapes = alt.Scale(domain=list(JUDGEMENTS), range=JUDGEMENT_SHAPES)
    base = alt.Chart(frame, title="Change against the base (relative to the base mean, 95% CI)")
    y = alt.Y("KPI:N", sort=None, title=None, axis=alt.Axis(labelLimit=320))
    points = base.mark_point(filled=True, size=70).encode(
        x=alt.X("change:Q", title="Change relative to the base", axis=alt.Axis(format="%")),
        y=y,
        color=alt.Color("verdict:N", scale=colours, title=None, legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("verdict:N", scale=shapes, title=None),
        tooltip=[
            alt.Tooltip("KPI:N"),
            alt.Tooltip("change:Q", title="Change", format="+.1%"),
            alt.Tooltip("low:Q", title="CI low", format="+.1%"),
            alt.Tooltip("high:Q", title="CI high", format="+.1%"),
            alt.Tooltip("verdict:N", title="Verdict"),
        ],
    )
    bars = base.mark_rule(strokeWidth=2).encode(
        x="low:Q", x2="high:Q", y=y, color=alt.Color("verdict:N", scale=colours, legend=None)
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#505a5f").encode(x="x:Q")
    chart = alt.layer(zero, bars, points).properties(height=height or 26 * max(len(frame), 4))
    return describe(chart, judgement_description(frame["KPI"], frame["verdict"]))


def _or(value: float, fallback: float) -> float:
    return fallback if pd.isna(value) else value
