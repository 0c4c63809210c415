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
  or for several runs overlaid (`overlay_fan_data`).
- `pipeline_by_stage`/`pipeline_chart`, `recruitment_flow`/`sankey_chart`: the recruitment pipeline.
- `money_by_financial_year`/`money_chart`/`money_table`: costs and savings by UK financial year.
- `comparison_table`/`comparison_chart`: paired differences between two scenarios.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from sim.model.calendar import financial_year_label
from sim.model.state import PIPELINE_STAGES
from sim.results.formats import (
    JUDGEMENTS,
    format_band,
    format_difference,
    format_difference_interval,
    format_interval,
    format_kpi,
    format_probability,
    judge_difference,
)
from sim.results.kpis import KPI_NAMES, KPIS, kpi_info, kpi_label
from sim.results.outrun import WHOLE
from sim.results.summary import monthly_bands
from sim.scenario.schema import Scenario

__all__ = [
    "COMPARED_KPIS",
    "MONEY_SERIES",
    "PIPELINE_STAGE_LABELS",
    "WHOLE",
    "Chart",
    "KpiCard",
    "RecruitmentFlow",
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
    "onboarding_plan",
    "outrun_by_month",
    "outrun_chart",
    "overlay_fan_data",
    "pipeline_by_stage",
    "pipeline_chart",
    "plan_step_chart",
    "pool_monthly",
    "recruitment_flow",
    "sankey_chart",
    "save_chart",
]

Chart = alt.Chart | alt.LayerChart | alt.FacetChart | alt.HConcatChart | alt.VConcatChart
"""Any chart these functions return: ready for `st.altair_chart`, `save_chart` or `.to_html()`."""

_DATE_AXIS = alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 6}, labelAngle=0)
_DATE_AXIS_SPARSE = alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1}, labelAngle=0)


