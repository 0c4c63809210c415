"""The model reduced to an M/M/c queue, and an idiomatic SimPy M/M/c to compare it with."""

from __future__ import annotations

import numpy as np
import simpy

from sim import Scenario
from sim.results.theory import mmc_scenario as theory_mmc


def mmc_scenario(servers: int, utilisation: float, horizon_months: int) -> Scenario:
    """The model with every feature off (sim.results.theory's M/M/c), mean effort one day."""
    return theory_mmc(servers, utilisation, horizon_months, mean_effort_days=1.0, warmup_days=0)


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
