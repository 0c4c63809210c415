"""The model reduced to an M/M/c queue, and an idiomatic SimPy M/M/c to compare it with."""

from __future__ import annotations

import datetime as dt

import numpy as np
import simpy

from sim import Scenario, parse_scenario

DAYS_PER_MONTH = 365.25 / 12


def mmc_scenario(servers: int, utilisation: float, horizon_months: int, mean_effort_days=1.0):
    """Every feature off: Poisson arrivals, exponential effort, fixed staff, FIFO, no reneging."""
    arrivals_per_day = utilisation * servers / mean_effort_days
    return parse_scenario(
        {
            "name": f"mmc_c{servers}_rho{utilisation}",
            "run": {
                "start_date": dt.date(2020, 1, 1),
                "horizon_months": horizon_months,
                "working_days_per_year": 365.25,
            },
            "demand": {
                "departments": [{"name": "all", "onboarding_date": dt.date(2020, 1, 1)}],
                "request_types": [
                    {
                        "name": "job",
                        "skill_pool": "servers",
                        "arrivals_per_month": arrivals_per_day * DAYS_PER_MONTH,
                        "effort_person_days": {"kind": "exponential", "mean": mean_effort_days},
                        "sla_target_days": 1000,
                    }
                ],
            },
            "staff_pools": [{"name": "servers", "initial_headcount": servers}],
        }
    )


def idiomatic_simpy_mmc(
    servers: int, utilisation: float, n_customers: int, seed: int, mean_service=1.0
) -> float:
    """SimPy's textbook M/M/c: a process per customer and a Resource. Returns the mean wait."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    counter = simpy.Resource(env, capacity=servers)
    arrival_rate = utilisation * servers / mean_service
    waits: list[float] = []

    def customer(env: simpy.Environment):
        arrived = env.now
        with counter.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(rng.exponential(mean_service))

    def source(env: simpy.Environment):
        for _ in range(n_customers):
            yield env.timeout(rng.exponential(1 / arrival_rate))
            env.process(customer(env))

    env.process(source(env))
    env.run()
    return float(np.mean(waits))


def _check(scenario: Scenario) -> None:
    assert scenario.staff_pools[0].attrition_rate_per_year == 0