def _date_x(months: int) -> alt.X:
    """Month-end dates on the x axis: every 6 months for short runs, every year for long ones."""
    return alt.X("date:T", title=None, axis=_DATE_AXIS if months <= 60 else _DATE_AXIS_SPARSE)


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


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _summary_rows(summary: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {str(row["kpi"]): row for row in _records(summary)}


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


# --- the verdict over time ---------------------------------------------------------------------


def outrun_by_month(kpis: pd.DataFrame, pools: pd.DataFrame, monthly: pd.DataFrame) -> pd.DataFrame:
    """Share of futures in which capability has been outrun by each month, per scope.

    Columns: `date`, `month`, `scope`, `probability` (cumulative, from 0 to the final verdict).
    """
    months = _month_dates(monthly)
    parts = [_cumulative(WHOLE, kpis["outrun_month"], len(kpis), months)]
    for pool, rows in pools.groupby("pool", sort=False):
        parts.append(_cumulative(str(pool), rows["outrun_month"], len(rows), months))
    return pd.concat(parts, ignore_index=True)


def _cumulative(scope: str, starts: pd.Series, n: int, months: pd.DataFrame) -> pd.DataFrame:
    found = pd.to_numeric(starts, errors="coerce").dropna().to_numpy(dtype=float)
    share = [(found <= m).sum() / n if n else math.nan for m in months["month"]]
    return months.assign(scope=scope, probability=share)


def _month_dates(monthly: pd.DataFrame) -> pd.DataFrame:
    return (
        monthly[["month", "date"]]
        .drop_duplicates("month")
        .sort_values("month")
        .reset_index(drop=True)
    )


def outrun_chart(data: pd.DataFrame, *, height: int = 340) -> Chart:
    """Step lines: chance that capability has been outrun by each month, one line per scope."""
    scopes = list(dict.fromkeys(data["scope"]))
    return (
        alt.Chart(data, title="Chance that demand has outrun capability, by month")
        .mark_line(interpolate="step-after", strokeWidth=2)
        .encode(
            x=_date_x(data["date"].nunique()),
            y=alt.Y(
                "probability:Q",
                title="Share of simulated futures",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "scope:N",
                sort=scopes,
                title=None,
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(orient="bottom", columns=3),
            ),
            strokeDash=alt.condition(
                alt.datum.scope == WHOLE, alt.value([1, 0]), alt.value([5, 3])
            ),
            tooltip=[
                alt.Tooltip("scope:N", title="Scope"),
                alt.Tooltip("date:T", title="By", format="%b %Y"),
                alt.Tooltip("probability:Q", title="Chance", format=".0%"),
            ],
        )
        .properties(height=height)
    )


# --- fan charts ---------------------------------------------------------------------------------


def fan_data(monthly: pd.DataFrame, series: dict[str, str]) -> pd.DataFrame:
    """P10/P50/P90 of monthly series across replications, in long form for `fan_chart`.

    `series` maps a column of `monthly` (e.g. 'backlog') to the name shown in the legend.
    Returns columns `month`, `date`, `series`, `p10`, `p50`, `p90`, `mean`.
    """
    columns = [c for c in series if c in monthly]
    bands = monthly_bands(monthly, columns)
    dates = _month_dates(monthly)
    parts = []
    for column in columns:
        part = bands[["month"]].copy()
        for stat in ("p10", "p50", "p90", "mean"):
            part[stat] = bands[f"{column}_{stat}"].to_numpy()
        part["series"] = series[column]
        parts.append(part)
    long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return long.merge(dates, on="month", how="left")[
        ["month", "date", "series", "p10", "p50", "p90", "mean"]
    ]


def pool_monthly(monthly: pd.DataFrame, monthly_by_pool: pd.DataFrame, pool: str) -> pd.DataFrame:
    """One staff pool's rows of `monthly_by_pool.parquet`, with the `date` of each month added.

    The result can go wherever `monthly.parquet` does (fan charts, the pipeline chart).
    """
    frame = monthly_by_pool[monthly_by_pool["pool"] == pool]
    return frame.merge(_month_dates(monthly), on="month", how="left")


def overlay_fan_data(runs: dict[str, pd.DataFrame], column: str) -> pd.DataFrame:
    """One monthly column from several runs (e.g. base and option), one fan per run."""
    parts = [fan_data(monthly, {column: label}) for label, monthly in runs.items()]
    return pd.concat(parts, ignore_index=True)


def fan_chart(
    data: pd.DataFrame,
    *,
    title: str,
    y_title: str,
    percent: bool = False,
    reference: float | None = None,
    reference_label: str = "",
    lines_only: tuple[str, ...] = (),
    height: int = 330,
) -> Chart:
    """A fan chart: the P10-P90 band of each series shaded, its median (P50) as a line.

    `data` comes from `fan_data` or `overlay_fan_data`. Series named in `lines_only` (e.g. a
    plan, which does not vary) are drawn as a dashed median line without a band. `reference`
    draws a horizontal rule (e.g. a service-level target).
    """
    order = list(dict.fromkeys(data["series"]))
    fmt = ".0%" if percent else ",.1f"
    axis = alt.Axis(format="%") if percent else alt.Axis(format=",~f")
    # A legend only when there is more than one series (the title names a single one).
    legend = alt.Legend(orient="bottom", columns=3) if len(order) > 1 else None
    color = alt.Color(
        "series:N", sort=order, title=None, scale=alt.Scale(scheme="tableau10"), legend=legend
    )
    base = alt.Chart(data, title=title)
    x = _date_x(data["date"].nunique())
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("date:T", title="Month", format="%b %Y"),
        alt.Tooltip("p10:Q", title="P10", format=fmt),
        alt.Tooltip("p50:Q", title="P50 (median)", format=fmt),
        alt.Tooltip("p90:Q", title="P90", format=fmt),
    ]
    banded = ~alt.FieldOneOfPredicate(field="series", oneOf=list(lines_only))
    band = (
        base.transform_filter(banded)
        .mark_area(opacity=0.22)
        .encode(x=x, y=alt.Y("p10:Q", title=y_title, axis=axis), y2="p90:Q", color=color)
    )
    line = base.mark_line(strokeWidth=2).encode(
        x=x,
        y=alt.Y("p50:Q", title=y_title, axis=axis),
        color=color,
        strokeDash=alt.condition(
            alt.FieldOneOfPredicate(field="series", oneOf=list(lines_only)),
            alt.value([6, 4]),
            alt.value([1, 0]),
        ),
        tooltip=tooltip,
    )
    layers: list[Any] = [band, line]
    if reference is not None:
        rule = pd.DataFrame({"y": [reference], "label": [reference_label]})
        layers.append(
            alt.Chart(rule)
            .mark_rule(color="#888", strokeDash=[2, 2])
            .encode(y="y:Q", tooltip=alt.Tooltip("label:N", title="Reference"))
        )
    return alt.layer(*layers).properties(height=height)


