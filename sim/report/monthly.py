"""Month by month: fan charts of the monthly series, the catalogue of them, and the chance that
capability has been outrun by each month.

`MONTHLY_CHARTS` is the one list of monthly fan charts: the app's results page and the HTML report
draw it, and the app's comparison overlays the charts marked `overlay`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from sim.report.chart_common import (
    Chart,
    date_x,
    describe,
    legend_colour,
    month_dates,
    month_text,
    month_tooltip,
    number_text,
    number_tooltips,
    series_tooltip,
)
from sim.results.outrun import WHOLE
from sim.results.summary import monthly_bands

__all__ = [
    "MONTHLY_CHARTS",
    "OBSERVED",
    "OBSERVED_COLOUR",
    "MonthlyChart",
    "fan_chart",
    "fan_data",
    "monthly_chart",
    "observed_fan_data",
    "outrun_by_month",
    "outrun_chart",
    "overlay_chart",
    "overlay_fan_data",
    "pool_monthly",
]

# --- the verdict over time ---------------------------------------------------------------------


def outrun_by_month(kpis: pd.DataFrame, pools: pd.DataFrame, monthly: pd.DataFrame) -> pd.DataFrame:
    """Share of futures in which capability has been outrun by each month, per scope.

    Columns: `date`, `month`, `scope`, `probability` (cumulative, from 0 to the final verdict).
    """
    months = month_dates(monthly)
    parts = [_cumulative(WHOLE, kpis["outrun_month"], len(kpis), months)]
    for pool, rows in pools.groupby("pool", sort=False):
        parts.append(_cumulative(str(pool), rows["outrun_month"], len(rows), months))
    return pd.concat(parts, ignore_index=True)


def _cumulative(scope: str, starts: pd.Series, n: int, months: pd.DataFrame) -> pd.DataFrame:
    found = pd.to_numeric(starts, errors="coerce").dropna().to_numpy(dtype=float)
    share = [(found <= m).sum() / n if n else math.nan for m in months["month"]]
    return months.assign(scope=scope, probability=share)


def outrun_chart(data: pd.DataFrame, *, height: int = 340) -> Chart:
    """Step lines: chance that capability has been outrun by each month, one line per scope."""
    scopes = list(dict.fromkeys(data["scope"]))
    chart = (
        alt.Chart(data, title="Chance that demand has outrun capability, by month")
        .mark_line(interpolate="step-after", strokeWidth=2)
        .encode(
            x=date_x(data["date"].nunique()),
            y=alt.Y(
                "probability:Q",
                title="Share of simulated futures",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=legend_colour("scope", scopes),
            strokeDash=alt.condition(
                alt.datum.scope == WHOLE, alt.value([1, 0]), alt.value([5, 3])
            ),
            tooltip=series_tooltip("scope", "Scope", "probability", "Chance", ".0%", month="By"),
        )
        .properties(height=height)
    )
    return describe(chart, _outrun_description(data))


def _outrun_description(data: pd.DataFrame) -> str:
    """The chance at the end for each scope, and when CCS as a whole first passes one half."""
    if data.empty:
        return "Chance that demand has outrun capability: no months to show."
    last = data["date"].max()
    ends = [
        f"{scope} {number_text(rows['probability'].iloc[-1], percent=True)}"
        for scope, rows in data.sort_values("date").groupby("scope", sort=False)
    ]
    text = (
        f"Chance that demand has outrun capability, {month_text(data['date'].min())} to "
        f"{month_text(last)}, share of simulated futures. By {month_text(last)}: "
        + ", ".join(ends)
        + "."
    )
    whole = data[(data["scope"] == WHOLE) & (data["probability"] >= 0.5)]
    if len(whole):
        text += f" For {WHOLE} it passes one half in {month_text(whole['date'].min())}."
    return text


# --- fan charts ---------------------------------------------------------------------------------


def fan_data(monthly: pd.DataFrame, series: dict[str, str]) -> pd.DataFrame:
    """P10/P50/P90 of monthly series across replications, in long form for `fan_chart`.

    `series` maps a column of `monthly` (e.g. 'backlog') to the name shown in the legend.
    Returns columns `month`, `date`, `series`, `p10`, `p50`, `p90`, `mean`.
    """
    columns = [c for c in series if c in monthly]
    bands = monthly_bands(monthly, columns)
    dates = month_dates(monthly)
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
    return frame.merge(month_dates(monthly), on="month", how="left")


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
    observed: pd.DataFrame | None = None,
    height: int = 330,
) -> Chart:
    """A fan chart: the P10-P90 band of each series shaded, its median (P50) as a line.

    `data` comes from `fan_data` or `overlay_fan_data`. Series named in `lines_only` (e.g. a
    plan, which does not vary) are drawn as a dashed median line without a band. `reference`
    draws a horizontal rule (e.g. a service-level target). `observed` (`observed_fan_data`:
    `series`, `date`, `observed`) draws what was observed over the fan, as dark points of a
    shape per series joined by a thin line, named in a legend of its own (not by colour alone);
    the tooltip, the table view and the description give the observed values too.
    """
    if observed is not None and len(observed):
        keys = ["series", "date"]
        data = data.merge(observed[[*keys, "observed"]], on=keys, how="left")
    else:
        observed = None
    fmt = ".0%" if percent else ",.1f"
    axis = alt.Axis(format="%") if percent else alt.Axis(format=",~f")
    x = date_x(data["date"].nunique())
    y = {"title": y_title, "axis": axis}
    layers = _fan_layers(alt.Chart(data, title=title), data, x, y, lines_only, fmt)
    if observed is not None:
        layers += _observed_layers(_observed_labels(observed), x, y, fmt)
    if reference is not None:
        rule = pd.DataFrame({"y": [reference], "label": [reference_label]})
        layers.append(
            alt.Chart(rule)
            .mark_rule(color="#505a5f", strokeDash=[2, 2])
            .encode(y="y:Q", tooltip=alt.Tooltip("label:N", title="Reference"))
        )
    text = _fan_description(data, title, percent, lines_only)
    if observed is not None:
        text += " " + _observed_description(observed, percent)
    if reference is not None:
        text += f" {reference_label or 'Reference'}: {number_text(reference, percent=percent)}."
    return describe(alt.layer(*layers).properties(height=height), text)


def _fan_layers(
    base: alt.Chart,
    data: pd.DataFrame,
    x: alt.X,
    y: dict[str, Any],
    lines_only: tuple[str, ...],
    fmt: str,
) -> list[Any]:
    """The bands (P10-P90) and the median lines; the lines carry the tooltip (and so the numbers
    of the table view), with the observed value beside the percentiles when there is one."""
    order = list(dict.fromkeys(data["series"]))
    # A legend only when there is more than one series (the title names a single one).
    color = legend_colour("series", order, legend=len(order) > 1)
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        month_tooltip(),
        *number_tooltips(fmt, {"p10": "P10", "p50": "P50 (median)", "p90": "P90"}),
    ]
    if "observed" in data:
        tooltip.append(alt.Tooltip("observed:Q", title=OBSERVED, format=fmt))
    plan = alt.FieldOneOfPredicate(field="series", oneOf=list(lines_only))
    band = (
        base.transform_filter(~plan)
        .mark_area(opacity=0.22)
        .encode(x=x, y=alt.Y("p10:Q", **y), y2="p90:Q", color=color)
    )
    line = base.mark_line(strokeWidth=2).encode(
        x=x,
        y=alt.Y("p50:Q", **y),
        color=color,
        strokeDash=alt.condition(plan, alt.value([6, 4]), alt.value([1, 0])),
        tooltip=tooltip,
    )
    return [band, line]


OBSERVED = "Observed (actuals)"
OBSERVED_COLOUR = "#0b0c0c"  # near black: at least 4.5:1 against white and against each band
OBSERVED_SHAPES = ["diamond", "square", "triangle-up", "cross"]


def observed_fan_data(
    observed: pd.DataFrame, series: dict[str, str], monthly: pd.DataFrame, pool: str = ""
) -> pd.DataFrame:
    """Observations (`sim.results.actuals.read_actuals`) of one scope (`pool`, '' for CCS as a
    whole) for a fan of `series` (a column of `monthly` -> its legend name): `series`, `date`,
    `observed`."""
    from sim.results.actuals import ACTUAL_SERIES

    rows = observed[observed["pool"] == pool]
    column = rows["series"].map(lambda s: ACTUAL_SERIES[s][0])
    rows = rows[column.isin(list(series))].assign(series=column.map(series))
    dates = month_dates(monthly).rename(columns={"month": "month_index"})
    found = rows.merge(dates, on="month_index", how="inner")
    return found[["series", "date", "observed"]].reset_index(drop=True)


def _observed_labels(observed: pd.DataFrame) -> pd.DataFrame:
    return observed.assign(label="Observed: " + observed["series"].astype(str))


def _observed_layers(observed: pd.DataFrame, x: alt.X, y: dict[str, Any], fmt: str) -> list[Any]:
    """What was observed: a thin dark line through dark points, a shape per series."""
    base = alt.Chart(observed)
    labels = list(dict.fromkeys(observed["label"]))
    shape = alt.Shape(
        "label:N",
        sort=labels,
        title=None,
        scale=alt.Scale(domain=labels, range=OBSERVED_SHAPES[: len(labels)]),
        legend=alt.Legend(orient="bottom", columns=1, labelLimit=0),  # the whole name
    )
    y_obs = alt.Y("observed:Q", **y)
    tooltip = series_tooltip("label", "Series", "observed", "Observed", fmt)
    line = base.mark_line(color=OBSERVED_COLOUR, strokeWidth=1).encode(
        x=x, y=y_obs, detail="label:N"
    )
    points = base.mark_point(color=OBSERVED_COLOUR, filled=True, size=70, opacity=1).encode(
        x=x, y=y_obs, shape=shape, tooltip=tooltip
    )
    return [line, points]


def _observed_description(observed: pd.DataFrame, percent: bool) -> str:
    """Every observed value, by series and month."""
    parts = []
    for series, rows in observed.sort_values("date").groupby("series", sort=False):
        values = ", ".join(
            f"{number_text(v, percent=percent)} in {month_text(d)}"
            for d, v in zip(rows["date"], rows["observed"], strict=True)
        )
        parts.append(f"{OBSERVED} of {series} (dark points): {values}.")
    return " ".join(parts)


def _fan_description(
    data: pd.DataFrame, title: str, percent: bool, lines_only: tuple[str, ...]
) -> str:
    """Per series: the median at the start and the end, its peak, and the band at the end."""
    if data.empty:
        return f"{title}: no months to show."
    parts = [
        f"{title}, {month_text(data['date'].min())} to {month_text(data['date'].max())}: "
        "median (P50) and P10 to P90 of simulated futures."
    ]
    for series, rows in data.sort_values("date").groupby("series", sort=False):
        first, last = rows.iloc[0], rows.iloc[-1]
        peak = rows.sort_values("p50", ascending=False, kind="stable").iloc[0]
        text = (
            f"{series}: median {number_text(first['p50'], percent=percent)} in "
            f"{month_text(first['date'])}, {number_text(last['p50'], percent=percent)} in "
            f"{month_text(last['date'])}, highest {number_text(peak['p50'], percent=percent)} "
            f"in {month_text(peak['date'])}"
        )
        if series not in lines_only:
            text += (
                f"; P10 to P90 at the end {number_text(last['p10'], percent=percent)} to "
                f"{number_text(last['p90'], percent=percent)}"
            )
        parts.append(text + ".")
    return " ".join(parts)


# --- the catalogue of monthly charts ------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyChart:
    """One fan chart of monthly series: which columns, their legend names and the titles.

    `plan` names series drawn as a dashed line without a band (a plan does not vary);
    `target_line` draws the service-level target; `whole_only` charts a CCS-wide series even
    when one staff pool is shown; `overlay` marks the charts a comparison overlays (its first
    series, one fan per run).
    """

    series: dict[str, str]
    title: str
    y_title: str
    percent: bool = False
    plan: tuple[str, ...] = ()
    target_line: bool = False
    whole_only: bool = False
    overlay: bool = False

    def drawable(self, monthly: pd.DataFrame) -> bool:
        """Whether `monthly` has every column this chart needs."""
        return all(column in monthly for column in self.series)

    def _options(self, target: float) -> dict[str, Any]:
        options: dict[str, Any] = {"title": self.title, "y_title": self.y_title}
        if self.percent:
            options["percent"] = True
        if self.target_line:
            options |= {"reference": target, "reference_label": f"Target {target:.0%}"}
        if self.plan:
            options["lines_only"] = tuple(self.series[c] for c in self.plan)
        return options


MONTHLY_CHARTS: tuple[MonthlyChart, ...] = (
    MonthlyChart(
        {"effective_fte": "Effective staff", "demand_fte": "Demand (work arriving)"},
        "Effective staff against demand",
        "Full-time equivalents",
        overlay=True,
    ),
    MonthlyChart(
        {"backlog": "Backlog"},
        "Backlog: requests waiting for work to start",
        "Requests",
        overlay=True,
    ),
    MonthlyChart(
        {"mean_wait_days": "Mean wait"},
        "Waiting time of requests started each month",
        "Days (mean)",
    ),
    MonthlyChart(
        {"sla_attainment": "Completed within target"},
        "Service level: completed within target",
        "Share of requests completed",
        percent=True,
        target_line=True,
        overlay=True,
    ),
    MonthlyChart(
        {"headcount_in_post": "Headcount in post", "establishment": "Plan (establishment)"},
        "Headcount in post against plan",
        "People",
        plan=("establishment",),
        overlay=True,
    ),
    MonthlyChart(
        {"departments_onboarded": "Departments onboarded"},
        "Departments onboarded (all of CCS)",
        "Departments",
        whole_only=True,
    ),
)
"""Every monthly fan chart of a run, in the order the app and the report show them."""


def monthly_chart(
    spec: MonthlyChart,
    monthly: pd.DataFrame,
    target: float,
    observed: pd.DataFrame | None = None,
    pool: str = "",
) -> Chart:
    """A run's fan chart for one catalogue entry (`target`: the service-level target), with what
    was observed of its series over it (`observed`: actuals as `read_actuals` gives them, of the
    scope `monthly` covers: `pool`, or '' for CCS as a whole)."""
    options = spec._options(target)
    if observed is not None:
        scope = "" if spec.whole_only else pool
        options["observed"] = observed_fan_data(observed, spec.series, monthly, scope)
    return fan_chart(fan_data(monthly, spec.series), **options)


def overlay_chart(spec: MonthlyChart, runs: dict[str, pd.DataFrame], target: float) -> Chart:
    """Several runs' fans of one catalogue entry's first series (e.g. base against option)."""
    column = next(iter(spec.series))
    options = spec._options(target) | {"title": spec.series[column], "lines_only": ()}
    return fan_chart(overlay_fan_data(runs, column), **options)
