"""Previews of a scenario before it runs: the onboarding plan and the headcount plan by date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import pandas as pd

from sim.report.chart_common import SERIES_COLOURS, Chart, describe, number_text

__all__ = ["headcount_plan", "onboarding_plan", "plan_step_chart"]

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
    chart = (
        alt.Chart(data, title=title)
        .mark_line(interpolate="step-after", point=True)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0)),
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(range=SERIES_COLOURS),
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
    return describe(chart, _plan_description(data, title))


def _plan_description(data: pd.DataFrame, title: str) -> str:
    """Each series: its first and last planned value, with their dates."""
    parts = []
    for series, rows in data.sort_values("date").groupby("series", sort=False):
        first, last = rows.iloc[0], rows.iloc[-1]
        parts.append(
            f"{series}: {number_text(first['value'])} from {first['date']:%d %B %Y}, "
            f"{number_text(last['value'])} from {last['date']:%d %B %Y}"
            f" ({len(rows)} steps)"
        )
    return f"{title}, a plan by date. " + ("; ".join(parts) or "Nothing planned") + "."