# --- the recruitment pipeline -------------------------------------------------------------------

PIPELINE_STAGE_LABELS: dict[str, str] = {
    "approval": "1 Awaiting approval",
    "awaiting_recruiter": "2 Waiting for a recruiter",
    "advert": "3 Advertised",
    "sift_interview": "4 Sift and interview",
    "offer": "5 Offer made",
    "vetting": "6 Vetting",
    "notice": "7 Serving notice",
}
"""Each pipeline stage's monthly column suffix and a planner's name for it, in pipeline order."""


def pipeline_by_stage(monthly: pd.DataFrame) -> pd.DataFrame:
    """Mean vacancies in each recruitment stage at each month end, across replications.

    `monthly` is `monthly.parquet` (all pools) or one pool's rows from `pool_monthly`.
    Returns columns `date`, `stage`, `order`, `vacancies`.
    """
    frame = monthly
    columns = [f"pipeline_{s}" for s in PIPELINE_STAGES if f"pipeline_{s}" in frame]
    means = frame.groupby("month")[columns].mean().reset_index()
    dates = _month_dates(monthly)
    long = means.merge(dates, on="month").melt(
        id_vars=["month", "date"], var_name="column", value_name="vacancies"
    )
    stage = long["column"].str.removeprefix("pipeline_")
    long["stage"] = stage.map(PIPELINE_STAGE_LABELS)
    long["order"] = stage.map({s: i for i, s in enumerate(PIPELINE_STAGES)})
    return long[["date", "stage", "order", "vacancies"]]


def pipeline_chart(data: pd.DataFrame, *, height: int = 360) -> Chart:
    """Stacked areas: where vacancies are in the recruitment pipeline, month by month."""
    stages = [PIPELINE_STAGE_LABELS[s] for s in PIPELINE_STAGES]
    return (
        alt.Chart(data, title="Vacancies by recruitment stage (mean of futures, month ends)")
        .mark_area()
        .encode(
            x=_date_x(data["date"].nunique()),
            y=alt.Y("vacancies:Q", stack="zero", title="Vacancies"),
            color=alt.Color(
                "stage:N",
                sort=stages,
                title=None,
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(orient="bottom", columns=4),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("date:T", title="Month", format="%b %Y"),
                alt.Tooltip("vacancies:Q", title="Vacancies", format=",.1f"),
            ],
        )
        .properties(height=height)
    )


@dataclass(frozen=True)
class RecruitmentFlow:
    """What happens to 100 vacancies, expected from a scenario's pass rates, as a Sankey."""

    nodes: pd.DataFrame  # id, label ('|' breaks lines), column, kind
    links: pd.DataFrame  # source, target, value, kind
    stage_days: dict[str, float]  # mean days in each stage, from the scenario
    campaigns_per_hire: float


