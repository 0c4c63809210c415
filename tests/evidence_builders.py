"""Small scenarios and an independent Erlang C for the tests of sweeps, plans and reports."""

from __future__ import annotations

import math

from sim.results.theory import mmc_data
from sim.scenario.files import parse_scenario
from sim.scenario.schema import Scenario

DAYS_PER_MONTH = 365.25 / 12


def mmc(
    servers: int,
    arrivals_per_day: float,
    mean_effort_days: float = 1.0,
    horizon_months: int = 24,
    warmup_days: float = 30.0,
    salary_gbp_per_year: float = 36525.0,
    sla_target_days: float = 3.0,
) -> Scenario:
    """An M/M/c queue: every feature off, `servers` staff, Poisson arrivals, exponential effort.

    A working year of 365.25 days makes one person-day of effort one calendar day of one
    person's time; the salary gives each staff member a cost of 100 GBP a day.
    """
    data = mmc_data(
        servers,
        arrivals_per_day,
        mean_effort_days=mean_effort_days,
        horizon_months=horizon_months,
        warmup_days=warmup_days,
        sla_target_days=sla_target_days,
        start_date="2024-04-01",
        names=("dept", "work", "staff"),
    )
    data["staff_pools"][0]["salary_gbp_per_year"] = salary_gbp_per_year
    data["sources"] = {
        "demand.request_types": "ASSUMPTION: Poisson arrivals, exponential effort (M/M/c)",
        "staff_pools.staff.initial_headcount": "calibration.md test row (C: T0)",
    }
    return parse_scenario(data)


def erlang_c_wait(servers: int, arrival_rate: float, mean_service: float) -> float:
    """Mean wait in queue of an M/M/c queue, from the textbook Erlang C formula."""
    offered = arrival_rate * mean_service  # erlangs
    rho = offered / servers
    if rho >= 1:
        return math.inf
    below = sum(offered**k / math.factorial(k) for k in range(servers))
    top = offered**servers / math.factorial(servers) / (1 - rho)
    return top / (below + top) * mean_service / (servers * (1 - rho))
