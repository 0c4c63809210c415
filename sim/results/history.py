"""The public record of 2014-16 as a check: does the model, run as CCS was run, agree with it?

`scenarios/history_2014_16.yaml` is the 2014 plan with the responses actually taken. Each
`HistoryTarget` states one fact of the record, its source, the statistic of the replications
compared with it and the band accepted (docs/calibration.md §5). `run_history_checks` runs the
scenario and returns one `HistoryCheck` per target, pass or fail: the report's validation
section shows them beside the queueing-theory checks, and `tests/test_history.py` asserts them.
A target the model cannot meet is reported as failing, never widened to pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.results.replication import run_replication
from sim.scenario.files import load_scenario

__all__ = [
    "HISTORY_SCENARIO",
    "HISTORY_TARGETS",
    "HistoryCheck",
    "HistoryTarget",
    "run_history_checks",
]

HISTORY_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "history_2014_16.yaml"


@dataclass(frozen=True)
class HistoryTarget:
    """One fact of the record, the statistic that is compared with it, and the band accepted."""

    name: str
    record: str
    source: str
    band: str
    statistic: Callable[[pd.DataFrame], tuple[float, str]]  # (value checked, as shown)
    accepts: Callable[[float], bool]


@dataclass(frozen=True)
class HistoryCheck:
    """One target's outcome."""

    target: str
    record: str
    source: str
    band: str
    simulated: str
    passed: bool


def _share_trouble_in_first_quarter(kpis: pd.DataFrame) -> tuple[float, str]:
    months = pd.to_numeric(kpis["first_service_miss_month"], errors="coerce")
    share = float((months <= 3).mean())
    median = months.median()
    shown = f"{share:.0%} of replications (median first miss: month {median:g})"
    return share, shown


def _departments_band(kpis: pd.DataFrame) -> tuple[float, str]:
    moved = kpis["departments_onboarded_month_24"].to_numpy(dtype=float)
    p10, p50, p90 = np.percentile(moved, [10, 50, 90])
    contains = 1.0 if p10 <= 7 <= p90 else 0.0
    return contains, f"P10 {p10:g}, P50 {p50:g}, P90 {p90:g} of 17"


def _hires(kpis: pd.DataFrame) -> tuple[float, str]:
    mean = float(kpis["hires_first_6_months"].mean())
    return mean, f"mean {mean:.0f}"


def _headcount_ratio(kpis: pd.DataFrame) -> tuple[float, str]:
    ratio = kpis["headcount_month_24"] / kpis["establishment_month_24"]
    median = float(ratio.median())
    head = float(kpis["headcount_month_24"].median())
    posts = float(kpis["establishment_month_24"].median())
    return median, f"median {head:.0f} in post of {posts:.0f} posts ({median:.0%})"


def _vacancy_share(kpis: pd.DataFrame) -> tuple[float, str]:
    median = float(kpis["vacancy_and_interim_share_month_24"].median())
    return median, f"median {median:.1%}"


HISTORY_TARGETS: tuple[HistoryTarget, ...] = (
    HistoryTarget(
        "First sign of trouble",
        "A review one month after launch found CCS promising more than it could provide; new "
        "transitions were suspended (May 2014)",
        "PAC HC 889 para 9 (S3); NAO HC 786 paras 1.20-1.24 (S2b)",
        "first month whose arrivals miss the service target (any pool) is in months 0-3 in "
        "more than half of the replications",
        _share_trouble_in_first_quarter,
        lambda share: share > 0.5,
    ),
    HistoryTarget(
        "Departments moved by April 2016",
        "7 of 17 departments (£2.5bn of £13.4bn)",
        "NAO HC 786 paras 1.25-1.27 (S2c); PAC HC 889 (S3)",
        "P10 to P90 of departments moved at month 24 contains 7",
        _departments_band,
        lambda contains: contains == 1.0,
    ),
    HistoryTarget(
        "External hires in the first months",
        "118 external recruitments",
        "NAO 2014, para 1.19 (S5; report title unconfirmed)",
        "mean hires in months 0-5 between 59 and 236 (the same order: a factor of 2 either way)",
        _hires,
        lambda mean: 59 <= mean <= 236,
    ),
    HistoryTarget(
        "Headcount against the plan",
        "Headcount stayed well short of the planned 1,030",
        "NAO HC 786 paras 1.25-1.27 (S2c); PAC HC 889 (S3)",
        "median headcount in post at month 24 below 90% of that month's posts",
        _headcount_ratio,
        lambda ratio: ratio < 0.90,
    ),
    HistoryTarget(
        "Vacancies and interims",
        "About 10% of procurement posts vacant (2008); vacancies plus interims 15% in some "
        "departments (2016)",
        "NAO HC 962 (C1); Civil Service World, May 2016, citing the PAC (C3)",
        "median share of posts vacant or held by an interim at month 24 between 8% and 20%",
        _vacancy_share,
        lambda share: 0.08 <= share <= 0.20,
    ),
)


def run_history_checks(reps: int = 12, seed: int = 2014) -> list[HistoryCheck]:
    """Run the history scenario `reps` times and check every target of the record."""
    scenario = load_scenario(HISTORY_SCENARIO)
    kpis = pd.DataFrame([run_replication(scenario, seed, rep).kpis for rep in range(reps)])
    return [check_target(target, kpis) for target in HISTORY_TARGETS]


def check_target(target: HistoryTarget, kpis: pd.DataFrame) -> HistoryCheck:
    """One target checked against the KPIs of the history runs."""
    value, shown = target.statistic(kpis)
    return HistoryCheck(
        target.name, target.record, target.source, target.band, shown, target.accepts(value)
    )