def recruitment_flow(scenario: Scenario, pool: str | None = None) -> RecruitmentFlow | None:
    """The expected flow of 100 vacancies through the pipeline (per pool, or all pools).

    From the scenario's rates: approval refusals, campaigns with no appointable candidate,
    declined offers and withdrawals in vetting each send the vacancy round again (re-advertised),
    so more campaigns run than there are vacancies. For all pools, vetting and notice are
    weighted by each pool's final planned establishment. None if no vacancy can ever be filled
    (e.g. no offer is ever accepted).
    """
    rec = scenario.recruitment
    pools = [p for p in scenario.staff_pools if pool is None or p.name == pool]
    weights = np.array([_final_establishment(p) for p in pools], dtype=float)
    weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(pools), 1 / len(pools))
    withdraw = float(sum(w * _vetting(rec, p)[1] for w, p in zip(weights, pools, strict=True)))
    vetting_days = float(sum(w * _vetting(rec, p)[0] for w, p in zip(weights, pools, strict=True)))
    notice_days = float(
        sum(w * p.joiner_notice_days.mean for w, p in zip(weights, pools, strict=True))
    )
    refuse, fail, accept = (
        rec.approval_refusal_rate,
        rec.campaign_failure_rate,
        rec.offer_acceptance,
    )
    if refuse >= 1 or fail >= 1 or accept <= 0 or withdraw >= 1:
        return None
    approved = 100 * (1 - refuse)
    cleared = approved  # every approved vacancy is filled in the end
    accepted = cleared / (1 - withdraw)
    offers = accepted / accept
    campaigns = offers / (1 - fail)
    rerun = campaigns - approved
    stage_days = {
        "Approval": rec.approval_days.mean,
        "Advert": rec.advert_days.mean,
        "Sift and interview": rec.sift_interview_days.mean,
        "Offer": rec.offer_days.mean,
        "Vetting": vetting_days,
        "Notice": notice_days,
    }
    nodes = [
        ("opened", f"Vacancies|opened|{100:.0f}", 0, "stage"),
        ("approved", f"Approved|{approved:.0f}", 1, "stage"),
        ("refused", f"Refused|(asked again|later)|{100 - approved:.0f}", 1, "loss"),
        ("rerun", f"Re-|advertised|{rerun:.0f}", 1, "rerun"),
        ("campaigns", f"Campaigns|(advert, sift,|interview)|{campaigns:.0f}", 2, "stage"),
        ("offers", f"Offers made|{offers:.0f}", 3, "stage"),
        ("no_candidate", f"No appoint-|able|candidate|{campaigns - offers:.0f}", 3, "loss"),
        ("accepted", f"Offers|accepted|{accepted:.0f}", 4, "stage"),
        ("declined", f"Offer|declined|{offers - accepted:.0f}", 4, "loss"),
        ("cleared", f"Cleared|vetting|{cleared:.0f}", 5, "stage"),
        ("withdrew", f"Withdrew|in vetting|{accepted - cleared:.0f}", 5, "loss"),
        ("started", f"Started|(after|notice)|{cleared:.0f}", 6, "stage"),
    ]
    links = [
        ("opened", "approved", approved, "flow"),
        ("opened", "refused", 100 - approved, "loss"),
        ("approved", "campaigns", approved, "flow"),
        ("rerun", "campaigns", rerun, "rerun"),
        ("campaigns", "offers", offers, "flow"),
        ("campaigns", "no_candidate", campaigns - offers, "loss"),
        ("offers", "accepted", accepted, "flow"),
        ("offers", "declined", offers - accepted, "loss"),
        ("accepted", "cleared", cleared, "flow"),
        ("accepted", "withdrew", accepted - cleared, "loss"),
        ("cleared", "started", cleared, "flow"),
    ]
    link_frame = pd.DataFrame(links, columns=["source", "target", "value", "kind"])
    link_frame = link_frame[link_frame["value"] > 0.05].reset_index(drop=True)
    used = set(link_frame["source"]) | set(link_frame["target"])
    node_frame = pd.DataFrame(nodes, columns=["id", "label", "column", "kind"])
    node_frame = node_frame[node_frame["id"].isin(used)].reset_index(drop=True)
    return RecruitmentFlow(node_frame, link_frame, stage_days, campaigns / approved)


