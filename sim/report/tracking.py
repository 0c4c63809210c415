"""A forecast against actuals, as the app and the report show it: the coverage table's cells (as
`ccs-sim track` prints them) and a fan of each observed series that the monthly charts
(`MONTHLY_CHARTS`) do not already draw, with the observed values over it.

The numbers are `sim.results.actuals.Tracking`'s, the one result `ccs-sim track` prints too.
"""

from __future__ import annotations

import pandas as pd

from sim.report.chart_common import Chart
from sim.report.monthly import (
    MONTHLY_CHARTS,
    fan_chart,
    fan_data,
    observed_fan_data,
    pool_monthly,
)
from sim.results.actuals import ACTUAL_SERIES, Tracking

__all__ = [
    "COVERAGE_HEADERS",
    "coverage_rows",
    "drawn_with_monthly_charts",
    "own_fan_chart",
    "own_fans",
]

COVERAGE_HEADERS = [
    "Series",
    "Pool",
    "Months observed",
    "Inside P10-P90",
    "Inside P5-P95",
    "Months outside P10-P90",
]


def coverage_rows(found: Tracking) -> list[list[str]]:
    """The coverage table's cells, as `ccs-sim track` prints them (shares as whole percentages)."""
    return [
        [
            str(row["series"]),
            str(row["pool"]),
            str(row["months"]),
            f"{row['inside_p10_p90']:.0%}",
            f"{row['inside_p5_p95']:.0%}",
            str(row["months_outside_p10_p90"]) or "none",
        ]
        for row in found.summary.to_dict("records")
    ]


def drawn_with_monthly_charts(series: str) -> bool:
    """Whether an actuals series (a column of the file) is drawn over one of `MONTHLY_CHARTS`."""
    return any(ACTUAL_SERIES[series][0] in spec.series for spec in MONTHLY_CHARTS)


def own_fans(found: Tracking) -> list[str]:
    """The observed series that no monthly chart shows, in the order of `ACTUAL_SERIES`."""
    observed = set(found.observed["series"])
    return [s for s in ACTUAL_SERIES if s in observed and not drawn_with_monthly_charts(s)]


def own_fan_chart(
    found: Tracking, series: str, monthly: pd.DataFrame, monthly_by_pool: pd.DataFrame
) -> Chart:
    """One observed series' fan with its observations over it: for CCS as a whole if it was
    observed so, else for the first pool it was observed for."""
    column, what = ACTUAL_SERIES[series]
    pools = found.observed.loc[found.observed["series"] == series, "pool"]
    pool = "" if (pools == "").any() else str(pools.iloc[0])
    source = pool_monthly(monthly, monthly_by_pool, pool) if pool else monthly
    label = series.replace("_", " ").capitalize()
    return fan_chart(
        fan_data(source, {column: label}),
        title=f"{label} ({pool or 'CCS as a whole'}): forecast and observed",
        y_title=what[0].upper() + what[1:],
        percent=series == "service_level",
        observed=observed_fan_data(found.observed, {column: label}, source, pool),
    )
