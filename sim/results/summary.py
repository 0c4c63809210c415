"""Across replications: means with confidence intervals, P10/P50/P90, probabilities, bands.

Means use a t-based 95% interval over replications (each replication is one independent
observation). Probabilities (a share of replications, e.g. of outrunning capability) use the
Wilson score interval, which stays inside [0, 1] and behaves at 0% and 100%.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from sim.results.kpis import kpi_info

__all__ = [
    "SUMMARY_COLUMNS",
    "mean_ci",
    "month_percentiles",
    "monthly_bands",
    "summarise_kpis",
    "wilson_interval",
]

SUMMARY_COLUMNS = ("kpi", "n", "mean", "ci_low", "ci_high", "p10", "p50", "p90")


def mean_ci(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-based confidence interval (NaN bounds with fewer than two values)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf((1 + confidence) / 2, len(values) - 1)) * float(
        values.std(ddof=1) / math.sqrt(len(values))
    )
    return mean, mean - half, mean + half


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion."""
    if n == 0:
        return math.nan, math.nan
    z = float(stats.norm.ppf((1 + confidence) / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def month_percentiles(months: np.ndarray) -> tuple[float, float, float]:
    """P10, P50 and P90 of months of the run (0-based), each a month that some future had.

    The one rule for a month from a percentile: the inverted empirical distribution function
    (the smallest observed month with at least q of the futures at or before it), so the median
    of months 20 and 22 is month 20, never the non-month 21.0 or a rounding of it.
    """
    months = np.asarray(months, dtype=float)
    months = months[~np.isnan(months)]
    if len(months) == 0:
        return math.nan, math.nan, math.nan
    p10, p50, p90 = np.percentile(months, [10, 50, 90], method="inverted_cdf")
    return float(p10), float(p50), float(p90)


def _percentiles(column: str, finite: np.ndarray) -> tuple[float, float, float]:
    if len(finite) == 0:
        return math.nan, math.nan, math.nan
    if kpi_info(column).kind == "month":
        return month_percentiles(finite)
    p10, p50, p90 = np.percentile(finite, [10, 50, 90])
    return float(p10), float(p50), float(p90)


def summarise_kpis(kpis: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI column: n, mean, 95% CI and P10/P50/P90 across replications."""
    rows = []
    for column in kpis.columns:
        if column in ("rep", "seed", "error"):
            continue
        series = kpis[column]
        if series.dtype == bool:
            flags = series.astype(bool).to_numpy()
            low, high = wilson_interval(int(flags.sum()), len(flags))
            values = flags.astype(float)
            mean = float(values.mean()) if len(values) else math.nan
        else:
            values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
            mean, low, high = mean_ci(values)
        finite = values[~np.isnan(values)]
        p10, p50, p90 = _percentiles(str(column), finite)
        rows.append((column, len(finite), mean, low, high, p10, p50, p90))
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def monthly_bands(monthly: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """P10/P50/P90 and mean of each monthly series across replications, by month."""
    numeric = [
        c
        for c in (columns or monthly.columns)
        if c not in ("rep", "seed", "month", "date") and pd.api.types.is_numeric_dtype(monthly[c])
    ]
    grouped = monthly.groupby("month")[numeric]
    parts = {
        "p10": grouped.quantile(0.1),
        "p50": grouped.quantile(0.5),
        "p90": grouped.quantile(0.9),
        "mean": grouped.mean(),
    }
    frame = pd.concat(parts, axis=1)
    frame.columns = [f"{pair[1]}_{pair[0]}" for pair in frame.columns.to_list()]
    return frame.reset_index()