def _final_establishment(pool: Any) -> int:
    return int(pool.headcount_plan[-1].headcount if pool.headcount_plan else pool.initial_headcount)


def _vetting(rec: Any, pool: Any) -> tuple[float, float]:
    if pool.vetting_level is None:
        return 0.0, 0.0
    level = rec.vetting_levels[pool.vetting_level]
    return float(level.duration_days.mean), float(level.withdrawal_rate)


_FLOW_COLOURS = {"flow": "#4c78a8", "loss": "#e45756", "rerun": "#f58518", "stage": "#3b3b3b"}


def sankey_chart(
    flow: RecruitmentFlow, *, title: str = "", height: int = 400, node_width: float = 0.04
) -> Chart:
    """A Sankey diagram of a `RecruitmentFlow`: band widths are numbers of vacancies.

    Blue bands carry vacancies towards a start; red bands leave the main path (the vacancy is
    re-advertised, or refused and asked for again later); the orange band is the re-advertised
    campaigns coming back in.
    """
    nodes, links = _sankey_layout(flow.nodes, flow.links, node_width)
    bands = _sankey_bands(nodes, links)
    kinds = {"flow": "On the way to a start", "loss": "Leaves this path", "rerun": "Re-advertised"}
    bands["meaning"] = bands["kind"].map(kinds)
    colour = alt.Color(
        "meaning:N",
        title=None,
        scale=alt.Scale(domain=list(kinds.values()), range=[_FLOW_COLOURS[k] for k in kinds]),
        legend=alt.Legend(orient="bottom"),
    )
    x_scale = alt.Scale(domain=[-0.02, nodes["column"].max() + 0.9], nice=False)
    y_scale = alt.Scale(domain=[0, 1], reverse=True, nice=False)
    band_layer = (
        alt.Chart(bands)
        .mark_area(opacity=0.45, interpolate="monotone")
        .encode(
            x=alt.X("x:Q", scale=x_scale, axis=None),
            y=alt.Y("y0:Q", scale=y_scale, axis=None),
            y2="y1:Q",
            detail="link:N",
            color=colour,
            tooltip=[
                alt.Tooltip("description:N", title="Flow"),
                alt.Tooltip("value:Q", title="Per 100 vacancies", format=".0f"),
            ],
        )
    )
    node_layer = (
        alt.Chart(nodes)
        .mark_rect(color=_FLOW_COLOURS["stage"])
        .encode(x="x0:Q", x2="x1:Q", y=alt.Y("y0:Q", scale=y_scale), y2="y1:Q")
    )
    text_layer = (
        alt.Chart(nodes)
        .mark_text(align="left", baseline="middle", dx=4, fontSize=11, lineBreak="|")
        .encode(x="x1:Q", y=alt.Y("ymid:Q", scale=y_scale), text="label:N")
    )
    return (
        alt.layer(band_layer, node_layer, text_layer, title=title)
        .properties(height=height)
        .configure_view(stroke=None)
    )


