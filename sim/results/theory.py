"""A quick verification of this version of the model against queueing theory, for reports.

With every feature switched off the model is an M/M/c queue, whose mean wait is known exactly
(Erlang C). `ccs-sim report` runs these checks itself (a few seconds) so that the report states
the verification status of the very code that produced it, not of some earlier version:

- mean wait in queue against Erlang C, and utilisation against the offered load, each inside the
  99% confidence interval of independent replications (99%, because several intervals are
  checked at once and a 95% interval misses the truth one time in twenty);
- Little's law for the queue (mean backlog = arrival rate x mean wait), from the same runs;
- Little's law on one sample path, exactly: the area under the number-in-service curve equals the
  total time requests spent in service;
- conservation of requests: every arrival is completed, given up, waiting or in service.

The test suite holds the fuller checks (`THEORY_TEST_FILES`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.model.simulation import simulate_raw
from sim.results.replication import run_replication
from sim.scenario.files import parse_scenario
from sim.scenario.schema import Scenario

__all__ = ["THEORY_TEST_FILES", "TheoryCheck", "erlang_c_wait", "mmc_scenario", "run_theory_checks"]

THEORY_TEST_FILES = {
    "tests/test_validation_theory.py": "M/M/c against Erlang C, utilisation and Little's law at "
    "four loads",
    "tests/test_properties.py": "properties over random scenarios (Hypothesis)",
    "tests/test_direction.py": "directional tests (more staff, shorter waits, ...)",
    "tests/test_determinism.py": "same seed, same results, whatever the executor",
    "tests/test_timelines_service.py": "exact timelines of requests through service",
    "tests/test_timelines_staff.py": "exact timelines of staff: joiners, ramp-up, leavers",
    "tests/test_timelines_recruitment.py": "exact timelines of recruitment campaigns",
    "tests/test_verdict.py": "the verdict's rule, by hand and end to end",
    "tests/test_sweep.py": "sweeps reproduce the Erlang C curve; switching values",
    "tests/test_plan.py": "plan search finds the Erlang C minimum number of staff",
}

DAYS_PER_MONTH = 365.25 / 12
MEAN_EFFORT_DAYS = 0.5
HORIZON_MONTHS = 120
CONFIDENCE = 0.99  # several interval checks at once: 99% keeps a false alarm rare
WARMUP_DAYS = 30.0


@dataclass(frozen=True)
class TheoryCheck:
    """One check: what theory says, what the model gave, and whether they agree."""

    check: str
    case: str
    expected: float
    estimate: float
    ci_low: float
    ci_high: float
    passed: bool


def erlang_c_wait(servers: int, utilisation: float, mean_service: float) -> float:
    """Mean wait in queue of an M/M/c queue at utilisation rho = lambda / (c mu)."""
    offered = servers * utilisation
    below = sum(offered**k / math.factorial(k) for k in range(servers))
    top = offered**servers / math.factorial(servers) / (1 - utilisation)
    return top / (below + top) * mean_service / (servers * (1 - utilisation))


def mmc_data(
    servers: int,
    arrivals_per_day: float,
    *,
    mean_effort_days: float = MEAN_EFFORT_DAYS,
    horizon_months: int = HORIZON_MONTHS,
    warmup_days: float = WARMUP_DAYS,
    sla_target_days: float = 1000.0,
    start_date: str = "2020-04-01",
    names: tuple[str, str, str] = ("all", "job", "servers"),
) -> dict[str, Any]:
    """An M/M/c queue as scenario data: the one builder the theory checks, the benchmarks and the
    tests share (they add to it). Every feature is off by the schema's defaults: Poisson
    arrivals, exponential effort, `servers` staff in one pool, FIFO, no reneging.

    `names` are the department's, the request type's and the pool's. A working year of 365.25
    days makes one person-day of effort one calendar day of one person's time.
    """
    department, request_type, pool = names
    return {
        "name": f"mmc-c{servers}",
        "run": {
            "start_date": start_date,
            "horizon_months": horizon_months,
            "warmup_days": warmup_days,
            "working_days_per_year": 365.25,
        },
        "demand": {
            "departments": [{"name": department, "onboarding_date": start_date}],
            "request_types": [
                {
                    "name": request_type,
                    "skill_pool": pool,
                    "arrivals_per_month": arrivals_per_day * DAYS_PER_MONTH,
                    "effort_person_days": {"kind": "exponential", "mean": mean_effort_days},
                    "sla_target_days": sla_target_days,
                }
            ],
        },
        "staff_pools": [{"name": pool, "initial_headcount": servers}],
    }


def mmc_scenario(
    servers: int,
    utilisation: float,
    horizon_months: int = HORIZON_MONTHS,
    *,
    mean_effort_days: float = MEAN_EFFORT_DAYS,
    warmup_days: float = WARMUP_DAYS,
) -> Scenario:
    """The M/M/c queue of `mmc_data` at utilisation rho = lambda / (c mu), validated."""
    data = mmc_data(
        servers,
        utilisation * servers / mean_effort_days,
        mean_effort_days=mean_effort_days,
        horizon_months=horizon_months,
        warmup_days=warmup_days,
    )
    data["name"] = f"mmc-c{servers}-rho{utilisation}"
    return parse_scenario(data)


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    mean = float(np.mean(values))
    quantile = (1 + CONFIDENCE) / 2
    half = float(
        stats.t.ppf(quantile, len(values) - 1) * np.std(values, ddof=1) / math.sqrt(len(values))
    )
    return mean, mean - half, mean + half


def run_theory_checks(
    cases: tuple[tuple[int, float], ...] = ((1, 0.5), (3, 0.8)), reps: int = 20, seed: int = 2024
) -> list[TheoryCheck]:
    """Run the quick checks (a few seconds) and return one row per check."""
    checks: list[TheoryCheck] = []
    for servers, rho in cases:
        scenario = mmc_scenario(servers, rho)
        results = [run_replication(scenario, seed, rep) for rep in range(reps)]
        case = f"M/M/{servers}, utilisation {rho}"
        wq = erlang_c_wait(servers, rho, MEAN_EFFORT_DAYS)
        waits = np.array([r.kpis["mean_wait_days"] for r in results])
        checks.append(_check("Mean wait in queue = Erlang C (days)", case, wq, waits))
        after = [r.monthly.iloc[1:] for r in results]
        busy = np.array([m["busy_slot_days"].sum() / m["capacity_slot_days"].sum() for m in after])
        checks.append(_check("Utilisation = offered load", case, rho, busy))
        differences = []
        for r, m in zip(results, after, strict=True):
            days = (_run_end(scenario) - m["date"].iloc[0]).days  # the months after warm-up
            rate = m["arrivals"].sum() / days
            differences.append(m["backlog"].mean() - rate * r.kpis["mean_wait_days"])
        checks.append(
            _check("Little's law: backlog - rate x wait = 0", case, 0.0, np.array(differences))
        )
        end = results[0].end_state
        accounted = end["completed"] + end["reneged"] + end["waiting"] + end["in_service"]
        checks.append(
            TheoryCheck(
                "Conservation: arrived = completed + given up + waiting + in service",
                case,
                float(end["arrived"]),
                float(accounted),
                float(accounted),
                float(accounted),
                accounted == end["arrived"],
            )
        )
    checks.append(_sample_path_little(seed))
    return checks


def _run_end(scenario: Scenario) -> pd.Timestamp:
    return pd.Timestamp(scenario.run.start_date) + pd.DateOffset(months=scenario.run.horizon_months)


def _check(name: str, case: str, expected: float, values: np.ndarray) -> TheoryCheck:
    mean, low, high = _interval(values)
    return TheoryCheck(name, case, expected, mean, low, high, low <= expected <= high)


def _sample_path_little(seed: int) -> TheoryCheck:
    raw = simulate_raw(mmc_scenario(3, 0.9, horizon_months=6), np.random.SeedSequence(seed))
    horizon = raw.calendar.horizon_days
    start = np.asarray(raw.desk.first_start_day)
    end = np.nan_to_num(np.asarray(raw.desk.end_day), nan=horizon)
    started = ~np.isnan(start)
    in_service = float((np.minimum(end, horizon) - start)[started].sum())
    area = float(raw.monitor.by_pool["busy_slot_days_to_date"][-1, 0])
    return TheoryCheck(
        "Little's law on one sample path: busy area = time in service (days)",
        "M/M/3, utilisation 0.9, 6 months",
        in_service,
        area,
        area,
        area,
        math.isclose(area, in_service, rel_tol=1e-9),
    )
