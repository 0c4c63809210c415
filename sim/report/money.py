"""Costs and savings by UK financial year (April to March): a table and a chart."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from sim.model.calendar import financial_year_label
from sim.report.chart_common import SERIES_COLOURS, Chart, describe, number_text, number_tooltips

__all__ = ["MONEY_SERIES", "money_by_financial_year", "money_chart", "money_table"]

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
    colours = SERIES_COLOURS[: len(measures)]
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
        *number_tooltips(",.1f", {"mean_m": "Mean (£m)", "p10_m": "P10 (£m)", "p90_m": "P90 (£m)"}),
    ]
    bars = base.mark_bar().encode(
        x=x, xOffset=offset, y=alt.Y("mean_m:Q", title="£ million"), color=colour, tooltip=tooltip
    )
    whiskers = base.mark_rule(color="#333").encode(x=x, xOffset=offset, y="p10_m:Q", y2="p90_m:Q")
    return describe(alt.layer(bars, whiskers).properties(height=height), _money_description(frame))


def _money_description(frame: pd.DataFrame) -> str:
    """Each financial year's means, in £ million."""
    years = [
        f"{year}: "
        + ", ".join(
            f"{measure.lower()} {number_text(m)}"
            for measure, m in zip(rows["measure"], rows["mean_m"], strict=True)
        )
        for year, rows in frame.groupby("year", sort=False)
    ]
    return (
        "Costs and savings by financial year, £ million, mean of simulated futures (P10 to P90 "
        "in the table). " + "; ".join(years) + "."
    )


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