def _sankey_layout(
    nodes: pd.DataFrame, links: pd.DataFrame, node_width: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node boxes stacked in their columns, heights proportional to the vacancies through them."""
    nodes = nodes.copy()
    nodes["x0"] = nodes["column"].astype(float)
    nodes["x1"] = nodes["x0"] + node_width
    out_sum = links.groupby("source")["value"].sum()
    in_sum = links.groupby("target")["value"].sum()
    nodes["value"] = [max(out_sum.get(i, 0.0), in_sum.get(i, 0.0)) for i in nodes["id"]]
    totals = nodes.groupby("column")["value"].sum()
    counts = nodes.groupby("column")["id"].count()
    gap = 0.04
    scale = (1 - gap * (counts.max() - 1)) / totals.max()
    y = dict.fromkeys(totals.index, 0.0)
    y0s, y1s = [], []
    for column, value in zip(nodes["column"], nodes["value"], strict=True):
        y0s.append(y[column])
        y1s.append(y[column] + value * scale)
        y[column] = y1s[-1] + gap
    nodes["y0"], nodes["y1"] = y0s, y1s
    nodes["ymid"] = (nodes["y0"] + nodes["y1"]) / 2
    links = links.copy()
    links["width"] = links["value"] * scale
    return nodes, links


def _sankey_bands(nodes: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Each link as a smooth band from its source's right edge to its target's left edge."""
    box = {str(n["id"]): n for n in _records(nodes)}
    out_used = dict.fromkeys(box, 0.0)
    in_used = dict.fromkeys(box, 0.0)
    t = np.linspace(0, 1, 24)
    smooth = t * t * (3 - 2 * t)
    # Bands leave and enter each node in the vertical order of the nodes at their other end.
    ordered = sorted(
        _records(links), key=lambda k: (box[k["source"]]["ymid"], box[k["target"]]["ymid"])
    )
    rows = []
    for number, link in enumerate(ordered):
        src, dst = box[link["source"]], box[link["target"]]
        top_src = float(src["y0"]) + out_used[link["source"]]
        top_dst = float(dst["y0"]) + in_used[link["target"]]
        out_used[link["source"]] += float(link["width"])
        in_used[link["target"]] += float(link["width"])
        xs = float(src["x1"]) + t * (float(dst["x0"]) - float(src["x1"]))
        tops = top_src + smooth * (top_dst - top_src)
        description = f"{_plain(src['label'])} → {_plain(dst['label'])}"
        for x, top in zip(xs, tops, strict=True):
            rows.append(
                (number, x, top, top + link["width"], link["kind"], link["value"], description)
            )
    return pd.DataFrame(rows, columns=["link", "x", "y0", "y1", "kind", "value", "description"])


def _plain(label: str) -> str:
    """A node label on one line, without its count."""
    words = label.split("|")[:-1]
    return " ".join(words).replace("- ", "")


# --- money by financial year --------------------------------------------------------------------

MONEY_SERIES: dict[str, str] = {
    "staff_cost_gbp": "Staff cost",
    "contractor_cost_gbp": "Contractor cost",
    "savings_delivered_gbp": "Savings delivered",
    "savings_foregone_gbp": "Savings foregone",
}
"""Monthly money columns and their names in reports."""


def money_by_financial_year(monthly: pd.DataFrame) -> pd.DataFrame:
    """Costs and savings per UK financial year (April to March): mean, P10, P90 across futures.

    Returns columns `financial_year`, `measure`, `mean`, `p10`, `p90`, `months` (months of the
    year inside the run: a part year at either end is marked by fewer than 12).
    """
    frame = monthly.copy()
    frame["financial_year"] = [financial_year_label(d) for d in pd.to_datetime(frame["date"])]
    columns = [c for c in MONEY_SERIES if c in frame]
    per_rep = frame.groupby(["financial_year", "rep"])[columns].sum().reset_index()
    months = frame[frame["rep"] == frame["rep"].iloc[0]].groupby("financial_year")["month"].count()
    long = per_rep.melt(id_vars=["financial_year", "rep"], var_name="column", value_name="gbp")
    stats = (
        long.groupby(["financial_year", "column"])["gbp"]
        .agg(
            mean="mean",
            p10=lambda s: float(np.percentile(s, 10)),
            p90=lambda s: float(np.percentile(s, 90)),
        )
        .reset_index()
    )
    stats["measure"] = stats["column"].map(MONEY_SERIES)
    stats["months"] = stats["financial_year"].map(months).astype(int)
    order = {c: i for i, c in enumerate(MONEY_SERIES)}
    stats["order"] = stats["column"].map(order)
    stats = stats.sort_values(["financial_year", "order"])
    return stats[["financial_year", "measure", "mean", "p10", "p90", "months"]].reset_index(
        drop=True
    )


def money_chart(data: pd.DataFrame, *, height: int = 380) -> Chart:
    """Grouped bars per financial year (mean, £m) with P10-P90 whiskers."""
    frame = data.assign(
        mean_m=data["mean"] / 1e6,
        p10_m=data["p10"] / 1e6,
        p90_m=data["p90"] / 1e6,
        year=[
            fy if m == 12 else f"{fy} ({m} months)"
            for fy, m in zip(data["financial_year"], data["months"], strict=True)
        ],
    )
    measures = list(MONEY_SERIES.values())
    colours = ["#4c78a8", "#9ecae9", "#54a24b", "#e45756"]
    base = alt.Chart(
        frame, title="Costs and savings by financial year (£m; bars: mean, lines: P10 to P90)"
    )
    x = alt.X(
        "year:N",
        title=None,
        sort=list(dict.fromkeys(frame["year"])),
        axis=alt.Axis(labelAngle=0),
    )
    offset = alt.XOffset("measure:N", sort=measures)
    colour = alt.Color(
        "measure:N",
        sort=measures,
        title=None,
        scale=alt.Scale(domain=measures, range=colours),
        legend=alt.Legend(orient="bottom"),
    )
    tooltip = [
        alt.Tooltip("year:N", title="Financial year"),
        alt.Tooltip("measure:N", title="Measure"),
        alt.Tooltip("mean_m:Q", title="Mean (£m)", format=",.1f"),
        alt.Tooltip("p10_m:Q", title="P10 (£m)", format=",.1f"),
        alt.Tooltip("p90_m:Q", title="P90 (£m)", format=",.1f"),
    ]
    bars = base.mark_bar().encode(
        x=x, xOffset=offset, y=alt.Y("mean_m:Q", title="£ million"), color=colour, tooltip=tooltip
    )
    whiskers = base.mark_rule(color="#333").encode(x=x, xOffset=offset, y="p10_m:Q", y2="p90_m:Q")
    return alt.layer(bars, whiskers).properties(height=height)


def money_table(data: pd.DataFrame) -> pd.DataFrame:
    """Financial years as rows, measures as columns: 'mean (P10 to P90)' in £m."""
    frame = data.assign(
        text=[
            f"{m / 1e6:,.1f} ({lo / 1e6:,.1f} to {hi / 1e6:,.1f})"
            for m, lo, hi in zip(data["mean"], data["p10"], data["p90"], strict=True)
        ]
    )
    table = frame.pivot(index="financial_year", columns="measure", values="text")
    table = table[[m for m in MONEY_SERIES.values() if m in table.columns]]
    table.columns = [f"{c} £m" for c in table.columns]
    return table.reset_index().rename(columns={"financial_year": "Financial year"})


# --- comparing two scenarios --------------------------------------------------------------------

# Every KPI is compared except draws of uncertain inputs.
COMPARED_KPIS: tuple[str, ...] = tuple(k for k in KPI_NAMES if "input_draw" not in KPIS[k].groups)


def comparison_table(
    paired: pd.DataFrame, base_label: str = "Base", option_label: str = "Edited"
) -> pd.DataFrame:
    """Paired differences (from `sim.results.paired.paired_differences`) labelled for planners.

    'Clearly better' or 'clearly worse' means the 95% confidence interval of the paired
    difference excludes zero in that direction; otherwise 'no clear difference'.
    """
    rows = []
    by_kpi = {str(r["kpi"]): r for r in _records(paired)}
    for kpi in [k for k in COMPARED_KPIS if k in by_kpi]:
        r = by_kpi[kpi]
        rows.append(
            {
                "KPI": kpi_label(kpi),
                base_label: format_kpi(kpi, r["base_mean"]),
                option_label: format_kpi(kpi, r["option_mean"]),
                "Difference": format_difference(kpi, r["difference"]),
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

    KPIs have different units; relative change puts them on one axis. Green means better,
    red worse, grey no clear difference (the CI crosses zero).
    """
    rows = []
    by_kpi = {str(r["kpi"]): r for r in _records(paired)}
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
    colours = alt.Scale(
        domain=list(JUDGEMENTS),
        range=["#2e7d32", "#c62828", "#9e9e9e", "#bdbdbd", "#555555", "#555555", "#bdbdbd"],
    )
    base = alt.Chart(frame, title="Change against the base (relative to the base mean, 95% CI)")
    y = alt.Y("KPI:N", sort=None, title=None, axis=alt.Axis(labelLimit=320))
    points = base.mark_point(filled=True, size=70).encode(
        x=alt.X("change:Q", title="Change relative to the base", axis=alt.Axis(format="%")),
        y=y,
        color=alt.Color("verdict:N", scale=colours, title=None, legend=alt.Legend(orient="bottom")),
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
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#666").encode(x="x:Q")
    return alt.layer(zero, bars, points).properties(height=height or 26 * max(len(frame), 4))


def _or(value: float, fallback: float) -> float:
    return fallback if pd.isna(value) else value


# --- plans (previews of a scenario before it runs) ----------------------------------------------


def onboarding_plan(departments: list[dict[str, Any]]) -> pd.DataFrame:
    """Departments onboarded and their total demand weight, by date, from a scenario's data.

    Returns columns `date`, `series`, `value` for `plan_step_chart`.
    """
    rows = [
        (pd.Timestamp(str(d.get("onboarding_date"))[:10]), float(d.get("demand_weight", 1.0)))
        for d in departments
        if d.get("onboarding_date")
    ]
    frame = pd.DataFrame(rows, columns=["date", "weight"]).sort_values("date")
    by_date = frame.groupby("date").agg(count=("weight", "size"), weight=("weight", "sum"))
    cumulative = by_date.cumsum().reset_index()
    return pd.concat(
        [
            cumulative.assign(series="Departments onboarded", value=cumulative["count"]),
            cumulative.assign(series="Total demand weight", value=cumulative["weight"]),
        ],
        ignore_index=True,
    )[["date", "series", "value"]]


def headcount_plan(pools: list[dict[str, Any]], start_date: str | dt.date) -> pd.DataFrame:
    """Each pool's establishment by date (its initial headcount from the start), for charts.

    Returns columns `date`, `series`, `value` for `plan_step_chart`.
    """
    rows = []
    for pool in pools:
        name = str(pool.get("name", ""))
        rows.append((pd.Timestamp(str(start_date)[:10]), name, pool.get("initial_headcount", 0)))
        for step in pool.get("headcount_plan") or []:
            rows.append((pd.Timestamp(str(step["date"])[:10]), name, step["headcount"]))
    return pd.DataFrame(rows, columns=["date", "series", "value"])


def plan_step_chart(data: pd.DataFrame, *, title: str, y_title: str, height: int = 300) -> Chart:
    """Step lines of planned values over dates (a plan changes on its dates and then holds)."""
    return (
        alt.Chart(data, title=title)
        .mark_line(interpolate="step-after", point=True)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0)),
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(orient="bottom", columns=4),
            ),
            tooltip=[
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("date:T", title="From", format="%d %b %Y"),
                alt.Tooltip("value:Q", title="Value", format=",.1f"),
            ],
        )
        .properties(height=height)
    )


# --- files --------------------------------------------------------------------------------------


def save_chart(chart: Chart, path: str | Path, *, width: int = 720, scale: float = 2.0) -> Path:
    """Write a chart as PNG, SVG or self-contained HTML (by its suffix), with no browser.

    Charts made for the app stretch to their container; a file needs a `width` in pixels.
    """
    path = Path(path)
    chart = chart.properties(width=width)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".png":
        chart.save(str(path), scale_factor=scale)
    else:
        chart.save(str(path))
    return path
