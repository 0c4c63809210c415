"""Scenario builders for the tests: a plain M/M/c base with every feature off, and dotted edits.

`base_data` is the scenario as plain data with every mechanism switched off: one department
onboarded on the start date, one request type with exponential effort, no seasonality, growth,
demand uncertainty, patience, attrition, plan, ramp-up, contractors or policies, and a working
year of 365.25 days so that one person-day of effort is one calendar day of one person's time.
Tests switch features on with dotted paths (`"staff_pools.0.attrition_rate_per_year": 0.2`).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import numpy as np

from sim.model.simulation import RawRun, simulate_raw
from sim.results.theory import mmc_data
from sim.scenario.files import parse_scenario
from sim.scenario.schema import Scenario

START_DATE = dt.date(2024, 4, 1)
DAYS_PER_MONTH = 365.25 / 12


def base_data(
    *,
    staff: int = 1,
    arrivals_per_month: float = 10.0,
    mean_effort_days: float = 1.0,
    horizon_months: int = 12,
    warmup_days: float = 0.0,
) -> dict[str, Any]:
    """A scenario as plain data with every feature off (an M/M/c queue), every switch explicit."""
    data = mmc_data(
        staff,
        arrivals_per_month / DAYS_PER_MONTH,
        mean_effort_days=mean_effort_days,
        horizon_months=horizon_months,
        warmup_days=warmup_days,
        sla_target_days=30.0,
        start_date=START_DATE.isoformat(),
        names=("dept", "work", "staff"),
    )
    data["name"] = "test"
    data["demand"]["request_types"][0]["min_elapsed_days"] = 0.0
    data["demand"] |= {"seasonality_by_month": [1.0] * 12, "multiplier": 1.0, "patience_days": None}
    data["staff_pools"][0] |= {
        "headcount_plan": [],
        "attrition_rate_per_year": 0.0,
        "non_productive_share": 0.0,
        "cases_per_person": 1,
        "ramp_up": {"start_productivity": 1.0, "weeks_to_full": 0.0},
    }
    data["recruitment"] = {}
    data["contractors"] = {"cover_vacancies": False}
    data["policies"] = {
        "pause_onboarding": {"enabled": False},
        "surge_contractors": {"enabled": False},
    }
    return data


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set `data[a][b][0][c] = value` for the dotted path `a.b.0.c` (list items by index).

    Missing mappings on the way are created.
    """
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def build(data: dict[str, Any], changes: dict[str, Any] | None = None) -> Scenario:
    """Validate `data` (a copy, with dotted `changes` applied) into a Scenario."""
    data = copy.deepcopy(data)
    for path, value in (changes or {}).items():
        set_path(data, path, value)
    return parse_scenario(data)


def scenario(changes: dict[str, Any] | None = None, **base: Any) -> Scenario:
    """`base_data(**base)` with dotted `changes`, validated."""
    return build(base_data(**base), changes)


def arrivals_per_month_for(rate_per_day: float) -> float:
    """The `arrivals_per_month` that gives `rate_per_day` (the model's month is 365.25/12 days)."""
    return rate_per_day * DAYS_PER_MONTH


def mmc_scenario(
    c: int,
    utilisation: float,
    mean_effort_days: float = 1.0,
    horizon_months: int = 24,
    warmup_days: float = 0.0,
) -> Scenario:
    """An M/M/c queue: c staff, exponential effort, arrivals at utilisation * c / mean effort."""
    rate_per_day = utilisation * c / mean_effort_days
    return scenario(
        staff=c,
        arrivals_per_month=arrivals_per_month_for(rate_per_day),
        mean_effort_days=mean_effort_days,
        horizon_months=horizon_months,
        warmup_days=warmup_days,
    )


def day(date: dt.date) -> float:
    """Days from the builders' start date to `date`."""
    return float((date - START_DATE).days)


def date_after(days: int) -> str:
    """The ISO date `days` after the builders' start date."""
    return (START_DATE + dt.timedelta(days=days)).isoformat()


def raw_run(s: Scenario, seed: int = 1) -> RawRun:
    """The raw state of one finished replication."""
    return simulate_raw(s, np.random.SeedSequence(seed))


def service_durations(raw: RawRun) -> tuple[np.ndarray, np.ndarray]:
    """First start day and (end - first start) of each completed request."""
    desk = raw.desk
    start = np.asarray(desk.first_start_day)
    end = np.asarray(desk.end_day)
    done = ~np.isnan(start) & ~np.isnan(end)
    return start[done], (end - start)[done]
