"""Paired comparisons between scenarios run with common random numbers.

Replication `rep` of every scenario run with the same seed draws the same arrivals, efforts and
values (see sim/model/streams.py), so the difference between two scenarios is measured replication
by
replication: the paired differences have far less noise than the difference of two means.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.results.kpis import kpi_info
from sim.results.summary import mean_ci

__all__ = ["paired_differences"]


def paired_differences(base: pd.DataFrame, option: pd.DataFrame) -> pd.DataFrame:
    """Per KPI: both means, the mean paired difference (option - base) with its 95% CI, and the
    share of replications in which the option is better (where 'better' has a direction)."""
    merged = base.merge(option, on="rep", suffixes=("_base", "_option"))
    if merged.empty:
        raise ValueError("the two runs share no replication numbers to pair")
    rows = []
    for kpi in [c for c in base.columns if c not in ("rep", "seed")]:
        if f"{kpi}_option" not in merged:
            continue
        a = pd.to_numeric(merged[f"{kpi}_base"], errors="coerce").to_numpy(dtype=float)
        b = pd.to_numeric(merged[f"{kpi}_option"], errors="coerce").to_numpy(dtype=float)
        diff = b - a
        mean, low, high = mean_ci(diff)
        rows.append(
            {
                "kpi": kpi,
                "n_pairs": int((~np.isnan(diff)).sum()),
                # Replications with a value on each side: a KPI some futures lack (the month a
                # shortfall starts) is differenced only where both have it, and says so.
                "n_base": int((~np.isnan(a)).sum()),
                "n_option": int((~np.isnan(b)).sum()),
                "base_mean": float(np.nanmean(a)) if (~np.isnan(a)).any() else math.nan,
                "option_mean": float(np.nanmean(b)) if (~np.isnan(b)).any() else math.nan,
                "difference": mean,
                "ci_low": low,
                "ci_high": high,
                "better": _direction(kpi),
                "p_option_better": _share_better(kpi, diff),
            }
        )
    return pd.DataFrame(rows)


def _direction(kpi: str) -> str:
    return kpi_info(kpi).better


def _share_better(kpi: str, diff: np.ndarray) -> float:
    diff = diff[~np.isnan(diff)]
    if len(diff) == 0 or not _direction(kpi):
        return math.nan
    better = diff > 0 if _direction(kpi) == "higher" else diff < 0
    return float(better.mean())
